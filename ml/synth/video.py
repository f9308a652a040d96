"""A drive through one pipe: an MP4 with the crawler's counter burnt in and a JSON sidecar.

The sidecar lists every defect's class, PACP code, distance and clock, and the time-to-distance
track, so that a scan can be scored against the truth.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np

from ml.classes import SUGGESTED_CODE, CrackClass
from ml.synth import features as feat
from ml.synth.camera import Camera, Projection, finish_frame, seamless
from ml.synth.osd import CounterStyle, burn_osd
from ml.synth.scene import GEOMETRY, add_distractors, apply_water, random_look
from ml.synth.wall import base_wall

PIPE_RADIUS_M = 0.1524  # a 12-inch pipe
# The crawler halts this far before a defect: about 1.2 radii, the framing of the stills.
VIEW_OFFSET_M = 0.18


@dataclass
class DefectTruth:
    label: str
    code: str
    distance_m: float
    clock_from: float | None
    clock_to: float | None


@dataclass(frozen=True)
class DriveSpec:
    length_m: float = 12.0
    speed_mps: float = 0.12
    fps: float = 15.0
    width: int = 480
    height: int = 360
    defects: int = 8
    pause_s: float = 2.0  # the operator stops at each defect, as real surveys do


def metres_to_row(metres: float) -> float:
    return metres / PIPE_RADIUS_M * GEOMETRY.texels_per_radius


def _place_defects(rng: np.random.Generator, spec: DriveSpec) -> list[tuple[float, CrackClass]]:
    if spec.length_m < 3.0:
        raise ValueError(f"a drive needs a pipe of at least 3 m, not {spec.length_m:g} m")
    crack_classes = [c for c in CrackClass if c is not CrackClass.ND]
    spots = np.sort(rng.uniform(1.5, spec.length_m - 1.0, spec.defects))
    for k in range(1, len(spots)):  # keep defects apart so that each is its own event
        spots[k] = max(spots[k], spots[k - 1] + 1.2)
    spots = spots[spots < spec.length_m - 0.5]
    labels = [crack_classes[k % len(crack_classes)] for k in range(len(spots))]
    rng.shuffle(labels)
    return list(zip(spots.tolist(), labels, strict=True))


def _time_track(spec: DriveSpec, stops: list[float]) -> list[tuple[float, float]]:
    """(time, camera distance) knots: constant speed with a pause shortly before each defect."""
    knots = [(0.0, 0.0)]
    t, d = 0.0, 0.0
    for stop in sorted(s - VIEW_OFFSET_M for s in stops):  # halt with the defect in view
        if stop <= d:
            continue
        t += (stop - d) / spec.speed_mps
        d = stop
        knots.append((t, d))
        t += spec.pause_s
        knots.append((t, d))
    end = spec.length_m - 0.6
    knots.append((t + (end - d) / spec.speed_mps, end))
    return knots


def write_drive(out: Path, seed: int, spec: DriveSpec = DriveSpec(),
                osd: CounterStyle | None = None) -> dict:
    """Render the video to `out` (MP4) and its sidecar next to it; returns the sidecar.

    `osd` draws the counter in that style instead of the demo's `ft` counter."""
    rng = np.random.default_rng(seed)
    look = random_look(rng)
    look.water_level = float(rng.uniform(0.05, 0.2))
    rows = int(metres_to_row(spec.length_m + 1.5))
    wall = base_wall(rng, GEOMETRY, rows, look.material, look.joint_every)
    add_distractors(rng, wall, 0, rows, [], busy=0.0)
    for _ in range(int(spec.length_m)):  # stains, roots, taps and deposits along the pipe
        add_distractors(rng, wall, 0, rows - 200, [], busy=0.6)
    truths = []
    for distance, label in _place_defects(rng, spec):
        extent = feat.draw_class(rng, wall, GEOMETRY, label, metres_to_row(distance),
                                 fracture=rng.random() < 0.25)
        truths.append(DefectTruth(label.value, SUGGESTED_CODE[label], round(distance, 2),
                                  _clock(extent["clock_from"]), _clock(extent["clock_to"])))
    apply_water(wall, rng, look.water_level)
    wall = seamless(wall)
    camera = Camera.random(rng, spec.width, spec.height)
    camera = Camera(spec.width, spec.height, camera.focal, camera.centre_dx, camera.centre_dy,
                    camera.roll, lamp_reach=2.0, vignette=camera.vignette)
    projection = Projection.build(camera, GEOMETRY)
    knots = _time_track(spec, [t.distance_m for t in truths])
    times = np.array([k[0] for k in knots])
    dists = np.array([k[1] for k in knots])
    frame_count = int(times[-1] * spec.fps)
    writer = open_writer(Path(out), spec.fps, (spec.width, spec.height))
    track = []
    try:
        for index in range(frame_count):
            t = index / spec.fps
            d = float(np.interp(t, times, dists))
            image = projection.render(wall, GEOMETRY, metres_to_row(d))
            feet = d / 0.3048
            frame = finish_frame(rng, image, blur=0.4, noise=2.5, jpeg_quality=None,
                                 counter_text="" if osd else f"{feet:6.1f} ft  MH-17 > MH-18")
            if osd is not None:
                burn_osd(frame, osd, d)
            writer.write(frame)
            if index % int(spec.fps) == 0:
                track.append([round(t, 3), round(d, 3)])
    finally:
        writer.release()
    sidecar = {"seed": seed, "units": "m", "fps": spec.fps, "frames": frame_count,
               "material": look.material, "track": track,
               "defects": [asdict(t) for t in truths]}
    Path(out).with_suffix(".json").write_text(json.dumps(sidecar, indent=1), encoding="utf-8")
    return sidecar


def open_writer(out: Path, fps: float, size: tuple[int, int]) -> cv2.VideoWriter:
    """MPEG-4 part 2: every OpenCV build writes it quickly (its VP9 was 20x slower and larger)."""
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    if not writer.isOpened():
        raise OSError(f"{out}: OpenCV cannot write MP4 video on this machine")
    return writer


def _clock(value: float | None) -> int | None:
    if value is None:
        return None
    hour = int(round(value)) % 12
    return 12 if hour == 0 else hour
