"""Counter distances corrected by the coder's calibration anchors.

Where an anchor agrees with the counter (within `tolerance`) the counter stands; where it does
not, the anchor wins: the difference at each disagreeing anchor is added to the counter track,
interpolated between anchors and held beyond the first and last.
"""

from __future__ import annotations

import numpy as np

from ml.runtime.track import DistanceTrack


def corrected_track(counter: DistanceTrack, anchors: list[tuple[float, float]],
                    tolerance: float) -> DistanceTrack:
    if not anchors:
        return counter
    anchor_times = np.array([t for t, _d in anchors], dtype=float)
    offsets = np.array([d - counter.distance_at(t) for t, d in anchors], dtype=float)
    offsets[np.abs(offsets) <= tolerance] = 0.0
    times = sorted({t for t, _d in counter.anchors} | set(anchor_times.tolist()))
    points = [(t, counter.distance_at(t) + float(np.interp(t, anchor_times, offsets)))
              for t in times]
    return DistanceTrack(anchors=points, start_distance=points[0][1])
