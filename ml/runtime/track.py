"""Distance along the pipe at a video time: from the video's sidecar track or from calibration.

Real footage prints the distance on screen; the operator enters it at a few frames (anchors) and
the distance between anchors is interpolated linearly, extrapolated at the crawler's last speed.
"""

from __future__ import annotations

import bisect
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

MAX_SIDECAR_BYTES = 64 * 2**20


class SidecarError(ValueError):
    pass


@dataclass
class DistanceTrack:
    """Piecewise-linear map from video time (s) to distance; anchors sorted by time."""

    anchors: list[tuple[float, float]] = field(default_factory=list)  # (time, distance)
    start_distance: float = 0.0

    def set_anchor(self, time: float, distance: float) -> None:
        self.anchors = sorted([a for a in self.anchors if abs(a[0] - time) > 1e-6]
                              + [(time, distance)])

    def remove_anchor_near(self, time: float, tolerance: float = 0.5) -> bool:
        kept = [a for a in self.anchors if abs(a[0] - time) > tolerance]
        removed = len(kept) != len(self.anchors)
        self.anchors = kept
        return removed

    def distance_at(self, time: float) -> float:
        points = self.anchors or []
        if not points:
            return self.start_distance
        if len(points) == 1:
            t0, d0 = points[0]
            return d0 if time >= t0 else self.start_distance + (d0 - self.start_distance) * (
                time / t0 if t0 > 0 else 1.0)
        times = [t for t, _ in points]
        i = bisect.bisect_right(times, time)
        lo, hi = (0, 1) if i <= 0 else (len(points) - 2, len(points) - 1) if i >= len(points) \
            else (i - 1, i)
        (t0, d0), (t1, d1) = points[lo], points[hi]
        if t1 == t0:
            return d0
        return d0 + (d1 - d0) * (time - t0) / (t1 - t0)

    @classmethod
    def from_sidecar(cls, path: Path) -> DistanceTrack:
        """The `track` of a synthetic video's JSON sidecar: [[time, distance], ...]."""
        return load_sidecar(path).track


@dataclass(frozen=True)
class Sidecar:
    """A synthetic video's sidecar, checked: finite numbers, known units, well-formed defects."""

    track: DistanceTrack
    units: str  # "m" or "ft"
    defects: list[dict]  # {"label", "code", "distance_m", ...}; empty when the file has none


def load_sidecar(path: Path) -> Sidecar:
    """Read and check a sidecar; anything malformed is a SidecarError naming the file."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_SIDECAR_BYTES:
            raise SidecarError(f"{path}: the sidecar is larger than "
                               f"{MAX_SIDECAR_BYTES // 2**20} MB")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:  # RecursionError: [[[[...]]]] deep
        raise SidecarError(f"{path}: not a valid video sidecar "
                           f"({str(exc)[:120] or type(exc).__name__})") from exc
    if not isinstance(data, dict):
        raise SidecarError(f"{path}: not a valid video sidecar (not a JSON object)")
    try:
        track = [(_finite(t, "time"), _finite(d, "distance")) for t, d in data["track"]]
        defects = [_checked_defect(d) for d in data.get("defects", [])]
    except (KeyError, TypeError, ValueError) as exc:
        raise SidecarError(f"{path}: not a valid video sidecar ({exc!s:.120})") from exc
    units = data.get("units", "m")
    if units not in ("m", "ft"):
        raise SidecarError(f"{path}: the sidecar's units {units!r} are not m or ft")
    if not track:
        raise SidecarError(f"{path}: the sidecar's distance track is empty")
    if any(t < 0 for t, _d in track):
        raise SidecarError(f"{path}: the sidecar's track has a negative time")
    return Sidecar(DistanceTrack(anchors=sorted(track), start_distance=track[0][1]), units,
                   defects)


def _finite(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or \
            not math.isfinite(value):
        raise ValueError(f"{name} {value!r} is not a finite number")
    return float(value)


def _checked_defect(defect: object) -> dict:
    if not isinstance(defect, dict) or not isinstance(defect.get("label"), str):
        raise ValueError(f"defect {str(defect)[:60]} has no label")
    return {**defect, "distance_m": _finite(defect.get("distance_m"), "defect distance_m")}


def sidecar_for(video: Path) -> Path | None:
    candidate = Path(video).with_suffix(".json")
    return candidate if candidate.is_file() else None
