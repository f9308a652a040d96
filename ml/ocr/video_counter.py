"""The distance track of a whole video read from its burnt-in counter.

The counter's screen region is found once: a few frames spread over the video are read whole,
and the text box whose number changes from frame to frame is the counter (a date, a pipe size
or a manhole id stays the same). Then only that region is read every few seconds, readings far
from their neighbours are dropped, and a monotone curve is fitted through the rest.
`iter_counter_track` is a generator: each yielded fraction is a progress tick and a point where
the caller may stop.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ml.ocr.counter import Box, Candidate, CounterReading, candidates, read_counter
from ml.ocr.engines import OcrEngine
from ml.ocr.parse import FOOT_M
from ml.runtime.progress import drain
from ml.runtime.video import VideoReader

PROBE_FRAMES = 6  # whole frames read to find the counter's region
OUTLIER_M = 0.5  # readings this far (metres) from the local median are misreadings


@dataclass
class CounterTrack:
    video: str
    unit: str | None  # None when no counter was found
    region: Box | None
    samples: list[tuple[float, CounterReading]] = field(default_factory=list)
    points: list[tuple[float, float]] = field(default_factory=list)  # (time, fitted distance)
    rejected: int = 0

    @property
    def readable(self) -> bool:
        return len(self.points) >= 2

    def in_metres(self) -> list[tuple[float, float]]:
        factor = FOOT_M if self.unit == "ft" else 1.0
        return [(t, d * factor) for t, d in self.points]

    def to_json(self) -> dict:
        return {"file": self.video, "unit": self.unit, "region": self.region,
                "samples": len(self.samples),
                "read": sum(r.distance is not None for _t, r in self.samples),
                "rejected": self.rejected,
                "track": [[round(t, 2), round(d, 3)] for t, d in self.points]}


def _same_place(a: Box, b: Box) -> bool:
    """Same line of text: vertical centres close and horizontal spans overlapping."""
    height = max(a[3] - a[1], b[3] - b[1], 1)
    same_row = abs((a[1] + a[3]) - (b[1] + b[3])) / 2 < 0.6 * height
    return same_row and min(a[2], b[2]) > max(a[0], b[0])


def find_region(probes: list[list[Candidate]], width: int, height: int) -> Box | None:
    """Union box of the place whose number varies most over the probes (then: is read most)."""
    groups: list[list[Candidate]] = []
    for found in probes:
        for cand in found:
            home = next((g for g in groups if _same_place(g[0].box, cand.box)), None)
            (home.append(cand) if home is not None else groups.append([cand]))
    if not groups:
        return None

    def rank(group: list[Candidate]) -> tuple:
        values = {round(c.value.distance, 2) for c in group}
        sure = any(c.value.unit or c.value.labelled for c in group)
        return len(values) > 1, sure, len(group), sum(c.weight for c in group)

    best = max(groups, key=rank)
    x0, y0 = min(c.box[0] for c in best), min(c.box[1] for c in best)
    x1, y1 = max(c.box[2] for c in best), max(c.box[3] for c in best)
    # Room for more digits and the sign on either side; a little above and below.
    pad_x, pad_y = (x1 - x0) // 2 + 4, (y1 - y0) // 2 + 2
    return (max(0, x0 - pad_x), max(0, y0 - pad_y), min(width, x1 + pad_x),
            min(height, y1 + pad_y))


def reject_outliers(times: np.ndarray, values: np.ndarray, tolerance: float,
                    window: int = 5) -> np.ndarray:
    """Mask of readings within `tolerance` of what their neighbours predict: each neighbour
    carried to the reading's time along the neighbours' median slope (the crawler moves)."""
    keep = np.ones(len(values), dtype=bool)
    for i in range(len(values)):
        near = _neighbours(i, window // 2, len(values))
        if not near:
            continue
        wide = _neighbours(i, window, len(values))  # the slope from twice as many: robust
        slopes = [(values[b] - values[a]) / (times[b] - times[a])
                  for a in wide for b in wide if times[b] > times[a]]
        slope = float(np.median(slopes)) if slopes else 0.0
        predicted = np.median([values[j] + slope * (times[i] - times[j]) for j in near])
        keep[i] = abs(values[i] - predicted) <= tolerance
    return keep


def _neighbours(i: int, half: int, count: int) -> list[int]:
    return [j for j in range(max(0, i - half), min(count, i + half + 1)) if j != i]


def monotone_fit(values: np.ndarray) -> np.ndarray:
    """Least-squares non-decreasing fit (pool adjacent violators); decreasing if the counter
    counts down overall."""
    if len(values) and values[-1] < values[0]:
        return -monotone_fit(-values)
    blocks: list[list[float]] = []  # [mean, count]
    for v in values.astype(float):
        blocks.append([v, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            (m1, n1), (m2, n2) = blocks[-2], blocks.pop()
            blocks[-1] = [(m1 * n1 + m2 * n2) / (n1 + n2), n1 + n2]
    return np.concatenate([np.full(int(n), m) for m, n in blocks]) if blocks else values


def _sample_times(duration: float, every_s: float) -> np.ndarray:
    return np.arange(0.0, max(duration - 1e-6, 0.0), every_s) if duration > 0 else np.zeros(1)


def iter_counter_track(video: Path, engine: OcrEngine, every_s: float = 2.0,
                       default_unit: str | None = None
                       ) -> Generator[float, None, CounterTrack]:
    with VideoReader(Path(video)) as reader:
        info = reader.info
        probes = []
        for k in range(PROBE_FRAMES):
            frame = reader.frame_at(int((k + 0.5) / PROBE_FRAMES * (info.frame_count - 1)))
            probes.append(candidates(engine.read(frame)) if frame is not None else [])
            yield 0.3 * (k + 1) / PROBE_FRAMES
        region = find_region(probes, info.width, info.height)
        track = CounterTrack(str(video), None, region)
        if region is None:
            return track
        times = _sample_times(info.duration, every_s)
        for k, t in enumerate(times):
            frame = reader.frame_at(int(round(t * info.fps)))
            if frame is not None:
                track.samples.append((float(t), read_counter(frame, engine, region=region)))
            yield 0.3 + 0.7 * (k + 1) / len(times)
    _fit(track, default_unit)
    return track


def _fit(track: CounterTrack, default_unit: str | None) -> None:
    read = [(t, r) for t, r in track.samples if r.distance is not None]
    units = Counter(r.unit for _t, r in read if r.unit)
    track.unit = units.most_common(1)[0][0] if units else default_unit or ("m" if read else None)
    if len(read) < 2:
        track.rejected = len(read)
        return
    times = np.array([t for t, _r in read])
    values = np.array([r.distance for _t, r in read], dtype=float)
    tolerance = OUTLIER_M / (FOOT_M if track.unit == "ft" else 1.0)
    keep = reject_outliers(times, values, tolerance)
    track.rejected = int((~keep).sum())
    fitted = monotone_fit(values[keep])
    track.points = [(float(t), float(d)) for t, d in zip(times[keep], fitted, strict=True)]


def read_counter_track(video: Path, engine: OcrEngine, every_s: float = 2.0,
                       default_unit: str | None = None) -> CounterTrack:
    return drain(iter_counter_track(video, engine, every_s, default_unit))
