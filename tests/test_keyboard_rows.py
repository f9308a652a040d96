"""Keys found missing or misleading in a keys-only trial: choosing a row, Esc out of anywhere,
buttons that Space pressed by surprise, refused clocks, undo that said nothing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from tests.keys import key, observations


def _rows(w, *codes_at: tuple[str, float]):
    for code, t in codes_at:
        w.player.seek_time(t)
        w.qtbot.waitUntil(lambda t=t: abs(w.player.time_s() - t) < 0.2, timeout=5000)
        w.add_manual_observation(code)
    return observations(w)


def test_up_and_down_choose_the_row_that_c_k_and_del_act_on_and_show_its_frame(qtbot, coder):
    w = coder
    w.qtbot = qtbot
    cl, cc, joint = _rows(w, ("CL", 1.0), ("CC", 2.0), ("JOM", 3.0))
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_Up)  # from the last row added (JOM) up to CC
    assert w.editor.obs is cc
    qtbot.waitUntil(lambda: abs(w.player.time_s() - 2.0) < 0.2, timeout=5000)
    message = w.statusBar().currentMessage()
    assert message.startswith("CC at") and "coded row 2 of 3" in message
    key(qtbot, w, Qt.Key.Key_Up)
    key(qtbot, w, Qt.Key.Key_Up)  # stays on the first row
    assert w.editor.obs is cl and w.video_view.hasFocus()
    key(qtbot, w, Qt.Key.Key_K)
    qtbot.keyClicks(w.editor.clock_text, "2")
    key(qtbot, w, Qt.Key.Key_Return)
    assert (cl.clock_from, cc.clock_from) == (2, None)
    key(qtbot, w, Qt.Key.Key_Down)
    key(qtbot, w, Qt.Key.Key_Down)
    key(qtbot, w, Qt.Key.Key_Delete)
    assert observations(w) == [cl, cc] and joint not in observations(w)


def test_the_table_is_reached_by_ctrl_t_and_keeps_its_arrows_and_esc_comes_back(qtbot, coder):
    w = coder
    w.qtbot = qtbot
    first, second = _rows(w, ("CL", 1.0), ("CC", 2.0))
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert w.table_view.hasFocus()
    w.statusBar().clearMessage()
    key(qtbot, w, Qt.Key.Key_Up)  # the table's own arrow, not the window's
    assert w.table_view.currentIndex().row() == 0 and w.editor.obs is first
    assert "coded row" not in w.statusBar().currentMessage()  # the window's would say so
    key(qtbot, w, Qt.Key.Key_Escape)
    assert w.video_view.hasFocus()


def test_buttons_with_a_command_take_no_focus_and_esc_leaves_any_field(qtbot, coder):
    """The trial Tabbed past the header's last field onto "Next segment", pressed Esc, then
    Space to play: two empty segments appeared and the video was gone."""
    w = coder
    focusable = [b.text() for b in w.findChildren(QPushButton)
                 if b.window() is w and b.focusPolicy() != Qt.FocusPolicy.NoFocus]
    assert sorted(focusable) == ["Cancel counter", "Cancel scan"]  # no command of their own
    w.side_tabs.setCurrentWidget(w.header_form)
    last = list(w.header_form.fields.values())[-1]
    last.setFocus()
    for _ in range(3):
        key(qtbot, w, Qt.Key.Key_Tab)
        assert not isinstance(QApplication.focusWidget(), QPushButton)
    key(qtbot, w, Qt.Key.Key_Escape)
    assert w.video_view.hasFocus()
    segments = len(w.session.job)
    key(qtbot, w, Qt.Key.Key_Space)
    assert len(w.session.job) == segments and w.player.is_playing
    w.player.pause()


def test_a_refused_clock_keeps_the_keys_and_its_message_goes_once_corrected(qtbot, coder):
    w = coder
    obs = w.add_manual_observation("CS")
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_K)
    qtbot.keyClicks(w.editor.clock_text, "13")
    key(qtbot, w, Qt.Key.Key_Return)
    assert w.editor.clock_text.hasFocus()  # to correct it: not the video
    assert "13" in w.statusBar().currentMessage()
    qtbot.keyClicks(w.editor.clock_text, "4 8")  # typed over the selected 13
    key(qtbot, w, Qt.Key.Key_Return)
    assert (obs.clock_from, obs.clock_to) == (4, 8) and w.video_view.hasFocus()
    assert "not a clock position" not in w.statusBar().currentMessage()


def test_undo_and_redo_say_what_they_did(qtbot, coder):
    w = coder
    w.add_manual_observation("CL")
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert observations(w) == []
    assert w.statusBar().currentMessage().startswith("Undone: Add CL")
    key(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert [o.code for o in observations(w)] == ["CL"]
    assert w.statusBar().currentMessage().startswith("Redone: Add CL")
    key(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert w.statusBar().currentMessage() == "Nothing to redo."


def test_the_row_m_adds_raises_no_findings_while_its_code_is_typed(qtbot, coder):
    """A trial saw "MGO at 3.49: remarks are required" listed while it was typing a code."""
    w = coder
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_M)

    def listed():
        panel = w.validation_panel
        return [panel.item(i).text() for i in range(panel.count())]

    assert not any("MGO" in text for text in listed())
    qtbot.keyClicks(QApplication.focusWidget(), "CC")
    key(qtbot, w, Qt.Key.Key_Return)
    assert any("CC at" in text and "clock" in text for text in listed())


def test_a_row_m_added_and_left_untyped_shows_its_findings(qtbot, coder):
    """A review: M, then Ctrl+T (or a click elsewhere) left the row's findings hidden."""
    w = coder
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_M)
    key(qtbot, w, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    panel = w.validation_panel
    qtbot.waitUntil(lambda: any("MGO" in panel.item(i).text() for i in range(panel.count())),
                    timeout=2000)


def test_esc_in_a_floating_dock_and_ctrl_t_with_the_table_closed(qtbot, coder):
    """A review: keys stop at a floating dock's own window, so Esc there did nothing; Ctrl+T
    with the table's dock closed did nothing and said nothing."""
    from PySide6.QtWidgets import QDockWidget

    w = coder
    w.add_manual_observation("CL")
    dock = next(d for d in w.findChildren(QDockWidget) if d.isAncestorOf(w.table_view))
    dock.setFloating(True)
    qtbot.waitExposed(dock)
    w.table_view.setFocus()
    qtbot.keyClick(w.table_view, Qt.Key.Key_Escape)
    assert w.video_view.hasFocus()
    dock.setFloating(False)
    dock.close()
    key(qtbot, w, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert dock.isVisible()


def test_up_passes_over_dismissed_rows_and_undo_selects_the_row_it_changed(qtbot, coder):
    """A keys-only trial: Up picked a dismissed suggestion and K set a clock on it; after
    Ctrl+Z the selection jumped to another row, and the message said "clock_from"."""
    from sewer_gui.pacp.model import ReviewState

    w = coder
    w.qtbot = qtbot
    first, dismissed, last = _rows(w, ("CL", 1.0), ("CC", 2.0), ("JOM", 3.0))
    w.model.edit(dismissed, review=ReviewState.DISMISSED)
    w.select_observation(last, seek=False)
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_Up)
    assert w.editor.obs is first  # the dismissed CC is passed over
    key(qtbot, w, Qt.Key.Key_K)
    qtbot.keyClicks(w.editor.clock_text, "3")
    key(qtbot, w, Qt.Key.Key_Return)
    w.select_observation(last, seek=False)
    key(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert first.clock_from is None and w.editor.obs is first  # the row it changed
    assert w.statusBar().currentMessage().startswith("Undone: Edit CL: clock")
    assert "clock_from" not in w.statusBar().currentMessage()


def test_a_quick_code_that_needs_a_clock_takes_it_next_and_del_says_what_went(qtbot, coder):
    """A keys-only trial: after Ctrl+2 nothing was said and the clock digit typed next went
    nowhere; Del deleted without a word."""
    w = coder
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    [obs] = observations(w)
    assert obs.code == "CC" and w.editor.clock_text.hasFocus()
    assert "CC added at" in w.statusBar().currentMessage()
    qtbot.keyClicks(w.editor.clock_text, "10-2")
    key(qtbot, w, Qt.Key.Key_Return)
    assert (obs.clock_from, obs.clock_to) == (10, 2) and w.video_view.hasFocus()
    key(qtbot, w, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)  # MGO: no clock
    assert w.video_view.hasFocus() and "MGO added at" in w.statusBar().currentMessage()
    key(qtbot, w, Qt.Key.Key_Delete)
    assert w.statusBar().currentMessage().startswith("Deleted MGO at")
    assert [o.code for o in observations(w)] == ["CC"]


def test_a_refused_header_value_keeps_the_keys_on_tab_and_esc_still_leaves(qtbot, coder):
    """A keys-only trial: a bad date turned pink, but Tab moved on to the next field."""
    w = coder
    w.side_tabs.setCurrentWidget(w.header_form)
    date = w.header_form.fields["inspection_date"]
    date.setFocus()
    date.clear()
    qtbot.keyClicks(date, "2026-13-45")
    key(qtbot, w, Qt.Key.Key_Tab)
    qtbot.waitUntil(date.hasFocus, timeout=2000)
    assert "is not a date" in w.statusBar().currentMessage()
    assert date.selectedText() == "2026-13-45"
    qtbot.keyClicks(date, "2026-12-04")
    key(qtbot, w, Qt.Key.Key_Tab)
    qtbot.wait(50)
    assert not date.hasFocus() and w.session.inspection.header.inspection_date == "2026-12-04"
    date.setFocus()
    date.selectAll()
    qtbot.keyClicks(date, "nonsense")
    key(qtbot, w, Qt.Key.Key_Escape)
    qtbot.wait(50)
    assert w.video_view.hasFocus()


def test_a_coded_header_list_finds_an_entry_by_its_description_or_its_code(qtbot, coder):
    """A keys-only trial typed "Dry" in Weather and got nothing: only "1" found "1 - Dry"."""
    w = coder
    w.side_tabs.setCurrentWidget(w.header_form)
    weather = w.header_form.fields["weather"]
    weather.setFocus()
    qtbot.keyClicks(weather, "Dry")
    assert weather.currentText().endswith("Dry") and weather.currentData() == "1"
    qtbot.wait(1100)  # a pause starts a new search
    qtbot.keyClicks(weather, "1")
    assert weather.currentData() == "1"
    material = w.header_form.fields["material"]
    material.setFocus()
    qtbot.keyClicks(material, "PVC")
    assert material.currentData() == "PVC"
    key(qtbot, w, Qt.Key.Key_Tab)
    assert w.session.inspection.header.material == "PVC"


def test_v_and_r_type_the_size_and_the_remarks_of_the_selected_row(qtbot, coder):
    """A trial: four Tabs from the clock to a tap's diameter, and no key for remarks."""
    w = coder
    tap = w.add_manual_observation("TFA")
    w.select_observation(tap, seek=False)
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_V)
    assert QApplication.focusWidget() is w.editor.value_1
    qtbot.keyClicks(w.editor.value_1, "6")
    key(qtbot, w, Qt.Key.Key_Return)
    assert tap.value_1 == 6 and w.video_view.hasFocus()
    key(qtbot, w, Qt.Key.Key_R)
    assert QApplication.focusWidget() is w.editor.remarks
    qtbot.keyClicks(w.editor.remarks, "roots around it")
    key(qtbot, w, Qt.Key.Key_Return)
    assert tap.remarks == "roots around it" and w.video_view.hasFocus()
    water = w.add_manual_observation("MWL")  # a percent only: V goes there
    w.select_observation(water, seek=False)
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_V)
    assert QApplication.focusWidget() is w.editor.percent
