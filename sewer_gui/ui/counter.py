"""Distances from the video's burnt-in counter, read in the background when a video has no
sidecar. The coder's calibration anchors still override the counter where they disagree; a
video whose counter cannot be read keeps distances from anchors alone. The track read is stored
in the project, so that reopening it shows the distances without reading again.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton

from ml.ocr.engines import make_engine
from ml.ocr.video_counter import CounterTrack, iter_counter_track
from sewer_gui.pacp.model import Inspection
from sewer_gui.storage.counter_tracks import DamagedTrackError, VideoStamp
from sewer_gui.storage.project_store import ProjectSaveError
from sewer_gui.ui.keyboard import TAB_REACHABLE

if TYPE_CHECKING:
    from superqt.utils import WorkerBase

SAMPLE_EVERY_S = 2.0


def read_track(video: Path, every_s: float) -> Generator[float, None, CounterTrack]:
    """The OCR engine loads in the worker thread too: the window never waits for it."""
    yield 0.0
    return (yield from iter_counter_track(video, make_engine(), every_s))


class CounterController(QObject):
    """Owns the counter-reading worker and its progress widgets in the status bar."""

    finished = Signal(object)  # the CounterTrack, or None when cancelled or failed

    def __init__(self, window) -> None:
        super().__init__(window)
        self.w = window
        self.worker: WorkerBase | None = None
        self.last_track: CounterTrack | None = None
        self.label = QLabel("Reading the counter")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(140)
        self.cancel_button = QPushButton("Cancel counter")
        self.cancel_button.setProperty(TAB_REACHABLE, True)  # no command of its own
        self.cancel_button.clicked.connect(lambda: self.cancel())
        for widget in (self.label, self.progress, self.cancel_button):
            window.statusBar().addPermanentWidget(widget)
        self._show(False)

    def _show(self, visible: bool) -> None:
        for widget in (self.label, self.progress, self.cancel_button):
            widget.setVisible(visible)

    def start(self, video: Path, every_s: float = SAMPLE_EVERY_S) -> None:
        """Read the counter unless the video's sidecar already gives distances."""
        from superqt.utils import create_worker

        self.cancel(wait=True)
        session, video = self.w.session, Path(video)
        if session.track_source == "sidecar":
            return
        self.label.setText("Reading the counter")
        try:
            stored = session.stored_counter_track()
        except DamagedTrackError as exc:
            stored = None
            self.label.setText("Reading the counter again")
            self.w.statusBar().showMessage(f"{exc}; reading the counter again", 15000)
        if stored is not None:
            self._show_track(video, stored, "stored with the project")
            return
        inspection = session.inspection  # the result is stored for it even after a switch
        stamp = VideoStamp.of(video, inspection.video_path)
        worker = create_worker(read_track, video, every_s, _start_thread=False)
        worker.yielded.connect(lambda fraction: self.progress.setValue(int(fraction * 100)))
        worker.returned.connect(lambda track: self._done(inspection, video, stamp, track))
        worker.errored.connect(lambda exc: self._failed(Path(video), exc))
        worker.finished.connect(lambda: self._finished(worker))
        self.worker = worker
        self.progress.setValue(0)
        self._show(True)
        worker.start()

    def _done(self, inspection: Inspection, video: Path, stamp: VideoStamp | None,
              track: CounterTrack) -> None:
        if stamp is not None:
            try:
                self.w.session.keep_counter_track(inspection, video, stamp, track)
            except ProjectSaveError as exc:  # distances still apply; read again next time
                self.w.statusBar().showMessage(str(exc), 10000)
        if self.w.session.inspection is inspection:
            self._show_track(video, track, "read from the on-screen counter")

    def _show_track(self, video: Path, track: CounterTrack, how: str) -> None:
        self.last_track = track
        if self.w.session.video_path() != video:
            return  # another video was opened meanwhile
        if track.readable:
            self.w.session.set_counter_track(track.in_metres())
            message = (f"Distances {how} ({len(track.points)} readings); "
                       f"D at a frame corrects them")
        elif self.w.session.track_source == "calibration":  # a trial's undo said "press D"
            message = ("No readable distance counter; distances from your calibration anchors "
                       "(D at a frame adds one)")
        else:
            message = "No readable distance counter: press D at frames to calibrate distances"
        self.w.refresh_overlay()
        self.w.statusBar().showMessage(message, 10000)
        self.finished.emit(track)

    def _failed(self, video: Path, exc: Exception) -> None:
        self.w.statusBar().showMessage(f"{video.name}: the counter could not be read ({exc}); "
                                       f"distances from calibration anchors", 15000)
        self.finished.emit(None)

    def _finished(self, worker: WorkerBase) -> None:
        if self.worker is worker:
            self.worker = None
            self._show(False)

    def cancel(self, wait: bool = False) -> None:
        worker = self.worker
        if worker is None:
            return
        worker.quit()  # takes effect at the generator's next yield
        if wait:
            type(worker).await_workers(10000)
            self.worker = None
            self._show(False)

    @property
    def running(self) -> bool:
        return self.worker is not None
