"""Pre-scan of the job in the background: every inspection's video, one after the other, with
progress and cancel; candidates and counter tracks go into the project as each video is done,
so that reopening shows them and a new pre-scan resumes with what is left."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from ml.ocr.video_counter import CounterTrack
from ml.runtime.scan import ScanSettings
from sewer_gui.job_scan import JobScanProgress, JobVideo, iter_job_scan, pending_videos
from sewer_gui.storage.project_store import ProjectFileError, ProjectSaveError

if TYPE_CHECKING:
    from superqt.utils import WorkerBase


class PrescanController(QObject):
    finished = Signal(int)  # videos scanned by this run

    def __init__(self, window, panel) -> None:
        super().__init__(window)
        self.w = window
        self.panel = panel
        self.worker: WorkerBase | None = None
        self.scanned = 0
        self.counters = 0  # counter tracks stored by this run
        panel.scan_all_button.clicked.connect(self.start)
        panel.cancel_scan_button.clicked.connect(self.cancel)

    @property
    def running(self) -> bool:
        return self.worker is not None

    def start(self) -> None:
        w = self.w
        if self.running:  # the Job menu can ask while the button is off
            w.statusBar().showMessage("Scanning all videos already; Cancel stops it.", 4000)
            return
        if w.classifier is None:
            w.report_error("Scan all videos", "Choose a valid model before scanning.")
            return
        unsaved = w.session.project_path is None or w.session.dirty
        if unsaved and not w.project.save():  # candidates are stored with the inspections
            return
        videos = pending_videos(w.session, w.classifier.model_id)
        if not videos:
            w.statusBar().showMessage("Every video of the job is scanned with this model.", 6000)
            return
        from superqt.utils import create_worker

        settings = ScanSettings(stride_s=w.settings.scan_stride_s, threshold=w.settings.threshold)
        worker = create_worker(iter_job_scan, videos, w.classifier, settings,
                               _start_thread=False)
        worker.yielded.connect(self._progress)
        worker.errored.connect(lambda exc: w.report_error("Scan all videos", str(exc)))
        worker.finished.connect(lambda: self._finished(worker))
        self.worker, self.scanned, self.counters = worker, 0, 0
        self.panel.scan_progress.setValue(0)
        self.panel.show_scan_progress(True)
        worker.start()

    def _progress(self, progress: JobScanProgress) -> None:
        self.panel.scan_progress.setValue(int(progress.overall * 100))
        self.panel.scan_label.setText(f"{min(progress.done + 1, progress.total)}/"
                                      f"{progress.total} {progress.video}")
        if progress.error:
            self.w.statusBar().showMessage(progress.error, 10000)
        if progress.counter is not None and progress.job is not None:
            self._store_counter(progress.job, progress.counter)
        if progress.result is None or progress.inspection_id is None:
            return
        self._store(progress.inspection_id, progress.result.events)

    def _store(self, inspection_id: int, events: list) -> None:
        w = self.w
        try:
            w.session.store.save_candidates(inspection_id, w.classifier.model_id,
                                            [e.to_json() for e in events])
        except (ProjectSaveError, ProjectFileError, AttributeError) as exc:
            w.report_error("Scan all videos", str(exc))
            return
        w.session.scans.forget(inspection_id)
        self.scanned += 1
        if w.session.inspection.id == inspection_id:  # the one on screen: show them now
            w.session.candidates = events
            w._refresh_markers()
        w.inspections.refresh_soon()  # its Reviewed column

    def _store_counter(self, job: JobVideo, track: CounterTrack) -> None:
        session = self.w.session
        inspection = next((i for i in session.job if i.id == job.inspection_id), None)
        if inspection is None or job.counter is None:
            return  # deleted meanwhile
        try:
            session.keep_counter_track(inspection, job.video, job.counter, track)
        except ProjectSaveError as exc:
            self.w.report_error("Scan all videos", str(exc))
            return
        self.counters += 1
        on_screen = session.inspection is inspection and session.video_path() == job.video
        if on_screen and track.readable and session.track_source != "sidecar":
            session.set_counter_track(track.in_metres())
            self.w.refresh_overlay()

    def _finished(self, worker: WorkerBase) -> None:
        if self.worker is worker:
            self.worker = None
            self.panel.show_scan_progress(False)
            self.w.statusBar().showMessage(f"Pre-scan: {self.scanned} video(s) scanned, "
                                           f"{self.counters} counter(s) read.", 8000)
            self.finished.emit(self.scanned)

    def cancel(self, wait: bool = False) -> None:
        worker = self.worker
        if worker is None:
            return
        worker.quit()  # at the next progress tick; finished videos stay stored
        if wait:
            type(worker).await_workers(10000)
