"""The real window on the offscreen platform, driven as a coder would."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from sewer_gui.app_settings import AppSettings
from sewer_gui.pacp.examples import sample_header
from sewer_gui.pacp.model import Origin, ReviewState
from sewer_gui.storage.project_store import ProjectStore
from sewer_gui.ui.main_window import MainWindow
from tests.keys import suggestion


@pytest.fixture
def window(qtbot, code_table, tiny_onnx):
    # A threshold this low makes the untrained test model suggest on every frame.
    w = MainWindow(AppSettings(model_path=str(tiny_onnx), threshold=0.01, smoothing_frames=2),
                   code_table)
    w.confirm_discard = lambda: True  # no modal questions in tests
    qtbot.addWidget(w)
    w.show()
    yield w
    w.shutdown()


def _play_until_suggestion(qtbot, w):
    w.player.play()
    qtbot.waitUntil(lambda: w.suggestion is not None, timeout=15000)
    w.player.pause()


def test_open_play_confirm_edit_undo_save_reopen(qtbot, window, short_video, tmp_path):
    w = window
    assert w.open_video(short_video)
    qtbot.waitUntil(lambda: w.player.frame is not None, timeout=5000)
    _play_until_suggestion(qtbot, w)
    assert w.video_view._banner.startswith(w.suggestion.code)
    w.review.confirm()
    [obs] = w.session.inspection.observations
    assert obs.origin is Origin.AI_CONFIRMED and obs.review is ReviewState.ACCEPTED
    assert obs.snapshot_jpeg and obs.model_id == "tiny-test" and obs.confidence > 0
    assert obs.distance >= 0 and obs.video_time is not None
    assert w.model.rowCount() == 1

    w.model.edit(obs, remarks="hairline", clock_from=3)
    assert obs.remarks == "hairline"
    w.coding.undo()
    assert obs.remarks == "" and obs.clock_from is None  # no silent 12 o'clock
    w.coding.redo()
    assert obs.remarks == "hairline"

    w.session.inspection.header = sample_header()
    project = tmp_path / "job.sewerproj"
    assert w.save_project(project)
    assert "job.sewerproj" in w.windowTitle() and not w.session.dirty
    w.project.fill_recent_menu()
    assert [a.text() for a in w.project.recent_menu.actions()] == [str(project)]

    w.shutdown()  # one writer per project: the first window lets go of it
    again = MainWindow(AppSettings(model_path=w.settings.model_path), w.table)
    again.confirm_discard = lambda: True
    qtbot.addWidget(again)
    assert again.open_project(project), again.last_error
    assert not again.session.dirty  # reopening with its video is not an edit
    [loaded] = again.session.inspection.observations
    assert loaded.remarks == "hairline" and loaded.snapshot_jpeg == obs.snapshot_jpeg
    assert again.session.video_path() == short_video.resolve()
    again.shutdown()


def test_fracture_twin_and_reject_are_recorded(qtbot, window, short_video):
    w = window
    w.open_video(short_video)
    _play_until_suggestion(qtbot, w)
    suggested = w.suggestion.code
    w.review.fracture()
    assert w.suggestion_code == w.session.fracture_twin(suggested) != suggested
    w.review.confirm()
    edited = w.session.inspection.observations[-1]
    assert edited.code == w.session.fracture_twin(suggested)
    assert edited.origin is Origin.AI_EDITED
    # Its clock is asked next, and the video paused for it: left for later, then play on.
    qtbot.waitUntil(lambda: w.focusWidget() is w.editor.clock_text, timeout=2000)
    w.focus_video()
    _play_until_suggestion(qtbot, w)
    w.review.reject()
    qtbot.keyClick(w.review.dialog, Qt.Key.Key_N)  # not a defect
    rejected = w.session.inspection.observations[-1]
    assert rejected.review is ReviewState.REJECTED and rejected.snapshot_jpeg
    assert w.session.ratings().structural.occurrences == 1  # the rejected one does not count
    w.coding.undo()
    assert rejected not in w.session.inspection.observations


def test_manual_observation_and_validation_jump(qtbot, window, short_video):
    w = window
    w.open_video(short_video)
    qtbot.waitUntil(lambda: w.player.frame is not None, timeout=5000)
    w.player.seek(20)
    qtbot.waitUntil(lambda: w.player.index == 20, timeout=5000)
    obs = w.add_manual_observation("CL")
    assert obs.clock_from is None and obs.origin is Origin.MANUAL and obs.distance > 0
    texts = [w.validation_panel.item(i).text() for i in range(w.validation_panel.count())]
    # The missing start code is the inspection's, not the crack's; clicking it goes to the
    # start of the video, where the AMH is coded.
    start = texts.index("error: inspection: no access point (e.g. AMH) coded at distance 0")
    w.validation_panel.itemClicked.emit(w.validation_panel.item(start))
    qtbot.waitUntil(lambda: w.player.index == 0, timeout=5000)
    w.select_observation(obs)
    assert w.editor.obs is obs
    w.editor.edited.emit(obs, {"code": "FL"})
    assert obs.code == "FL"


def test_pdf_export_runs_in_background(qtbot, window, tmp_path, short_video):
    w = window
    w.open_video(short_video)
    qtbot.waitUntil(lambda: w.player.frame is not None, timeout=5000)
    w.add_manual_observation("CC")
    w.session.inspection.header = sample_header()
    target = tmp_path / "out" / "report.pdf"
    done = []
    worker = w.export_pdf(target, done=done.append, preview=True)
    with qtbot.waitSignal(worker.finished, timeout=30000):
        pass
    assert done == [target] and target.read_bytes().startswith(b"%PDF")
    assert w.preview_dialog.isVisible() and "report.pdf" in w.preview_dialog.windowTitle()
    from PySide6.QtWidgets import QLabel
    said = [label.text() for label in w.preview_dialog.findChildren(QLabel) if label.text()]
    assert f"Written to {target.resolve()}. Esc closes this preview." in said
    qtbot.keyClick(w.preview_dialog, Qt.Key.Key_Escape)
    assert not w.preview_dialog.isVisible()


def test_the_window_fits_a_1366_by_768_laptop_screen(qtbot, window, short_video):
    """Title bar and task bar take about 70 pixels of the 768; the docks must fit the rest."""
    w = window
    w.open_video(short_video)
    qtbot.waitUntil(lambda: w.player.frame is not None, timeout=5000)
    w.review.show(suggestion(w))  # the card at its fullest
    minimum = w.minimumSizeHint().expandedTo(w.minimumSize())
    assert minimum.width() <= 1366 and minimum.height() <= 690
    w.resize(1366, 690)
    qtbot.waitUntil(lambda: w.width() == 1366 and w.height() == 690, timeout=2000)
    # The observation form scrolls rather than being squeezed: its fields keep their size.
    assert w.editor.height() >= w.editor.minimumSizeHint().height()


def test_scan_puts_candidates_on_the_timeline_and_n_steps_to_them(qtbot, window, short_video):
    from ml.classes import CrackClass
    from ml.runtime.scan import DefectEvent

    w = window
    w.open_video(short_video)
    qtbot.waitUntil(lambda: w.player.frame is not None, timeout=5000)
    w.live_box.setChecked(False)  # only the candidates set the suggestion in this test
    w.settings = AppSettings(model_path=w.settings.model_path, threshold=0.01, scan_stride_s=0.5)
    width = w.width()
    w.start_scan()
    qtbot.waitUntil(lambda: w.scan_worker is None and w.last_scan is not None, timeout=30000)
    assert w.session.candidates, "a 1% threshold finds candidates everywhere"
    assert w.timeline._candidates and not w.scan_progress.isVisible()
    assert w.width() == width  # the progress bar did not widen the window past the screen

    fps = w.player.info.fps
    w.session.candidates = [DefectEvent(CrackClass.CL, "CL", 1, 3, 2.0, int(2 * fps), 0.8),
                            DefectEvent(CrackClass.CM, "CM", 4, 6, 5.0, int(5 * fps), 0.7)]
    w.player.seek(0)
    qtbot.waitUntil(lambda: w.player.index == 0, timeout=3000)
    w.review.next_candidate()
    assert w.suggestion.code == "CL" and w.suggestion.frame_index == int(2 * fps)
    qtbot.waitUntil(lambda: w.player.index == int(2 * fps), timeout=3000)
    w.review.next_candidate()
    assert w.suggestion.code == "CM"
    qtbot.waitUntil(lambda: w.player.index == int(5 * fps), timeout=3000)
    w.review.previous_candidate()
    assert w.suggestion.code == "CL"


def test_close_during_scan_stops_workers(qtbot, code_table, tiny_onnx, short_video):
    w = MainWindow(AppSettings(model_path=str(tiny_onnx), scan_stride_s=0.1), code_table)
    w.confirm_discard = lambda: True
    qtbot.addWidget(w)
    w.show()
    w.open_video(short_video)
    w.player.play()
    w.start_scan()
    assert w.scan_worker is not None
    w.close()
    assert w.inference is None and w.player._thread is None
    from PySide6.QtCore import QThreadPool

    assert QThreadPool.globalInstance().activeThreadCount() == 0


def test_corrupt_video_gives_message_and_window_keeps_working(qtbot, window, tmp_path,
                                                              short_video):
    w = window
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 4000)
    assert not w.open_video(bad)
    assert "broken.mp4" in w.last_error
    assert w.open_video(short_video)


def test_missing_and_wrong_model_are_reported(qtbot, code_table, tmp_path, short_video):
    junk = tmp_path / "model.onnx"
    junk.write_text("not a model")
    w = MainWindow(AppSettings(model_path=str(junk)), code_table)
    w.confirm_discard = lambda: True
    qtbot.addWidget(w)
    assert "model.onnx: not an ONNX model" in w.last_error and w.classifier is None
    assert w.open_video(short_video)  # video review still works without a model
    assert w.inference is None
    assert not w.load_model(tmp_path / "gone.onnx")
    assert "no such model file" in w.last_error
    w.shutdown()


def test_save_failures_keep_saved_work(qtbot, window, tmp_path):
    w = window
    w.add_manual_observation("CL")
    project = tmp_path / "p.sewerproj"
    assert w.save_project(project)
    w.add_manual_observation("CC")
    store = w.session.store
    store._conn.close()
    store._conn = sqlite3.connect(f"file:{project}?mode=ro", uri=True, isolation_level=None)
    assert not w.save_project()
    assert "read-only" in w.last_error and "intact" in w.last_error
    assert len(w.session.inspection.observations) == 2 and w.session.dirty
    store._conn.close()
    store._conn = sqlite3.connect(project, isolation_level=None)
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count={pages}")
    w.session.inspection.observations[-1].snapshot_jpeg = b"x" * 200_000
    assert not w.save_project()
    assert "disk is full" in w.last_error
    reopened = ProjectStore.open(Path(project), read_only=True)  # the window holds the lock
    assert len(reopened.inspections()[0].observations) == 1
    reopened.close()


def test_help_lists_every_shortcut(qtbot, window):
    from sewer_gui.ui.actions import COMMANDS, resolve

    names = {c.key for c in COMMANDS}
    assert names <= set(window.actions_by_name)
    for command in COMMANDS:
        assert callable(resolve(window, command.name))


def test_video_without_sidecar_asks_for_calibration(qtbot, window, short_video, tmp_path):
    import shutil

    bare = tmp_path / "bare.mp4"
    shutil.copy(short_video, bare)  # no JSON beside it
    w = window
    assert w.open_video(bare)
    w.counter.cancel(wait=True)  # anchors alone, as when the counter cannot be read
    qtbot.waitUntil(lambda: w.player.frame is not None, timeout=5000)
    assert w.session.track_source == "none" and "calibrate" in w.video_view._distance_text
    w.player.seek_time(10.0)
    qtbot.waitUntil(lambda: abs(w.player.time_s() - 10.0) < 0.2, timeout=3000)
    w.calibration.set_anchor(25.0)
    assert w.session.track_source == "calibration"
    assert w.session.distance_at(w.player.time_s()) == 25.0
    assert w.session.distance_at(w.player.time_s() / 2) == 12.5


def test_signal_emit_keeps_true_alive(qtbot):
    """PySide6 6.12.0 dropped a reference to True on every emit (the app aborted after a few
    minutes of video); the dependency pin keeps that release out and this test keeps it out."""
    import sys

    from PySide6.QtCore import QObject, Signal

    class Emitter(QObject):
        fired = Signal(int, object)

    emitter = Emitter()
    emitter.fired.connect(lambda *_: None)
    before = sys.getrefcount(True)
    for _ in range(200):
        emitter.fired.emit(1, None)
    assert sys.getrefcount(True) >= before - 5
