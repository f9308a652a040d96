"""Keyboard-only coding, driven as a certified coder does it: the keys, not the methods."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from sewer_gui.pacp.model import Origin, ReviewState
from tests.keys import key, observations, suggestion


def test_m_then_typed_code_and_enter_commits_once_and_gives_keys_back(qtbot, coder):
    w = coder
    w.review.show(suggestion(w))  # a suggestion on screen must not steal the picker's Enter
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_M)
    assert w.editor.code.hasFocus() or w.editor.code.lineEdit().hasFocus()
    qtbot.keyClicks(QApplication.focusWidget(), "CC")
    key(qtbot, w, Qt.Key.Key_Return)
    [obs] = observations(w)
    assert obs.code == "CC" and obs.origin is Origin.MANUAL
    assert w.video_view.hasFocus()
    assert w.suggestion is not None  # Enter went to the picker, not to "confirm"
    key(qtbot, w, Qt.Key.Key_Space)  # the video keys work again
    qtbot.waitUntil(lambda: w.player.is_playing, timeout=2000)
    w.player.pause()


def test_tab_commits_the_code_then_clock_is_typed(qtbot, coder):
    w = coder
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_M)
    qtbot.keyClicks(QApplication.focusWidget(), "cc")
    key(qtbot, w, Qt.Key.Key_Tab)
    [obs] = observations(w)
    assert obs.code == "CC"
    assert w.editor.clock_text.hasFocus()
    qtbot.keyClicks(w.editor.clock_text, "10-2")
    key(qtbot, w, Qt.Key.Key_Return)
    assert (obs.clock_from, obs.clock_to) == (10, 2)
    assert w.video_view.hasFocus()


def test_down_and_enter_picks_from_the_list(qtbot, coder):
    w = coder
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_M)
    qtbot.keyClicks(QApplication.focusWidget(), "spiral")
    popup = w.editor.code.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    [obs] = observations(w)
    spiral = {s.code for s in w.table if "spiral" in s.description.lower()}
    assert obs.code in spiral
    assert len(observations(w)) == 1


def test_enter_twice_on_a_suggestion_makes_one_observation(qtbot, coder):
    w = coder
    s = suggestion(w)
    w.review.on_live(s)
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_Return)
    w.review.on_live(s)  # the same frame classified again after the seek
    key(qtbot, w, Qt.Key.Key_Return)
    [obs] = observations(w)
    assert obs.origin is Origin.AI_CONFIRMED and obs.review is ReviewState.ACCEPTED
    assert obs.clock_from is None  # no silent 12 to 12 ...
    assert any("clock position is missing" in f.message for f in w.session.findings()
               if f.observation is obs)  # ... it is flagged until the coder sets it
    assert w.video_view.hasFocus()


def test_typed_clock_positions_and_bad_ones(qtbot, coder):
    w = coder
    obs = w.add_manual_observation("CM")
    w.editor.clock_text.setFocus()
    w.editor.clock_text.clear()
    qtbot.keyClicks(w.editor.clock_text, "3 9")
    key(qtbot, w, Qt.Key.Key_Return)
    assert (obs.clock_from, obs.clock_to) == (3, 9)
    cl = w.add_manual_observation("CL")
    w.editor.clock_text.setFocus()
    qtbot.keyClicks(w.editor.clock_text, "3")
    key(qtbot, w, Qt.Key.Key_Return)
    assert (cl.clock_from, cl.clock_to) == (3, None)
    w.editor.clock_text.setFocus()
    w.editor.clock_text.clear()
    qtbot.keyClicks(w.editor.clock_text, "13")
    w.editor.clock_text.editingFinished.emit()
    assert cl.clock_from == 3 and "13 is not a clock position" in w.statusBar().currentMessage()
    w.editor.clock_text.clear()
    qtbot.keyClicks(w.editor.clock_text, "3-9")
    w.editor.clock_text.editingFinished.emit()
    assert cl.clock_to is None and "CL takes one clock position" in \
        w.statusBar().currentMessage()


def test_home_end_and_rapid_shift_right(qtbot, coder):
    w = coder
    fps = w.player.info.fps
    w.focus_video()
    for _ in range(2):  # faster than frames are decoded: none may be dropped
        key(qtbot, w, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert w.player.position() == int(round(10 * fps))
    qtbot.waitUntil(lambda: w.player.index == int(round(10 * fps)), timeout=5000)
    key(qtbot, w, Qt.Key.Key_End)
    qtbot.waitUntil(lambda: w.player.index >= w.player.info.frame_count - 2, timeout=5000)
    key(qtbot, w, Qt.Key.Key_Home)
    qtbot.waitUntil(lambda: w.player.index == 0, timeout=5000)
    for _ in range(4):
        key(qtbot, w, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: w.player.index == 4, timeout=5000)


def test_changing_an_ai_code_after_confirming_makes_it_ai_edited(qtbot, coder):
    w = coder
    w.review.on_live(suggestion(w))
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_Return)
    [obs] = observations(w)
    assert obs.source_text() == "AI-confirmed 88%"
    w.editor.code.setFocus()
    w.editor.code.lineEdit().selectAll()
    qtbot.keyClicks(w.editor.code.lineEdit(), "FL")
    key(qtbot, w, Qt.Key.Key_Return)
    assert obs.code == "FL" and obs.origin is Origin.AI_EDITED
    source = w.model.index(w.model.row_of(obs), w.model.columnCount() - 1)
    # The table says so, as the PDF does, with the model's own code beside its confidence.
    assert w.model.data(source) == "AI-edited (AI: CL 88%)"
    w.coding.undo()
    assert obs.code == "CL" and obs.origin is Origin.AI_CONFIRMED


def test_f_then_enter_records_the_fracture_twin_with_the_models_own_code(qtbot, coder):
    w = coder
    w.review.on_live(suggestion(w))
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_F)
    assert w.suggestion_code == "FL"
    key(qtbot, w, Qt.Key.Key_Return)
    [obs] = observations(w)
    assert (obs.code, obs.origin, obs.ai_code) == ("FL", Origin.AI_EDITED, "CL")
    # 88 % was the model's confidence in CL, not in FL: the row says which it was.
    source = w.model.index(w.model.row_of(obs), w.model.columnCount() - 1)
    assert w.model.data(source) == "AI-edited (AI: CL 88%)"


def test_continuous_defect_started_and_finished_by_key(qtbot, coder):
    w = coder
    start = w.add_manual_observation("FL")  # as a quick code: it takes its clock next
    assert w.editor.clock_text.hasFocus()  # an edit resets the table model: the row stays
    qtbot.keyClicks(w.editor.clock_text, "3")
    key(qtbot, w, Qt.Key.Key_Return)
    key(qtbot, w, Qt.Key.Key_S)
    assert start.continuous == "S01"
    w.player.seek_time(9.0)
    qtbot.waitUntil(lambda: abs(w.player.time_s() - 9.0) < 0.2, timeout=5000)
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_E)
    finish = observations(w)[-1]
    assert (finish.code, finish.continuous, finish.clock_from) == ("FL", "F01", 3)
    assert finish.distance == w.session.distance_at(w.player.time_s()) > start.distance
    assert not [f for f in w.session.findings() if "F01" in f.message or "S01" in f.message]
    w.select_observation(start, seek=False)
    w.editor.continuous.setFocus()
    w.editor.continuous.lineEdit().selectAll()
    qtbot.keyClicks(w.editor.continuous.lineEdit(), "s12")  # beyond S05
    key(qtbot, w, Qt.Key.Key_Return)
    assert start.continuous == "S12"


def test_readme_key_table_lists_every_shortcut():
    import re
    from pathlib import Path

    from sewer_gui.ui.actions import COMMANDS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| key | what it does |"):]
    keys_column = " ".join(line.split("|")[1] for line in table.splitlines()
                           if line.startswith("|"))
    for command in COMMANDS:
        if not command.shortcut:
            continue
        spelled = command.shortcut.replace("Return", "Enter")
        spelled = re.sub(r"^Ctrl\+[1-5]$", "Ctrl+1..5", spelled)
        assert re.search(rf"(^|[\s,/]){re.escape(spelled)}($|[\s,/.])", keys_column), spelled


def test_enter_with_the_observation_table_focused_still_confirms(qtbot, coder):
    """Only lists that open their rows on Enter (the inspections) take it from "confirm"."""
    w = coder
    first = w.add_manual_observation("CC")
    w.table_view.setFocus()
    w.table_view.selectRow(w.model.row_of(first))
    w.review.on_live(suggestion(w, time_s=6.0))
    key(qtbot, w, Qt.Key.Key_Return)
    assert len(observations(w)) == 2 and observations(w)[-1].code == "CL"


def test_m_then_esc_adds_nothing_and_gives_the_keys_back(qtbot, coder):
    """Found by a keys-only trial: after M, Esc left an MGO row and the keys in the field."""
    w = coder
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_M)
    assert len(observations(w)) == 1  # the row M starts, code still to be typed
    qtbot.keyClicks(QApplication.focusWidget(), "hin")
    key(qtbot, w, Qt.Key.Key_Escape)  # the list of matches closes first
    if not w.video_view.hasFocus():
        key(qtbot, w, Qt.Key.Key_Escape)
    assert observations(w) == [] and w.video_view.hasFocus()
    kept = w.add_manual_observation("CL")  # an existing row: Esc in its code keeps it
    key(qtbot, w, Qt.Key.Key_C)
    qtbot.keyClicks(QApplication.focusWidget(), "CC")
    key(qtbot, w, Qt.Key.Key_Escape)
    if not w.video_view.hasFocus():
        key(qtbot, w, Qt.Key.Key_Escape)
    assert observations(w) == [kept] and kept.code == "CL" and w.video_view.hasFocus()


def _listed(qtbot, w, typed: str) -> list[str]:
    w.editor.code.lineEdit().clear()
    w.editor.code.setFocus()
    qtbot.keyClicks(w.editor.code.lineEdit(), typed)
    popup = w.editor.code.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    model = popup.model()
    return [str(model.index(r, 0).data()).split(" - ")[0] for r in range(model.rowCount())]


def test_typing_a_code_lists_that_code_first_and_no_description_that_merely_contains_it(
        qtbot, coder):
    """Found by a keys-only trial: "CL" listed "obstacle" (obsta-cl-e) among the cracks."""
    w = coder
    w.add_manual_observation("CC")
    listed = _listed(qtbot, w, "CL")
    assert listed[0] == "CL"
    words = {s.code: s.description.lower().replace(",", " ").split() for s in w.table}
    assert all(c.startswith("CL") or any(x.startswith("cl") for x in words[c]) for c in listed)
    obstacles = {s.code for s in w.table if "obstacle" in s.description.lower()}
    assert obstacles and not obstacles & set(listed)
    hinge = _listed(qtbot, w, "hinge")  # a word of the description still finds its codes
    assert hinge and {s.code for s in w.table if "hinge" in s.description.lower()} == set(hinge)
    qtbot.keyClick(w.editor.code.completer().popup(), Qt.Key.Key_Escape)


def test_codes_that_start_with_the_typed_text_come_in_code_order(qtbot, coder):
    """Found by a keys-only trial: "TF" listed TFD, TFI, TFA ... (the table's family order)."""
    w = coder
    w.add_manual_observation("CC")
    listed = _listed(qtbot, w, "TF")
    prefixed = [c for c in listed if c.startswith("TF")]
    assert len(prefixed) >= 4 and listed[:len(prefixed)] == sorted(prefixed)
    qtbot.keyClick(w.editor.code.completer().popup(), Qt.Key.Key_Escape)


def test_the_cell_of_the_field_at_fault_is_marked_beside_the_code(qtbot, coder):
    from sewer_gui.ui.observation_table import COLUMNS

    w = coder
    obs = w.add_manual_observation("MWL")
    model = w.model
    row = model.row_of(obs)
    column = {c.field: i for i, c in enumerate(COLUMNS)}

    def tint(field):
        return model.data(model.index(row, column[field]), Qt.ItemDataRole.BackgroundRole)

    qtbot.waitUntil(lambda: tint("code") is not None, timeout=3000)
    assert tint("percent") is not None and tint("percent").color() == tint("code").color()
    assert tint("remarks") is None and tint("distance") is None
    model.edit(obs, percent=10.0)
    qtbot.waitUntil(lambda: tint("percent") is None, timeout=3000)  # its finding is gone


def test_up_in_the_code_field_opens_the_list_and_recodes_nothing(qtbot, coder):
    """A review: with the list closed, Up stepped the combo box to the neighbouring code and
    committed it (C then Up recoded the row without a word)."""
    w = coder
    obs = w.add_manual_observation("CL")
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_C)
    key(qtbot, w, Qt.Key.Key_Up)
    assert obs.code == "CL" and w.model.undo_stack.undoText() == "Add CL"
    popup = w.editor.code.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    qtbot.keyClick(popup, Qt.Key.Key_Escape)


