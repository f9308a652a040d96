"""Video playback on a reader thread: play, pause, step, seek and speed without blocking the GUI.

The thread keeps only the newest decoded frame. It signals `frameReady` once and does not
decode ahead until the GUI has taken that frame, so a slow GUI drops frames instead of queuing.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal

from ml.runtime.video import (
    VideoError,
    VideoInfo,
    VideoReader,
    decodes_to,
    end_margin,
    last_decodable,
)

SPEEDS = (0.25, 0.5, 1.0, 1.5, 2.0, 4.0)


@dataclass
class _Commands:
    playing: bool = False
    seek_to: int | None = None
    speed: float = 1.0
    stop: bool = False


class _ReaderThread(QThread):
    frameDecoded = Signal()  # noqa: N815 - Qt naming
    reachedEnd = Signal()  # noqa: N815
    failed = Signal(str)
    brokenAt = Signal(int)  # noqa: N815 - the first frame a damaged file does not decode

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.commands = _Commands()
        self.wake = threading.Condition()
        self.latest: tuple[int, np.ndarray] | None = None
        self.taken = threading.Event()
        self.taken.set()
        self.info: VideoInfo | None = None
        # The first frame that does not decode, once known (the probe, a seek or playback
        # found it): seeks past it go to the frame before, without searching again.
        self.decodes_to: int | None = None

    def run(self) -> None:
        try:
            reader = VideoReader(self.path)
        except VideoError as exc:
            self.failed.emit(str(exc))
            return
        self.info = reader.info
        try:
            self._loop(reader)
        except Exception as exc:  # noqa: BLE001 - a decoder error must reach the user
            self.failed.emit(f"{self.path}: decoding stopped ({exc})")
        finally:
            reader.close()

    def _loop(self, reader: VideoReader) -> None:
        next_due = time.monotonic()
        self._publish(reader.read())
        while True:
            with self.wake:
                c = self.commands
                while not (c.stop or c.playing or c.seek_to is not None):
                    self.wake.wait()
                if c.stop:
                    return
                seek, playing, speed = c.seek_to, c.playing, c.speed
                c.seek_to = None
            if seek is not None:
                if self.decodes_to is not None:
                    seek = max(0, min(seek, self.decodes_to - 1))
                reader.seek(seek)
                self._publish(reader.read() or self._last_before(reader, seek))
                next_due = time.monotonic()
            elif playing:
                self.taken.wait(timeout=0.5)  # back-pressure: never run ahead of the GUI
                interval = 1.0 / (reader.info.fps * speed)
                now = time.monotonic()
                if now < next_due:
                    time.sleep(min(next_due - now, 0.25))
                next_due = max(next_due + interval, time.monotonic() - interval)
                got = reader.read()
                if got is None:
                    with self.wake:
                        self.commands.playing = False
                    self.decodes_to = reader.next_index
                    if reader.next_index < reader.info.frame_count - 1 - end_margin(reader.info):
                        self.brokenAt.emit(reader.next_index)
                    self.reachedEnd.emit()
                    continue
                self._publish(got)

    def _last_before(self, reader: VideoReader, seek: int) -> tuple[int, np.ndarray] | None:
        """A seek past where the file decodes shows the last frame that does, so that the
        position does not hang on a frame that never comes (a file may also just end early)."""
        last = last_decodable(reader, seek, self.isInterruptionRequested)
        if not self.isInterruptionRequested():
            self.decodes_to = last + 1
        if last < reader.info.frame_count - 1 - end_margin(reader.info):
            self.brokenAt.emit(last + 1)
        reader.seek(last)
        return reader.read()

    def _publish(self, got: tuple[int, np.ndarray] | None) -> None:
        if got is None:
            return
        self.latest = got
        self.taken.clear()
        self.frameDecoded.emit()


class _Probe(QObject):
    """Checks on opening, on its own reader, whether the file decodes to its declared end: a
    truncated file is named at once, not when playback stops short. A plain daemon thread:
    one slow seek into a damaged file cannot be interrupted, and a QThread still running when
    it is destroyed aborts the app (a review's 12-minute cut AVI did, on quit)."""

    found = Signal(int)  # the first frame that does not decode

    def __init__(self, path: Path) -> None:
        super().__init__()  # no parent: the thread's reference keeps it alive until it ends
        self.path = path
        self.stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="video-probe", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            broken = decodes_to(self.path, self.stopped.is_set)
        except VideoError:
            return  # the reader thread says why the file does not open
        if broken is not None and not self.stopped.is_set():
            self.found.emit(broken)


_STRAGGLERS: set[_ReaderThread] = set()  # closed but still in a slow decoder call


def wait_for_stragglers(timeout_ms: int = 10000) -> None:
    """At exit: a reader thread still running when destroyed would abort the app."""
    for thread in list(_STRAGGLERS):
        thread.wait(timeout_ms)


class VideoPlayer(QObject):
    """The GUI side: sends commands to the reader thread and hands out the newest frame."""

    frameShown = Signal(int, object)  # noqa: N815 - frame index, BGR ndarray
    playingChanged = Signal(bool)  # noqa: N815
    errorOccurred = Signal(str)  # noqa: N815
    opened = Signal(object)  # VideoInfo

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: _ReaderThread | None = None
        self._probe: _Probe | None = None
        self._warned = False  # about this file's damage: once, whoever finds it first
        self.info: VideoInfo | None = None
        self.index = 0
        self.frame: np.ndarray | None = None
        self.speed = 1.0
        self.target: int | None = None  # a seek or step not yet shown: where keys count from

    def open(self, path: Path, info: VideoInfo) -> None:
        self.close()
        self.info = info
        self.index, self.frame, self.target, self._warned = 0, None, None, False
        thread = _ReaderThread(Path(path))
        thread.frameDecoded.connect(self._take_frame)
        thread.reachedEnd.connect(lambda: self.playingChanged.emit(False))
        thread.failed.connect(self.errorOccurred)
        thread.brokenAt.connect(self._broken)
        thread.commands.speed = self.speed
        self._thread = thread
        thread.start()
        self._probe = _Probe(Path(path))
        self._probe.found.connect(self._broken)  # slots: dropped with the player
        self._probe.start()
        self.opened.emit(info)

    def _broken(self, index: int) -> None:
        """From the reader or the probe: where the file stops decoding."""
        source = self.sender()
        if source is None or source not in (self._thread, self._probe):
            return  # queued from the file that was open before
        thread = self._thread
        if thread is not None:  # seeks past the break stop short of it without a search
            thread.decodes_to = min(index, thread.decodes_to or index)
        if self._warned or self.info is None:  # every seek past the break would say it again
            return
        self._warned = True
        info = self.info
        self.errorOccurred.emit(
            f"{info.path}: frames from {index / info.fps:.1f} s on (of {info.duration:.1f} s) "
            "cannot be decoded: the file is truncated or damaged. Playback, seeking and scans "
            "stop where decoding stops.")

    def _take_frame(self) -> None:
        thread = self._thread
        if thread is None or thread.latest is None:
            return
        self.index, self.frame = thread.latest
        if self.target == self.index or thread.commands.seek_to is None:
            self.target = None  # shown, or taken by the reader (a decoder may land nearby)
        thread.taken.set()
        self.frameShown.emit(self.index, self.frame)

    def _command(self, **changes: object) -> None:
        if self._thread is None:
            return
        with self._thread.wake:
            for key, value in changes.items():
                setattr(self._thread.commands, key, value)
            self._thread.wake.notify()

    @property
    def is_playing(self) -> bool:
        return bool(self._thread and self._thread.commands.playing)

    def play(self) -> None:
        self._command(playing=True)
        self.playingChanged.emit(True)

    def pause(self) -> None:
        was_playing = self.is_playing
        self._command(playing=False)
        if was_playing:  # a step pauses too: an already paused video changes nothing
            self.playingChanged.emit(False)

    def toggle(self) -> None:
        self.pause() if self.is_playing else self.play()

    def step(self, frames: int) -> None:
        """Step from where earlier, not yet shown, presses went: fast key repeats add up."""
        self.pause()
        self.seek(self.position() + frames)

    def seek(self, index: int) -> None:
        if self.info:
            self.target = max(0, min(index, self.info.frame_count - 1))
            self._command(seek_to=self.target)

    def seek_time(self, seconds: float) -> None:
        if self.info:
            self.seek(int(round(seconds * self.info.fps)))

    def position(self) -> int:
        """The frame the coder asked for last (a pending seek), else the one on screen."""
        return self.index if self.target is None else self.target

    def position_s(self) -> float:
        return self.position() / self.info.fps if self.info else 0.0

    def set_speed(self, speed: float) -> None:
        self.speed = speed
        self._command(speed=speed)

    def time_s(self) -> float:
        return self.index / self.info.fps if self.info else 0.0

    def close(self) -> None:
        probe, self._probe = self._probe, None
        if probe is not None:
            probe.stopped.set()
        thread, self._thread = self._thread, None
        if thread is None:
            return
        thread.requestInterruption()
        with thread.wake:
            thread.commands.stop = True
            thread.wake.notify()
        thread.taken.set()
        if not thread.wait(5000):  # in one slow decoder call: kept until it returns
            _STRAGGLERS.add(thread)
            thread.finished.connect(lambda t=thread: _STRAGGLERS.discard(t))
