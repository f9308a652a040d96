"""Recently shown frames by index, bounded by count and by bytes.

Confirming a suggestion takes the frame it was made on. Ninety frames of SD video are a few
tens of megabytes, but ninety 8K frames are about 9 GB: the byte bound keeps 4K/8K footage from
exhausting memory while SD keeps its full history.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

DEFAULT_MAX_FRAMES = 90
DEFAULT_MAX_BYTES = 256 * 2**20


class FrameCache:
    """Oldest frames leave first when either bound is passed; the newest frame always stays."""

    def __init__(self, max_frames: int = DEFAULT_MAX_FRAMES,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_frames = max_frames
        self.max_bytes = max_bytes
        self._frames: OrderedDict[int, np.ndarray] = OrderedDict()
        self.nbytes = 0

    def __setitem__(self, index: int, frame: np.ndarray) -> None:
        old = self._frames.pop(index, None)
        if old is not None:
            self.nbytes -= old.nbytes
        self._frames[index] = frame
        self.nbytes += frame.nbytes
        while len(self._frames) > 1 and (len(self._frames) > self.max_frames
                                         or self.nbytes > self.max_bytes):
            self.popitem(last=False)

    def popitem(self, last: bool = True) -> tuple[int, np.ndarray]:
        index, frame = self._frames.popitem(last=last)
        self.nbytes -= frame.nbytes
        return index, frame

    def get(self, index: int, default: np.ndarray | None = None) -> np.ndarray | None:
        return self._frames.get(index, default)

    def __contains__(self, index: object) -> bool:
        return index in self._frames

    def __len__(self) -> int:
        return len(self._frames)

    def clear(self) -> None:
        self._frames.clear()
        self.nbytes = 0
