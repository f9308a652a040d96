"""Coding observations by keyboard: add at this frame (M, quick codes), edit in the editor,
continuous defects (S starts the next free S##, E finishes a running one at this distance),
delete, undo and redo. After every commit the keys go back to the video.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDockWidget

from sewer_gui.pacp.continuous import finish_row, next_start_label, open_starts
from sewer_gui.pacp.display import distance_text
from sewer_gui.pacp.model import Observation
from sewer_gui.session import encode_snapshot


class CodingController(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.w = window
        editor = window.editor
        editor.edited.connect(self.edit)
        editor.committed.connect(window.focus_video)
        editor.problem.connect(self._problem)
        editor.solved.connect(self._solved)
        self._said = ""  # the last problem the status bar shows
        self._clock_prompt = ""  # "type its clock" while it stands
        # Enter answers it; a focus change does not (the window losing the keys would).
        editor.clock_text.returnPressed.connect(self._clock_left)
        editor.code.cancelled.connect(self.cancel_typing)
        editor.code.codeChosen.connect(lambda _code: self._typed())
        editor.code.committed.connect(lambda _done: self._typed())
        editor.code.left.connect(self._typed)  # left as it was (a click, Ctrl+T, Ctrl+S)
        self._fresh: Observation | None = None  # added by M, its code not typed yet

    def shown(self, findings: list) -> list:
        """Findings without the row M just added: its placeholder code is being typed over
        (a trial saw "MGO: remarks are required" while typing CC)."""
        fresh = self._fresh
        return [f for f in findings if fresh is None or f.observation is not fresh]

    def _typed(self) -> None:
        if self._fresh is not None:
            self._fresh = None
            self.w.on_observations_changed(mark_dirty=False)  # its findings count now

    def _problem(self, text: str) -> None:
        self._said = text
        self.w.statusBar().showMessage(text, 6000)

    def _solved(self) -> None:
        """A corrected field: "0 is not a clock position" must not stay on screen."""
        if self._said and self.w.statusBar().currentMessage() == self._said:
            self.w.statusBar().clearMessage()
        self._said = ""

    def edit(self, obs: Observation, changes: dict) -> None:
        self.w.model.edit(obs, **self.w.session.edit_with_origin(obs, changes))

    def add_manual(self, code: str = "") -> Observation:
        """An observation at this frame; without a code the picker takes the keys (type, Enter)."""
        w = self.w
        if w.player.info is None and not code:
            w.statusBar().showMessage("Open a video first, or add rows with a quick code.")
        w.player.pause()
        obs = w.session.manual(code or "MGO", w.player.position_s(), w.player.frame)
        self._fresh = None if code else obs  # before it is added: its findings wait
        w.model.add(obs, f"Add {obs.code}")
        w.select_observation(obs, seek=False)
        if code:
            self._quick_added(obs)
        else:
            w.editor.code.setFocus()
            w.editor.code.lineEdit().selectAll()
        return obs

    def cancel_typing(self) -> None:
        """Esc in the code field: a row that M added and no code was typed for goes again
        (undone); an existing row keeps its code."""
        w, fresh, self._fresh = self.w, self._fresh, None
        rows = w.session.inspection.observations
        if fresh is not None and rows and rows[-1] is fresh and \
                w.model.undo_stack.undoText() == f"Add {fresh.code}":
            w.model.undo_stack.undo()
            w.statusBar().showMessage("Cancelled: no observation added.", 3000)
        w.focus_video()

    def focus_code(self) -> None:
        """Type a new code for the selected observation (Enter commits, keys go back)."""
        self._focus(self.w.editor.code.lineEdit())

    def focus_clock(self) -> None:
        self._focus(self.w.editor.clock_text)

    def focus_values(self) -> None:
        """The first measure the selected row's code takes: a size, then a percent (a trial
        tabbed four times to reach a tap's diameter)."""
        editor = self.w.editor
        spin = next((s for s in (editor.value_1, editor.value_2, editor.percent)
                     if s.isEnabled()), None)
        if editor.obs is not None and spin is None:
            self.w.statusBar().showMessage(f"{editor.obs.code} takes no size or percent.", 4000)
            return
        self._focus(spin if spin is not None else editor.remarks)

    def focus_remarks(self) -> None:
        self._focus(self.w.editor.remarks)

    def focus_header(self) -> None:
        w = self.w
        w.side_tabs.setCurrentWidget(w.header_form)
        first = next(iter(w.header_form.fields.values()))
        first.setFocus()

    def _focus(self, line) -> None:
        obs = self.w.editor.obs
        if obs is None:
            self.w.statusBar().showMessage("Select an observation first.", 3000)
            return
        if self.w.review.suggestion is not None:  # the card is about another thing
            self.w.statusBar().showMessage(
                f"Editing the selected row, {obs.code} at {obs.distance:.2f}, not the "
                "suggestion on screen (Enter confirms that one first)", 6000)
        line.setFocus()
        line.selectAll()

    def selected(self) -> Observation | None:
        return self.w.model.observation_at(self.w.table_view.currentIndex().row())

    def start_continuous(self) -> None:
        """Make the selected observation the start of the next free continuous run (S##)."""
        obs = self.selected()
        spec = self.w.table.get(obs.code) if obs else None
        if obs is None or spec is None or not spec.continuous:
            self.w.statusBar().showMessage("Select an observation whose code can be continuous.",
                                           4000)
            return
        try:
            label = next_start_label(self.w.session.inspection)
        except ValueError as exc:
            self.w.report_error("Continuous defect", str(exc))
            return
        self.edit(obs, {"continuous": label})
        self.w.statusBar().showMessage(f"{obs.code} {label} started; E finishes it here later.",
                                       5000)

    def finish_continuous(self) -> None:
        """Finish the selected running S## (or the latest one) with F## at this distance."""
        w = self.w
        running = open_starts(w.session.inspection)
        if not running:
            w.statusBar().showMessage("No continuous defect is running (S starts one).", 4000)
            return
        selected = self.selected()
        start = selected if selected in running else running[-1]
        t = w.player.position_s()
        frame = w.player.frame
        try:
            finish = finish_row(start, w.session.distance_at(t), round(t, 2),
                                encode_snapshot(frame) if frame is not None else None)
        except ValueError as exc:
            w.report_error("Continuous defect", str(exc))
            return
        w.model.add(finish, f"Finish {finish.code} {finish.continuous}")
        w.select_observation(finish, seek=False)
        w.focus_video()

    def _quick_added(self, obs: Observation) -> None:
        """A quick code says what it added; one that needs clock positions takes them next
        (a trial's digit after Ctrl+2 went nowhere)."""
        w, spec = self.w, self.w.table.get(obs.code)
        where = f"{obs.code} added at {distance_text(obs.distance)}"
        if spec is not None and spec.clock_positions > 0:
            self.ask_clock(where)
            return
        w.statusBar().showMessage(f"{where} (Ctrl+Z undoes it)", 4000)
        w.focus_video()

    def ask_clock(self, what: str) -> None:
        """The keys to the selected row's clock, with a prompt that goes once it is left (a
        trial saw "type its clock" still there after the clock and two more rows)."""
        w = self.w
        self._clock_prompt = f"{what}: type its clock (3, 3 9 or 10-2), Enter; Esc leaves it " \
                             "for later"
        w.statusBar().showMessage(self._clock_prompt, 8000)
        w.editor.clock_text.setFocus()
        w.editor.clock_text.selectAll()

    def _clock_left(self) -> None:
        """Enter in the clock field: its prompt has been answered."""
        prompt, self._clock_prompt = self._clock_prompt, ""
        if not prompt:
            return
        with contextlib.suppress(RuntimeError):  # the window is closing: nothing to clear
            bar = self.w.statusBar()
            if bar.currentMessage() == prompt:
                bar.clearMessage()

    def delete_selected(self) -> None:
        obs = self.selected()
        if obs is None:
            self.w.statusBar().showMessage("Select an observation first (Up / Down).", 3000)
            return
        self.w.model.remove(obs)
        self.w.statusBar().showMessage(f"Deleted {obs.code} at {distance_text(obs.distance)} "
                                       "(Ctrl+Z brings it back)", 5000)

    def select_step(self, step: int) -> None:
        """Up / Down: the previous or next coded row, shown at its frame, so that C, K and Del
        act on a row the coder chose (a trial could only reach the last row it had added).
        Rejected and dismissed rows are passed over (a trial set a clock on one); the table
        (Ctrl+T) still reaches them."""
        w = self.w
        rows = [r for r in range(w.model.rowCount()) if w.model.observation_at(r).counts]
        if not rows:
            w.statusBar().showMessage("No coded observations yet: M adds one at this frame.",
                                      4000)
            return
        current = w.table_view.currentIndex().row()
        if current < 0:  # nothing selected: Up starts from the end, Down from the start
            row = rows[-1] if step < 0 else rows[0]
        elif step < 0:
            row = max((r for r in rows if r < current), default=rows[0])
        else:
            row = min((r for r in rows if r > current), default=rows[-1])
        obs = w.model.observation_at(row)
        w.select_observation(obs)
        w.statusBar().showMessage(f"{obs.code} at {distance_text(obs.distance)}, coded row "
                                  f"{rows.index(row) + 1} of {len(rows)} (C code, K clock, "
                                  "Del deletes)", 6000)

    def select_previous(self) -> None:
        self.select_step(-1)

    def select_next(self) -> None:
        self.select_step(1)

    def focus_table(self) -> None:
        w = self.w
        for dock in w.findChildren(QDockWidget):  # a closed dock is opened, not typed into
            if dock.isAncestorOf(w.table_view) and not dock.isVisible():
                dock.show()
                dock.raise_()
        w.table_view.setFocus()
        if not w.table_view.currentIndex().isValid() and w.model.rowCount():
            w.table_view.selectRow(w.model.rowCount() - 1)

    def undo(self) -> None:
        self._say_done(self.w.model.undo_stack.undoText(), self.w.model.undo_stack.undo,
                       "undo", "Ctrl+Shift+Z redoes it")

    def redo(self) -> None:
        self._say_done(self.w.model.undo_stack.redoText(), self.w.model.undo_stack.redo,
                       "redo", "Ctrl+Z undoes it")

    def _say_done(self, text: str, act: Callable[[], None], verb: str, hint: str) -> None:
        """Undo and redo say what they did (a trial saw rows change and no word why); a more
        particular message said meanwhile (the suggestion back on the card) is kept."""
        bar = self.w.statusBar()
        if not text:
            segments = self.w.inspections.undo_stack
            other = segments.undoText() if verb == "undo" else segments.redoText()
            bar.showMessage(f"Nothing to {verb} in this segment's rows; Job > {verb.title()} "
                            f"the last segment change: {other}." if other else
                            f"Nothing to {verb}.", 5000)
            return
        before = bar.currentMessage()
        act()
        stack = self.w.model.undo_stack
        # The row it changed is selected and shown: K or C next must not edit another one.
        done = stack.command(stack.index() if verb == "undo" else stack.index() - 1)
        obs = getattr(done, "obs", None)
        if obs is not None and any(o is obs for o in self.w.session.inspection.observations):
            self.w.select_observation(obs)
        after = bar.currentMessage()
        if not after or after == before:
            bar.showMessage(f"{verb.capitalize()}ne: {text} ({hint})", 5000)
