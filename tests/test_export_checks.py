"""An export with validation errors asks first (from a trial: "Report written" over missing
clock positions and header fields); the validation list has its own key."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from sewer_gui.pacp.examples import sample_header
from sewer_gui.pacp.model import Observation
from sewer_gui.ui.export_checks import error_lines
from tests.keys import key


def _with_an_error(w):
    w.session.inspection.header = sample_header()
    w.model.add(Observation(12.0, "CL", video_time=1.0))  # no clock position
    lines = error_lines([w.session.inspection], w.table)
    assert any("CL at 12" in line and "clock" in line for line in lines)
    return lines


def test_ctrl_e_with_errors_asks_and_by_default_shows_them(qtbot, coder, monkeypatch, tmp_path):
    w = coder
    lines = _with_an_error(w)
    asked, dialogs = [], []
    monkeypatch.setattr(w.checks, "ask", lambda what, text: asked.append(text) or "show")
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: dialogs.append(a) or ("", ""))
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert len(asked) == 1 and f"{len(lines)} validation error(s)" in asked[0]
    assert "CL at 12" in asked[0]
    assert dialogs == []  # no file asked for: the coder goes to the errors
    assert w.side_tabs.currentWidget() is w.validation_panel and w.validation_panel.hasFocus()
    key(qtbot, w, Qt.Key.Key_Escape)
    assert w.video_view.hasFocus()

    monkeypatch.setattr(w.checks, "ask", lambda what, text: "export")  # a draft, on purpose
    key(qtbot, w, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert len(dialogs) == 1


def test_a_clean_inspection_exports_without_a_question(qtbot, coder, monkeypatch):
    w = coder
    asked, dialogs = [], []
    monkeypatch.setattr(w.checks, "ask", lambda what, text: asked.append(text) or "show")
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: dialogs.append(a) or ("", ""))
    monkeypatch.setattr("sewer_gui.ui.export_checks.validate", lambda *_a: [])
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert asked == [] and len(dialogs) == 1


def test_exchange_export_names_the_segment_of_each_error(qtbot, coder, monkeypatch):
    w = coder
    _with_an_error(w)
    w.inspections.add_next_segment()  # a second, empty segment: its own errors
    asked = []
    monkeypatch.setattr(w.checks, "ask", lambda what, text: asked.append((what, text)) or "show")
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier
        | Qt.KeyboardModifier.ShiftModifier)
    assert asked and asked[0][0] == "exchange tables"
    assert "SEG-0412 (MH-17 - MH-18): " in asked[0][1]


def test_ctrl_shift_v_goes_to_the_validation_list_and_enter_shows_the_row(qtbot, coder):
    w = coder
    _with_an_error(w)
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier
        | Qt.KeyboardModifier.ShiftModifier)
    panel = w.validation_panel
    assert panel.hasFocus() and w.side_tabs.currentWidget() is panel
    row = next(i for i in range(panel.count()) if "CL at 12" in panel.item(i).text())
    panel.setCurrentRow(row)
    key(qtbot, w, Qt.Key.Key_Return)
    assert w.editor.obs is not None and w.editor.obs.code == "CL" and w.editor.obs.distance == 12


def test_esc_on_the_question_cancels_and_gives_the_keys_back_to_the_video(qtbot, coder,
                                                                        monkeypatch):
    """Found by a keys-only trial: Esc acted as "show the errors", the validation list took
    the keys, and the next End and M coded an AMH in the middle of the pipe."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    w = coder
    _with_an_error(w)
    dialogs = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: dialogs.append(a) or ("", ""))

    def press_esc(tries=100):
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) and tries:
            QTimer.singleShot(50, lambda: press_esc(tries - 1))
            return
        qtbot.keyClick(box, Qt.Key.Key_Escape)

    QTimer.singleShot(50, press_esc)
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert dialogs == [] and w.focusWidget() is w.video_view
    assert w.side_tabs.currentWidget() is not w.validation_panel
    assert "cancelled" in w.statusBar().currentMessage()


def _enter_on(qtbot, w, text: str) -> None:
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier
        | Qt.KeyboardModifier.ShiftModifier)
    panel = w.validation_panel
    panel.setCurrentRow(next(i for i in range(panel.count()) if text in panel.item(i).text()))
    key(qtbot, w, Qt.Key.Key_Return)


def test_enter_on_a_finding_gives_the_keys_to_the_field_at_fault(qtbot, coder):
    """A trial: Enter on "'Surveyed by' is empty" showed the header but left the keys with the
    video, so the typed name played the video and M added a row; on "clock position is
    missing" a typed 3 did nothing."""
    from PySide6.QtWidgets import QApplication

    w = coder
    _with_an_error(w)
    w.session.inspection.header.surveyed_by = ""
    w.on_observations_changed()  # the list shows the emptied field
    rows = len(w.session.inspection.observations)
    _enter_on(qtbot, w, "'Surveyed by' is empty")
    assert w.side_tabs.currentWidget() is w.header_form
    assert QApplication.focusWidget() is w.header_form.fields["surveyed_by"]
    qtbot.keyClicks(QApplication.focusWidget(), "J Smith m")
    key(qtbot, w, Qt.Key.Key_Return)
    assert w.session.inspection.header.surveyed_by == "J Smith m"
    assert len(w.session.inspection.observations) == rows  # no M pressed on the video
    _enter_on(qtbot, w, "CL at 12")
    assert QApplication.focusWidget() is w.editor.clock_text
    qtbot.keyClicks(w.editor.clock_text, "3")
    key(qtbot, w, Qt.Key.Key_Return)
    cl = next(o for o in w.session.inspection.observations if o.code == "CL")
    assert cl.clock_from == 3
