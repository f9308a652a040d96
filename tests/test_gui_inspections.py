"""The job in the window: the inspection list, next segment, duplicate, delete with undo, and
switching between inspections that each bring their own video."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from sewer_gui.app_settings import AppSettings
from sewer_gui.pacp.examples import sample_inspection
from sewer_gui.ui.main_window import MainWindow
from tests.keys import key


@pytest.fixture
def window(qtbot, code_table):
    w = MainWindow(AppSettings(model_path="/no/model.onnx"), code_table)
    w.confirm_discard = lambda: True
    qtbot.addWidget(w)
    w.show()
    yield w
    w.shutdown()


def _rows(w) -> list[tuple[str, ...]]:
    model = w.inspections.panel.model
    return [tuple(model.index(r, c).data() for c in range(3)) for r in range(model.rowCount())]


def _click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _start_job(qtbot, w, video=None) -> None:
    w.new_project()
    w.session.job[0] = w.session.inspection = sample_inspection()
    w.bind_inspection()
    if video is not None:
        w.counter.cancel(wait=True)
        assert w.open_video(video)
    qtbot.waitUntil(lambda: len(_rows(w)) == 1 and _rows(w)[0][0] == "SEG-0412", timeout=3000)


def test_next_segment_duplicate_and_delete_are_undoable(qtbot, window):
    w = window
    panel = w.inspections.panel
    _start_job(qtbot, w)
    _click(qtbot, panel.next_button)
    assert _rows(w) == [("SEG-0412", "MH-17", "MH-18"), ("(no segment ref.)", "MH-18", "")]
    assert w.session.job_index() == 1 and w.session.inspection.observations == []
    assert w.session.inspection.header.surveyed_by == "J. Rivera"
    assert w.header_form.isEnabled()
    _click(qtbot, panel.undo_button)
    assert len(_rows(w)) == 1 and w.session.job_index() == 0
    _click(qtbot, panel.redo_button)
    assert len(_rows(w)) == 2
    w.inspections.switch_to(0)
    _click(qtbot, panel.duplicate_button)
    assert [r[0] for r in _rows(w)] == ["SEG-0412", "SEG-0412 copy", "(no segment ref.)"]
    assert len(w.session.inspection.observations) == 8 and w.model.rowCount() == 8
    asked = []
    w.inspections.confirm_delete = lambda inspection: asked.append(inspection) or False
    _click(qtbot, panel.delete_button)  # a segment with rows: asked first, and kept on No
    assert len(asked) == 1 and len(_rows(w)) == 3
    w.inspections.confirm_delete = lambda inspection: True
    _click(qtbot, panel.delete_button)
    assert [r[0] for r in _rows(w)] == ["SEG-0412", "(no segment ref.)"]
    assert "Deleted segment SEG-0412 copy" in w.statusBar().currentMessage()
    w.actions_by_name["coding.undo"].trigger()  # Edit > Undo (Ctrl+Z): says where to look
    assert "Job > Undo the last segment change: Delete inspection" in \
        w.statusBar().currentMessage()
    _click(qtbot, panel.undo_button)
    assert [r[0] for r in _rows(w)] == ["SEG-0412", "SEG-0412 copy", "(no segment ref.)"]
    assert w.session.job_index() == 1


def test_switching_brings_each_inspections_video_and_survives_save(qtbot, window,
                                                                   short_video, tmp_path):
    w = window
    panel = w.inspections.panel
    _start_job(qtbot, w, short_video)
    _click(qtbot, panel.next_button)
    assert w.session.video_info is None and w.session.video_path() is None
    panel.view.setFocus()
    panel.view.setCurrentIndex(panel.model.index(0, 0))
    qtbot.keyClick(panel.view, Qt.Key.Key_Return)  # Enter opens the selected inspection
    qtbot.waitUntil(lambda: w.session.job_index() == 0, timeout=3000)
    assert w.session.video_info is not None and w.session.video_path() == short_video.resolve()
    assert w.model.rowCount() == 8
    assert w.save_project(tmp_path / "job.sewerproj")
    assert w.open_project(tmp_path / "job.sewerproj")
    # Nothing to undo from before the reopen; both inspections are listed.
    qtbot.waitUntil(lambda: not panel.undo_button.isEnabled(), timeout=3000)
    assert [r[1] for r in _rows(w)] == ["MH-17", "MH-18"]


def test_exchange_export_covers_every_inspection_of_the_job(qtbot, window, tmp_path):
    import csv

    w = window
    _start_job(qtbot, w)
    qtbot.mouseClick(w.inspections.panel.next_button, Qt.MouseButton.LeftButton)
    w.export_exchange(tmp_path / "exchange")
    written = f"of 2 inspection(s) written to {(tmp_path / 'exchange').resolve()}"
    qtbot.waitUntil(lambda: written in w.statusBar().currentMessage(), timeout=30000)
    with open(tmp_path / "exchange" / "PACP_Inspections.csv", newline="",
              encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["Upstream_MH"] for r in rows] == ["MH-17", "MH-18"]


def test_job_summary_pdf_has_a_row_per_segment(qtbot, window, tmp_path):
    import pypdfium2

    w = window
    _start_job(qtbot, w)
    qtbot.mouseClick(w.inspections.panel.next_button, Qt.MouseButton.LeftButton)
    w.session.inspection.header.pipe_segment_reference = "SEG-0413"
    out = tmp_path / "summary.pdf"
    w.inspections.export_summary(out)
    qtbot.waitUntil(lambda: "Job summary PDF finished" in w.statusBar().currentMessage(),
                    timeout=30000)
    document = pypdfium2.PdfDocument(str(out))
    text = document[0].get_textpage().get_text_range()
    document.close()
    assert "2 inspection(s)" in text and "SEG-0412" in text and "SEG-0413" in text


def test_enter_on_the_inspection_list_opens_the_row(qtbot, window):
    """Found by a keys-only trial: Return was taken by the window's "confirm" shortcut."""
    w = window
    _start_job(qtbot, w)
    _click(qtbot, w.inspections.panel.next_button)
    assert w.session.job_index() == 1
    w.activateWindow()  # the window's shortcuts apply only to the active window
    qtbot.waitUntil(w.isActiveWindow, timeout=3000)
    view = w.inspections.panel.view
    view.setFocus()
    view.setCurrentIndex(view.model().index(0, 0))
    # The list claims Return before the window's shortcuts are tried (on X11 "confirm"
    # took it); keypad Enter too.
    for k in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        override = QKeyEvent(QEvent.Type.ShortcutOverride, k, Qt.KeyboardModifier.NoModifier)
        override.ignore()
        QApplication.sendEvent(view, override)
        assert override.isAccepted()
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.session.job_index() == 0, timeout=3000)
    assert w.session.inspection.header.pipe_segment_reference == "SEG-0412"


