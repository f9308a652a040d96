"""`sewer-gui`: start the coding assistant, open the demo or a video, or run a self-test."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path

from sewer_gui.pacp.codes import CodeTableError, default_code_table
from sewer_gui.resources import default_model_path, sample_video_path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="sewer-gui", description=__doc__)
    parser.add_argument("path", nargs="?", help="a video or a .sewerproj project to open")
    parser.add_argument("--demo", action="store_true",
                        help="open the bundled sample video with the bundled model")
    parser.add_argument("--self-test", action="store_true",
                        help="offscreen check: model, decoding, classification, PDF; exit code")
    return parser.parse_args(argv)


def self_test() -> int:
    """Load the model, decode the sample, classify frames, write a PDF; print what happened."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    report: dict[str, object] = {}
    try:
        from PySide6.QtWidgets import QApplication

        from ml.runtime.classifier import CrackClassifier
        from ml.runtime.scan import ScanSettings, run_scan
        from sewer_gui.pacp.examples import sample_header
        from sewer_gui.report.pdf_report import write_report
        from sewer_gui.session import CodingSession

        app = QApplication.instance() or QApplication(["sewer-gui"])
        report["qt_platform"] = app.platformName()
        classifier = CrackClassifier(default_model_path())
        report["model"] = classifier.model_id
        session = CodingSession(default_code_table())
        session.inspection.header = sample_header()
        info = session.attach_video(sample_video_path())
        report["video"] = f"{info.width}x{info.height} {info.fps:g} fps {info.duration:.0f} s"
        scan = run_scan(sample_video_path(), classifier, ScanSettings(stride_s=1.0),
                        session.track)
        report["frames_classified"] = scan.frames_classified
        report["counter"] = counter_check(sample_video_path())
        report["events"] = len(scan.events)
        for event in scan.events[:3]:
            from sewer_gui.session import Suggestion

            suggestion = Suggestion(event.label, event.code, event.confidence, (),
                                    classifier.model_id, event.best_frame, event.best_s)
            session.inspection.observations.append(session.from_suggestion(suggestion, None))
        with tempfile.TemporaryDirectory(prefix="sewer-selftest-") as folder:  # leaves nothing
            pdf = write_report(session.inspection, session.table,
                               Path(folder) / "self_test_report.pdf").read_bytes()
        report["pdf_bytes"] = len(pdf)
        report["pdf_valid"] = pdf.startswith(b"%PDF")
        ok = (scan.frames_classified > 0 and len(pdf) > 1000 and pdf.startswith(b"%PDF")
              and report["counter"]["ok"])
    except Exception as exc:  # noqa: BLE001 - the self-test prints whatever broke
        report["failed"] = f"{type(exc).__name__}: {exc}"
        report["traceback"] = traceback.format_exc(limit=5)
        ok = False
    report["ok"] = ok
    print(json.dumps(report, indent=1))
    return 0 if ok else 1


def counter_check(video: Path) -> dict[str, object]:
    """Read the demo video's burnt-in counter (OCR models inside the bundle) and compare it
    with its sidecar's track (metres): the median error must stay under 0.1 m."""
    from ml.ocr.engines import make_engine
    from ml.ocr.video_counter import read_counter_track
    from ml.runtime.track import DistanceTrack

    truth = DistanceTrack.from_sidecar(video.with_suffix(".json"))
    track = read_counter_track(video, make_engine(), every_s=10.0)
    errors = sorted(abs(d - truth.distance_at(t)) for t, d in track.in_metres())
    median = errors[len(errors) // 2] if errors else None
    return {"unit": track.unit, "readings": len(track.points), "median_error_m": median,
            "ok": median is not None and len(errors) >= 5 and median <= 0.1}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.self_test:
        return self_test()
    from PySide6.QtWidgets import QApplication, QMessageBox

    from sewer_gui.app_settings import read_settings
    from sewer_gui.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Sewer PACP Coding Assistant")
    try:
        table = default_code_table()
    except CodeTableError as exc:
        QMessageBox.critical(None, "Code table", str(exc))
        return 2
    settings, problems = read_settings()
    window = MainWindow(settings, table)
    from sewer_gui.ui.error_reporting import install_error_reporting

    install_error_reporting(window)
    window.show()
    window.activateWindow()  # without a window manager nothing else gives it the keys
    if problems:  # bad values fell back to defaults: say which, without blocking start-up
        print("\n".join(problems), file=sys.stderr)
        window.statusBar().showMessage(" | ".join(problems), 30000)
    target = sample_video_path() if args.demo else Path(args.path) if args.path else None
    if target is None:
        reopen_last_project(window)
    elif target.suffix == ".sewerproj":
        window.open_project(target)
    else:
        window.open_video(target)
        if args.demo:
            window.session.inspection.header.pipe_segment_reference = "DEMO-001"
            # Shown in the header form too: an empty field there, tabbed through, wrote
            # "" over it.
            window.on_observations_changed(mark_dirty=False)
    app.aboutToQuit.connect(window.shutdown)
    code = app.exec()
    from sewer_gui.ui.player import wait_for_stragglers

    wait_for_stragglers()
    # Tear Qt objects down while Python is whole: leaving them to interpreter finalisation
    # once aborted with a PySide6 refcount error (seen in the stall benchmark, not reproduced).
    release(window)
    return code


def reopen_last_project(window) -> bool:
    """Open the latest project of the recent list, as a start without a file should.

    One open in another window is left there without an error (a second window started on
    purpose); one that fails to open has said why and leaves the recent list, so that every
    later start does not say it again."""
    from sewer_gui.app_settings import save_settings
    from sewer_gui.storage.lock import held_elsewhere

    last = window.settings.last_project()
    if last is None:
        return False
    if held_elsewhere(last):
        window.statusBar().showMessage(f"The last project, {last.name}, is open in another "
                                       "window: not reopened here", 10000)
        return False
    if not window.open_project(last):
        window.settings = window.settings.without_recent(str(last))
        save_settings(window.settings)
        return False
    window.statusBar().showMessage(f"Reopened the last project, {last.name} (File > Open "
                                   "recent for another; File > Settings turns this off)", 10000)
    return True


def release(window) -> None:
    """Delete a top-level window and its children now rather than at interpreter exit."""
    import gc

    import shiboken6

    if shiboken6.isValid(window):
        shiboken6.delete(window)
    gc.collect()


if __name__ == "__main__":
    sys.exit(main())
