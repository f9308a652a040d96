"""Long work off the GUI thread: live inference, whole-video scan and exports.

Each job reports progress or its result through signals, can be cancelled, and turns failures
into a message; `wait_for_workers` lets the window close only after they have stopped.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ml.runtime.scan import ScanProgress, ScanResult, ScanSettings, iter_scan
from sewer_gui.pacp.model import Inspection
from sewer_gui.storage.project_store import ProjectSaveError
from sewer_gui.ui.inference import InferenceWorker

if TYPE_CHECKING:  # superqt is imported when a first job starts: faster to the first frame
    from superqt.utils import WorkerBase


class WorkersMixin:
    """Mixed into MainWindow; uses its session, player, classifier and widgets."""

    def init_workers(self) -> None:
        self.scan_worker: WorkerBase | None = None
        self.background: set[WorkerBase] = set()
        self.last_scan: ScanResult | None = None

    # ----- live inference ----------------------------------------------------------------------
    def start_inference(self) -> None:
        if self.classifier is None or self.player.info is None:
            return
        worker = InferenceWorker(self.classifier, self.player.info.fps, self.settings.threshold,
                                 self.settings.smoothing_frames)
        worker.suggested.connect(self.review.on_live)
        worker.decided.connect(self.review.on_verdict)
        worker.failed.connect(lambda text: self.report_error("Live suggestions", text))
        self.inference = worker
        worker.start()

    def decide_still_frame(self, playing: bool) -> None:
        """Paused: no next frame comes to agree with the one on screen, so it is decided on its
        own (a trial saw "waiting for the next frame to agree" for as long as it stayed paused)."""
        player = self.player
        if not playing and player.frame is not None and self.inference is not None \
                and self.live_box.isChecked():
            self.inference.submit(player.index, player.frame, still=True)

    def stop_inference(self) -> None:
        worker, self.inference = self.inference, None
        if worker is not None:
            worker.stop()
            worker.deleteLater()

    # ----- whole-video scan --------------------------------------------------------------------
    def start_scan(self) -> None:
        video = self.session.video_path()
        if self.classifier is None or video is None or self.player.info is None:
            self.report_error("Scan", "Open a video and choose a valid model before scanning.")
            return
        from superqt.utils import create_worker

        self.cancel_scan(wait=True)
        settings = ScanSettings(stride_s=self.settings.scan_stride_s,
                                threshold=self.settings.threshold)
        worker = create_worker(iter_scan, video, self.classifier, settings,
                               self.session.distance_track(),
                               _start_thread=False)
        worker.yielded.connect(self._scan_progress)
        # The inspection the scan started on keeps its result, even after a switch.
        scanned, model_id = self.session.inspection, self.model_id()
        worker.returned.connect(lambda result: self._scan_done(result, scanned, model_id))
        worker.errored.connect(lambda exc: self.report_error("Scan", f"{video}: {exc}"))
        worker.finished.connect(self._scan_finished)
        self.scan_worker = worker
        self.scan_progress.setValue(0)
        for w in (self.scan_progress, self.cancel_scan_button):
            w.setVisible(True)
        self.scan_button.setEnabled(False)
        worker.start()

    def _scan_progress(self, progress: ScanProgress) -> None:
        self.scan_progress.setValue(int(progress.fraction * 100))

    def _scan_done(self, result: ScanResult, inspection: Inspection, model_id: str) -> None:
        self.last_scan = result
        try:
            self.session.keep_candidates(inspection, result.events, model_id)
        except ProjectSaveError as exc:  # on screen all the same; written at the next save
            self.report_error("Scan", str(exc))
        self._refresh_markers()
        self.focus_video()
        self.statusBar().showMessage(
            f"Scan found {len(result.events)} candidate(s) in {result.wall_seconds:.1f} s "
            f"({result.realtime_factor:.1f}x real time)."
            + (" N / P step through them." if result.events else "")
            + (f" Warning: {result.warning()}." if result.truncated else ""), 20000)

    def _scan_finished(self) -> None:
        self.scan_worker = None
        for w in (self.scan_progress, self.cancel_scan_button):
            w.setVisible(False)
        self.scan_button.setEnabled(True)

    def cancel_scan(self, wait: bool = False) -> None:
        worker = self.scan_worker
        if worker is None:
            return
        worker.quit()  # takes effect at the generator's next yield
        if wait:
            type(worker).await_workers(10000)

    # ----- exports -----------------------------------------------------------------------------
    def run_in_background(self, what: str, job: Callable, *args: object,
                          done: Callable[[object], None] | None = None) -> WorkerBase:
        from superqt.utils import create_worker

        worker = create_worker(job, *args, _start_thread=False)
        self.background.add(worker)
        worker.returned.connect(done or (lambda _r: self.statusBar().showMessage(
            f"{what} finished", 6000)))
        worker.errored.connect(lambda exc: self.report_error(what, str(exc)))
        worker.finished.connect(lambda: self.background.discard(worker))
        self.statusBar().showMessage(f"{what}...")
        worker.start()
        return worker

    def wait_for_workers(self) -> None:
        if "superqt.utils" in sys.modules:  # no job ever started: nothing to wait for
            sys.modules["superqt.utils"].WorkerBase.await_workers(15000)

    def export_pdf(self, path: Path, done: Callable[[object], None] | None = None,
                   preview: bool = False) -> WorkerBase:
        """Write the report off the GUI thread; with `preview` also render its pages there."""
        from sewer_gui.report.pdf_report import write_report
        from sewer_gui.report.preview import render_pages

        project = self.session.project_path.name if self.session.project_path else ""
        inspection = self.session.snapshot_copy()

        def job() -> tuple[Path, list]:
            written = write_report(inspection, self.table, Path(path), project)
            return written, render_pages(written) if preview else []

        def finished(result: tuple[Path, list]) -> None:
            written, pages = result
            self.statusBar().showMessage(f"Report written to {written}", 8000)
            if pages:
                self.show_pdf_preview(written, pages)
            if done is not None:
                done(written)

        return self.run_in_background("PDF report", job, done=finished)

    def export_exchange(self, folder: Path) -> WorkerBase:
        from sewer_gui.cli import EXCHANGE_SQLITE_NAME
        from sewer_gui.exchange.exchange import export_csv, export_sqlite

        inspections = self.session.job_copies()  # the whole job: one table row per inspection

        def job() -> Path:
            export_csv(inspections, self.table, folder)
            export_sqlite(inspections, self.table, Path(folder) / EXCHANGE_SQLITE_NAME)
            return Path(folder)

        def finished(written: Path) -> None:  # where it went, in full: the folder may be new
            self.statusBar().showMessage(f"Exchange tables of {len(inspections)} inspection(s) "
                                         f"written to {written.resolve()}", 15000)

        return self.run_in_background("Exchange export", job, done=finished)

    def export_snapshots(self, folder: Path) -> WorkerBase:
        inspection = self.session.snapshot_copy()

        def job() -> int:
            Path(folder).mkdir(parents=True, exist_ok=True)
            count = 0
            for obs in inspection.sorted_observations():
                if obs.snapshot_jpeg and obs.counts:
                    name = f"{obs.distance:08.2f}_{obs.code}.jpg".replace(" ", "0")
                    (Path(folder) / name).write_bytes(obs.snapshot_jpeg)
                    count += 1
            return count

        def finished(count: int) -> None:
            self.statusBar().showMessage(f"{count} snapshot(s) written to "
                                         f"{Path(folder).resolve()}", 15000)

        return self.run_in_background("Snapshot export", job, done=finished)