def test_ctrl_l_goes_to_the_list_enter_opens_and_esc_goes_back(qtbot, coder):
    """Found by a keys-only trial: the list had no key, and Tab went cell by cell in it."""
    w = coder
    w.focus_video()
    qtbot.keyClick(w.video_view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # next segment by key
    assert len(w.session.job) == 2 and w.session.job_index() == 1
    w.focus_video()
    qtbot.keyClick(w.video_view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    view = w.inspections.panel.view
    assert view.hasFocus() and view.currentIndex().row() == 1
    assert not view.tabKeyNavigation()
    qtbot.keyClick(view, Qt.Key.Key_Up)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.session.job_index() == 0, timeout=3000)
    assert w.video_view.hasFocus()  # opened: the keys are on its video again
    qtbot.keyClick(w.video_view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert view.hasFocus()
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert w.video_view.hasFocus() and w.session.job_index() == 0


def test_the_lists_arrows_reach_its_far_columns_and_space_presses_a_focused_button(qtbot, coder):
    """From a trial: Right and End stepped the video instead (the narrow dock hid "Reviewed"),
    and Space on the focused Duplicate button started playback."""
    w = coder
    w.focus_video()
    frame = w.player.index
    qtbot.keyClick(w.video_view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    view = w.inspections.panel.view
    column = view.currentIndex().column()
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.currentIndex().column() > column and w.player.index == frame
    button = w.inspections.panel.duplicate_button
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: len(w.session.job) == 2, timeout=3000)
    assert not w.player.is_playing


def test_a_clicked_button_leaves_space_to_play_and_pause(qtbot, coder):
    """From a review: once Space pressed focused buttons, a click on "Live suggestions" or
    "Next segment" made every later Space toggle it again instead of playing."""
    w = coder
    w.focus_video()
    before = w.live_box.isChecked()
    qtbot.mouseClick(w.live_box, Qt.MouseButton.LeftButton)
    assert w.live_box.isChecked() != before and not w.live_box.hasFocus()
    qtbot.mouseClick(w.inspections.panel.next_button, Qt.MouseButton.LeftButton)
    assert len(w.session.job) == 2
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_Space)
    assert len(w.session.job) == 2 and w.live_box.isChecked() != before


def test_scan_all_from_the_menu_while_one_runs_starts_no_second(qtbot, coder, monkeypatch):
    w = coder
    prescan = w.inspections.prescan
    monkeypatch.setattr(prescan, "worker", object())  # one is running
    started = []
    monkeypatch.setattr(w.project, "save", lambda *a: started.append("save") or True)
    w.actions_by_name["inspections.prescan.start"].trigger()
    assert started == [] and "already" in w.statusBar().currentMessage()
    monkeypatch.setattr(prescan, "worker", None)


def test_an_undone_delete_brings_back_the_segments_scan_candidates(qtbot, window, tmp_path):
    """A trial: the restored segment said "Reviewed 1/1" and N found no AI candidates."""
    from ml.classes import CrackClass
    from ml.runtime.scan import DefectEvent

    w = window
    _start_job(qtbot, w)
    _click(qtbot, w.inspections.panel.next_button)
    events = [DefectEvent(CrackClass.CL, "CL", 1, 2, 1.5, 15, 0.8),
              DefectEvent(CrackClass.CM, "CM", 5, 6, 5.5, 55, 0.7)]
    second = w.session.inspection
    w.session.keep_candidates(second, events, "test-model")
    assert w.save_project(tmp_path / "job.sewerproj")  # the candidates are in the file
    w.inspections.confirm_delete = lambda inspection: True
    w.inspections.delete_current()
    assert len(w.session.job) == 1
    assert w.save_project()  # saved meanwhile: the file no longer holds them
    w.inspections.undo_stack.undo()
    assert w.session.inspection is second and len(w.session.candidates) == 2
    assert w.save_project()
    assert w.open_project(tmp_path / "job.sewerproj")
    w.inspections.switch_to(1)
    assert [e.code for e in w.session.candidates] == ["CL", "CM"]


def test_a_failed_delete_says_so_and_leaves_no_undo_step(qtbot, window, tmp_path, monkeypatch):
    from sewer_gui.storage.project_store import ProjectSaveError

    w = window
    _start_job(qtbot, w)
    _click(qtbot, w.inspections.panel.next_button)
    assert w.save_project(tmp_path / "job.sewerproj")
    steps = w.inspections.undo_stack.count()
    reported = []
    monkeypatch.setattr(w, "report_error", lambda title, text: reported.append(text))

    def refuse(_id):
        raise ProjectSaveError("disk full")

    monkeypatch.setattr(w.session.store, "delete_inspection", refuse)
    w.inspections.delete_current()
    assert len(w.session.job) == 2 and reported and "disk full" in reported[0]
    assert "Deleted segment" not in w.statusBar().currentMessage()
    assert w.inspections.undo_stack.count() == steps


def test_undoing_a_new_segment_with_rows_asks_first(qtbot, window):
    """A review: Job > Undo after Next segment removed a segment of coded rows unasked."""
    from sewer_gui.pacp.model import Observation

    w = window
    _start_job(qtbot, w)
    _click(qtbot, w.inspections.panel.next_button)
    w.model.add(Observation(3.0, "MGO", remarks="coded"))
    asked = []
    w.inspections.confirm_delete = lambda inspection: asked.append(inspection) or False
    _click(qtbot, w.inspections.panel.undo_button)
    assert len(asked) == 1 and len(w.session.job) == 2  # No: kept
    w.inspections.confirm_delete = lambda inspection: True
    w.actions_by_name["inspections.undo_segment_change"].trigger()
    assert len(w.session.job) == 1


def test_a_new_segment_never_shows_a_deleted_ones_candidates(qtbot, window, tmp_path):
    """A review: SQLite gave the deleted segment's id to the next new one, which then showed
    the deleted segment's scan candidates."""
    from ml.classes import CrackClass
    from ml.runtime.scan import DefectEvent

    w = window
    _start_job(qtbot, w)
    _click(qtbot, w.inspections.panel.next_button)
    w.session.keep_candidates(w.session.inspection,
                              [DefectEvent(CrackClass.CL, "CL", 1, 2, 1.5, 15, 0.8)], "m")
    assert w.save_project(tmp_path / "job.sewerproj")
    assert w.session.candidates
    w.inspections.confirm_delete = lambda inspection: True
    w.inspections.delete_current()
    assert w.save_project()
    _click(qtbot, w.inspections.panel.next_button)
    assert w.save_project()
    fresh = w.session.inspection
    assert w.session.scans.of(fresh, w.session.store) == []
    w.inspections.switch_to(0)
    w.inspections.switch_to(1)
    assert w.session.inspection is fresh and w.session.candidates == []


def test_a_segment_whose_stored_candidates_are_damaged_can_still_be_deleted(qtbot, window,
                                                                            tmp_path,
                                                                            monkeypatch):
    """A review: damaged candidates in the file raised out of the delete, of the very segment
    a coder wants rid of."""
    from sewer_gui.storage.project_store import ProjectFileError

    w = window
    _start_job(qtbot, w)
    _click(qtbot, w.inspections.panel.next_button)
    assert w.save_project(tmp_path / "job.sewerproj")
    w.session.scans.reread()

    doomed, read = w.session.inspection.id, w.session.store.candidates

    def damaged(inspection_id):  # the segment being deleted: its row cannot be read
        if inspection_id != doomed:
            return read(inspection_id)
        raise ProjectFileError(f"{tmp_path / 'job.sewerproj'}: the scan candidates of "
                               f"inspection {inspection_id} cannot be read (bad JSON)")

    monkeypatch.setattr(w.session.store, "candidates", damaged)
    w.inspections.confirm_delete = lambda inspection: True
    w.inspections.delete_current()
    assert len(w.session.job) == 1 and "Deleted segment" in w.statusBar().currentMessage()
    w.inspections.undo_segment_change()  # back, without the unreadable candidates
    assert len(w.session.job) == 2 and w.session.candidates == []