def test_the_code_row_stays_in_view_in_a_short_dock(qtbot, coder):
    """Found by a keys-only trial: in a short Observation dock the clock field taking the keys
    scrolled the Code row out of view; the coder no longer saw which code the clock was for."""
    from PySide6.QtWidgets import QDockWidget

    w = coder
    dock = next(d for d in w.findChildren(QDockWidget) if d.windowTitle() == "Observation")
    w.resize(1000, 560)
    w.resizeDocks([dock], [200], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: dock.height() <= 260, timeout=2000)
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_M)
    qtbot.keyClicks(QApplication.focusWidget(), "cc")
    key(qtbot, w, Qt.Key.Key_Tab)
    assert w.editor.clock_text.hasFocus()
    qtbot.wait(50)
    for widget in (w.editor.code, w.editor.clock_text):  # both wholly in view
        shown = widget.visibleRegion().boundingRect()
        assert shown.size() == widget.size(), widget
    key(qtbot, w, Qt.Key.Key_Escape)


def test_several_words_find_a_code_in_any_order(qtbot, coder):
    """A trial: "tap factory", "longitudinal crack" and "offset joint" found nothing, only the
    table's own wording did."""
    w = coder
    w.add_manual_observation("CC")
    assert _listed(qtbot, w, "longitudinal crack") == ["CL"]
    factory = {s.code for s in w.table if {"tap", "factory"} <= set(
        s.description.lower().replace(",", " ").split())}
    assert len(factory) >= 3 and set(_listed(qtbot, w, "tap factory")) == factory
    offset = _listed(qtbot, w, "offset joint")
    assert offset and all(w.table.get(c).description.lower().startswith("joint") for c in offset)
    qtbot.keyClick(w.editor.code.completer().popup(), Qt.Key.Key_Escape)
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_M)
    qtbot.keyClicks(QApplication.focusWidget(), "longitudinal crack")
    key(qtbot, w, Qt.Key.Key_Return)
    assert observations(w)[-1].code == "CL"


def test_live_suggestions_turned_on_while_paused_judge_the_frame_on_screen(qtbot, coder):
    """A trial: L off and on while paused left "No suggestion on screen" until a step."""
    from tests.keys import FakeWorker

    w = coder
    w.stop_inference()  # the real worker's thread stopped first: left running, it aborts exit
    w.inference = FakeWorker()
    submitted = w.inference.sent
    assert not w.player.is_playing
    w.focus_video()
    key(qtbot, w, Qt.Key.Key_L)
    assert submitted == [(w.player.index, True)]
    key(qtbot, w, Qt.Key.Key_L)  # off: nothing to judge
    assert len(submitted) == 1
