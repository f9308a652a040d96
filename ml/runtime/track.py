"""Distance along the pipe at a video time: from the video's sidecar track or from calibration.

Real footage prints the distance on screen; the operator enters it at a few frames (anchors) and
the distance between anchors is interpolated linearly, extrapolated at the crawler's last speed.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from pathlib import Path


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
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            track = [(float(t), float(d)) for t, d in data["track"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SidecarError(f"{path}: not a valid video sidecar ({exc})") from exc
        if not track:
            raise SidecarError(f"{path}: the sidecar's distance track is empty")
        return cls(anchors=sorted(track), start_distance=track[0][1])


def sidecar_for(video: Path) -> Path | None:
    candidate = Path(video).with_suffix(".json")
    return candidate if candidate.is_file() else None
