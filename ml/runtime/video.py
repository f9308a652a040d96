"""Frame access on OpenCV with errors that name the file and say what is wrong with it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

VIDEO_SUFFIXES = (".mp4", ".avi", ".mpg", ".mpeg", ".mov", ".mkv", ".wmv", ".m4v")


class VideoError(Exception):
    """A video that cannot be opened or read; the message names the file."""


@dataclass(frozen=True)
class VideoInfo:
    path: Path
    fps: float
    frame_count: int
    width: int
    height: int

    @property
    def duration(self) -> float:
        return self.frame_count / self.fps if self.fps else 0.0


class VideoReader:
    """Sequential and random access to one video's frames (BGR uint8). One thread at a time."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise VideoError(f"{self.path}: no such video file")
        self._cap = cv2.VideoCapture(str(self.path))
        if not self._cap.isOpened():
            raise VideoError(f"{self.path}: not a video this app can decode (corrupt, not a "
                             "video, or an unsupported format)")
        fps = self._cap.get(cv2.CAP_PROP_FPS) or 0.0
        count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        width = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
        height = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
        ok, first = self._cap.read()
        if not ok or first is None:
            self._cap.release()
            raise VideoError(f"{self.path}: the file holds no decodable frame (truncated or corrupt)")
        self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
        self._next_index = 0
        self.info = VideoInfo(self.path, fps if 1 <= fps <= 240 else 25.0, max(count, 1),
                              width or first.shape[1], height or first.shape[0])

    def read(self) -> tuple[int, np.ndarray] | None:
        """The next frame with its index, or None at the end (or where a truncated file stops)."""
        ok, frame = self._cap.read()
        if not ok or frame is None:
            return None
        index = self._next_index
        self._next_index += 1
        return index, frame

    def grab(self) -> bool:
        """Advance one frame without decoding it into an image (cheap skipping)."""
        ok = self._cap.grab()
        if ok:
            self._next_index += 1
        return ok

    @property
    def next_index(self) -> int:
        """The index of the frame the next `read` returns."""
        return self._next_index

    def seek(self, index: int) -> None:
        index = max(0, min(index, self.info.frame_count - 1))
        if index != self._next_index:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, index)
            self._next_index = index

    def frame_at(self, index: int) -> np.ndarray | None:
        self.seek(index)
        got = self.read()
        return None if got is None else got[1]

    def close(self) -> None:
        self._cap.release()

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def end_margin(info: VideoInfo) -> int:
    """Frames a healthy file may lack before its declared end: header frame counts are
    estimates (2 s, or 2 % of a long file), so only a shortfall beyond this means damage."""
    return max(int(2 * info.fps), int(0.02 * info.frame_count))


def last_decodable(reader: VideoReader, upto: int, stop: Callable[[], bool] = lambda: False) -> int:
    """The last frame at or before `upto` that decodes (frame 0 always does: the reader
    checked). Steps back in doubling strides first, so that a file a few frames short of its
    header costs a few seeks, then bisects the last stride. `stop` cuts it short."""
    high, stride = upto, 1  # `high` + 1 is known not to decode (or is the end asked for)
    if reader.frame_at(upto) is not None:
        return upto
    low = 0
    while not stop():
        candidate = upto - stride
        if candidate <= 0:
            break
        if reader.frame_at(candidate) is not None:
            low = candidate
            break
        high, stride = candidate - 1, stride * 2
    while low < high and not stop():
        mid = (low + high + 1) // 2
        if reader.frame_at(mid) is not None:
            low = mid
        else:
            high = mid - 1
    return low


def decodes_to(path: Path, stop: Callable[[], bool] = lambda: False) -> int | None:
    """Where a truncated file stops decoding (the first frame that does not), or None when it
    decodes to within `end_margin` of its declared end. Its own reader: playback is not moved."""
    with VideoReader(path) as reader:
        probe = reader.info.frame_count - 1 - end_margin(reader.info)
        if probe <= 0 or reader.frame_at(probe) is not None:
            return None
        return last_decodable(reader, probe, stop) + 1
