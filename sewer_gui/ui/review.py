"""Reviewing the model's proposals: live suggestions and scan candidates, and the coder's decision
on each (confirm, fracture twin, reject as not a defect or as the wrong code, dismiss).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication

from ml.classes import FRACTURE_TWIN
from ml.runtime.scan import DefectEvent
from sewer_gui.job import DECIDED_WINDOW_S, decided_by
from sewer_gui.pacp.model import Observation, Origin, ReviewState
from sewer_gui.session import Suggestion
from sewer_gui.ui.reject_dialog import RejectDialog, RejectReason
from sewer_gui.ui.widgets.timeline import Marker

HOLD_S = 1.5  # a live suggestion stays at least this long: no flicker between codes
SAME_CRACK_S = 2.5  # nor the same code (or its twin) this close: one crack seen for seconds
CANDIDATE_COLOUR, REVIEWED_COLOUR = "#ff9800", "#90a4ae"
CRACK_CODES = frozenset(FRACTURE_TWIN) | frozenset(FRACTURE_TWIN.values())
PAST = {"Confirm": "confirmed", "Recode": "recoded"}


class SuggestionHold:
    """What the banner shows: a change waits until the shown suggestion has had HOLD_S."""

    def __init__(self, hold_s: float = HOLD_S, clock: Callable[[], float] = time.monotonic):
        self.hold_s, self.clock = hold_s, clock
        self.shown: Suggestion | None = None
        self.since = -1e9
        self.pending: tuple[Suggestion | None] | None = None  # a wrapped value, or nothing

    def offer(self, suggestion: Suggestion | None) -> bool:
        """True when the shown suggestion changed now; otherwise it waits (see `wait_s`)."""
        same_code = (suggestion and suggestion.code) == (self.shown and self.shown.code)
        if same_code or self.clock() - self.since >= self.hold_s:
            self.pending = None
            return self._show(suggestion, switch=not same_code)
        self.pending = (suggestion,)
        return False

    def force(self, suggestion: Suggestion | None) -> None:
        self.pending = None
        self._show(suggestion, switch=True)

    def wait_s(self) -> float:
        return max(self.hold_s - (self.clock() - self.since), 0.0)

    def release(self) -> bool:
        if self.pending is None or self.wait_s() > 0:
            return False
        (suggestion,), self.pending = self.pending, None
        return self._show(suggestion, switch=True)

    def _show(self, suggestion: Suggestion | None, switch: bool) -> bool:
        self.shown = suggestion
        if suggestion is None:
            self.since = -1e9  # nothing on screen: the next suggestion may appear at once
        elif switch:
            self.since = self.clock()
        return True


class ReviewController(QObject):
    """Owned by the main window; uses its session, observation model, player and widgets."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.w = window
        self.hold = SuggestionHold()
        self.code = ""
        self.context = ""
        self.dialog: RejectDialog | None = None
        # A candidate stepped to that a row already decides: (that suggestion, the row).
        self._decided: tuple[Suggestion, Observation] | None = None
        self._last: Observation | None = None  # the row of the last decision
        # What the last decision decided, with its snapshot: undone after long play, the
        # suggestion's frame may have left the cache and must not become today's frame.
        self._last_shown: tuple[Suggestion | None, str, object] = (None, "", None)
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._release)
        window.player.frameShown.connect(self._frame_shown)

    @property
    def suggestion(self) -> Suggestion | None:
        return self.hold.shown

    def reset(self) -> None:
        self._last = None
        self.show(None)

    # ----- what is shown ---------------------------------------------------------------------
    def on_live(self, suggestion: Suggestion | None) -> None:
        """From the inference worker: held, and never offered again where a coder decided."""
        if suggestion is not None and self._decided_near(suggestion.time_s, suggestion.code):
            return
        if self.hold.offer(suggestion):
            self._shown_changed("")
        elif not self._timer.isActive():
            self._timer.start(int(self.hold.wait_s() * 1000) + 1)

    def on_verdict(self, decision: object) -> None:
        """Why the card is silent; a crack where a row already decides says so (a trial read
        "waiting for the next frame to agree" on the frame it had just decided)."""
        if decision is not None and str(decision.outcome) == "crack" and \
                self.hold.shown is None and self._decided_near(self.w.player.time_s()):
            self.w.suggestion_panel.detail.setText(
                "Crack seen where a row already decides it: no new suggestion here.")
            return
        self.w.suggestion_panel.show_verdict(decision)

    def _frame_shown(self, index: int, _frame: object) -> None:
        """A "Decided: ..." card is about its row: with the playhead elsewhere it goes (a trial
        read "Decided: CC" while it stood on another row's CL)."""
        last, info = self._last, self.w.player.info
        if last is None or last.video_time is None or info is None or \
                self.hold.shown is not None or not self.context.startswith("Decided:"):
            return
        if abs(index / info.fps - last.video_time) > DECIDED_WINDOW_S + HOLD_S:
            self.show(None)

    def _release(self) -> None:
        if self.hold.release():
            self._shown_changed("")

    def show(self, suggestion: Suggestion | None, context: str = "") -> None:
        """Show now (a candidate the coder stepped to, or nothing after a decision)."""
        self._timer.stop()
        self.hold.force(suggestion)
        self._shown_changed(context)

    def _shown_changed(self, context: str) -> None:
        s = self.hold.shown
        self.code, self.context = (s.code if s else ""), context
        self._paint()

    def _paint(self) -> None:
        s, w = self.hold.shown, self.w
        decided = s is not None and self._decided is not None and self._decided[0] is s
        w.suggestion_panel.show_suggestion(s, self.code, self.context, decidable=not decided)
        if s is None:
            w.video_view.set_banner("")
            return
        spec = w.table.get(self.code)
        keys = "(reviewed)" if decided else "(Enter / F / Backspace / X)"  # the card says more
        own = "" if self.code == s.code else f" ({s.code})"
        w.video_view.set_banner(f"{self.code}  {spec.description if spec else ''}"
                                f"  {s.confidence:.0%}{own}   {keys}")

    def _decided_near(self, time_s: float, code: str = "") -> bool:
        """Decided here: a row the model proposed (every decision on a suggestion makes one;
        also after a reopen; gone when undone or deleted) or a crack coded by hand lies this
        close, or the same crack a few seconds away (the camera passes it slowly), or a scan
        candidate spanning this time has been decided."""
        twins = {code, FRACTURE_TWIN.get(code, code)}
        for o in self.w.session.inspection.observations:
            if o.video_time is None or (o.origin is Origin.MANUAL and o.code not in CRACK_CODES):
                continue
            gap = abs(time_s - o.video_time)
            if gap <= DECIDED_WINDOW_S or gap <= SAME_CRACK_S and twins & {o.code, o.ai_code}:
                return True
        return any(e.start_s - DECIDED_WINDOW_S <= time_s <= e.end_s + DECIDED_WINDOW_S
                   and self.decided_by(e) is not None for e in self.w.session.candidates)

    # ----- decisions ---------------------------------------------------------------------------
    def confirm(self, code: str = "", verb: str = "Confirm") -> None:
        obs = self._record(ReviewState.ACCEPTED, code or self.code, verb)
        if obs is not None:
            self.w.select_observation(obs, seek=False)
            if obs.clock_from is None and (spec := self.w.table.get(obs.code)) and \
                    spec.clock_positions:
                # It takes its clock next, as a quick code does (a trial: the finding came at
                # once and K had to be known); after the reject dialog has given the keys back.
                QTimer.singleShot(0, lambda: self._take_clock(obs, verb))

    def _take_clock(self, obs: Observation, verb: str) -> None:
        w = self.w
        if w.editor.obs is not obs:
            return  # the coder has moved on meanwhile
        if QGuiApplication.focusWindow() is None:  # the question has just closed (FocusReturn)
            w.activateWindow()
        w.player.pause()  # the keys leave the video: Space must not type into the clock
        w.coding.ask_clock(f"{obs.code} {PAST[verb]}")

    def fracture(self) -> None:
        if self.suggestion is not None and not self._already_decided(self.suggestion):
            self.code = self.w.session.fracture_twin(self.code)
            self._paint()

    def reject(self) -> None:
        """Ask, with one key, why: not a defect, the wrong code (typed), or a duplicate."""
        s = self.suggestion
        if s is None:
            self._nothing_to_decide()
            return
        if self._already_decided(s):
            return
        self.w.player.pause()
        self.dialog = RejectDialog(self.w.table, s.code, self.w)
        self.dialog.decided.connect(lambda reason, code, s=s: self._rejected(s, reason, code))
        self.dialog.finished.connect(lambda _r: self.w.focus_video())
        self.dialog.open()

    def _rejected(self, suggestion: Suggestion, reason: RejectReason, code: str) -> None:
        if self.suggestion is not suggestion:
            return
        if reason is RejectReason.WRONG_CODE:
            # "Wrong code: it is CS" says there is a CS here: it is coded (AI-edited, the
            # model's code kept beside it) and counts, as a confirmed, edited suggestion does.
            self.confirm(code, "Recode")
            return
        self._record(ReviewState.REJECTED if reason is RejectReason.NOT_A_DEFECT
                     else ReviewState.DISMISSED, code)

    def _nothing_to_decide(self) -> None:
        """A decision key with an empty card says why nothing happened (a trial's Enter didn't)."""
        self.w.statusBar().showMessage("No suggestion on screen to decide: N / P go to the next "
                                       "or previous AI candidate, M codes one by hand.", 5000)

    def _already_decided(self, s: Suggestion) -> bool:
        """A candidate a row already decides: a second row would contradict it (a rejected
        crack confirmed after all), so the coder is sent to that row instead."""
        if self._decided is None or self._decided[0] is not s:
            return False
        row = self._decided[1]
        self.w.statusBar().showMessage(f"Already decided: {row.code} {row.source_text()}. "
                                       "To change it, edit or delete that row.", 6000)
        return True

    def dismiss(self) -> None:
        self._record(ReviewState.DISMISSED)

    def _record(self, review: ReviewState, code: str = "",
                verb: str = "") -> Observation | None:
        s = self.suggestion
        if s is None:  # also a second Enter on the same suggestion: nothing to decide
            self._nothing_to_decide()
            return None
        w = self.w
        if self._already_decided(s):
            return None
        frame = w.recent_frames.get(s.frame_index)
        if frame is None:
            kept, _, kept_frame = self._last_shown
            frame = kept_frame if kept is s and kept_frame is not None else w.player.frame
        obs = w.session.from_suggestion(s, frame, code, review)
        verb = verb or {ReviewState.ACCEPTED: "Confirm", ReviewState.REJECTED: "Reject",
                        ReviewState.DISMISSED: "Dismiss"}[review]
        self._last, self._last_shown = obs, (s, self.context, frame)
        self.show(None, f"Decided: {obs.code} {obs.source_text()}")
        w.model.add(obs, f"{verb} {obs.code}")
        w.statusBar().showMessage(f"{verb}: {obs.source_text()}", 4000)
        w.focus_video()
        return obs

    def rows_changed(self) -> None:
        """The last decision undone (its row gone): the card stops saying "Decided"."""
        obs = self._last
        if obs is None or any(o is obs for o in self.w.session.inspection.observations):
            return
        self._last = None
        self.w.statusBar().clearMessage()  # "CM confirmed; it needs clock positions" is stale
        if self.hold.shown is None and self.context.startswith("Decided:"):
            # Nothing shown since: the undone suggestion is on screen again, to decide anew.
            suggestion, context, _ = self._last_shown
            self.show(suggestion, context)
            self.w.statusBar().showMessage(f"{obs.code} {obs.source_text()} is gone; the "
                                           "suggestion is back on the card", 5000)

    # ----- scan candidates ---------------------------------------------------------------------
    def candidates(self) -> list[DefectEvent]:
        return sorted(self.w.session.candidates, key=lambda e: e.best_s)

    def reviewed(self, event: DefectEvent) -> bool:
        """A candidate is reviewed once any observation lies in its time span."""
        return self.decided_by(event) is not None

    def decided_by(self, event: DefectEvent) -> Observation | None:
        return decided_by(event, self.w.session.inspection.observations)

    def candidate_markers(self) -> list[Marker]:
        return [Marker(e.start_s, e.end_s,
                       REVIEWED_COLOUR if self.reviewed(e) else CANDIDATE_COLOUR, e.code)
                for e in self.candidates()]

    def next_candidate(self) -> None:
        self.step(True)

    def previous_candidate(self) -> None:
        self.step(False)

    def step(self, forward: bool) -> None:
        now = self.w.player.position_s()
        events = self.candidates()
        if forward:
            event = next((e for e in events if e.best_s > now + 0.05), None)
        else:
            event = next((e for e in reversed(events) if e.best_s < now - 0.05), None)
        if event is None:
            session = self.w.session
            scanned = session.scans.last_scan(session.inspection, session.store) is not None
            self.w.statusBar().showMessage(
                "No more AI candidates in that direction." if events else
                "The scan of this video found no AI candidates (Ctrl+R scans it again)."
                if scanned else "No AI candidates for this video (Ctrl+R scans it).", 4000)
            return
        w = self.w
        w.player.pause()
        w.player.seek(event.best_frame)
        fps = w.player.info.fps if w.player.info else 1.0
        context = f"Candidate {events.index(event) + 1} of {len(events)}"
        decided = self.decided_by(event)
        if decided is not None:
            context += f" (reviewed: {decided.code} {decided.source_text()})"
        w.statusBar().showMessage(context, 4000)
        # A decided candidate shows the figure its row keeps (the live frame judged when it was
        # decided may differ from the scan's smoothed one: "93 % (reviewed)" beside "92 %").
        confidence = decided.confidence if decided is not None and \
            decided.confidence is not None else event.confidence
        suggestion = Suggestion(event.label, event.code, confidence,
                                tuple(event.alternatives), w.model_id(), event.best_frame,
                                event.best_frame / fps)
        self._decided = (suggestion, decided) if decided is not None else None
        self.show(suggestion, context)
        # The editor is about this candidate: its row when decided, else none (a trial saw the
        # CL at 17.26 m in the editor while the card showed the candidate at 25.22 m).
        if decided is not None:
            w.select_observation(decided, seek=False)
        else:
            w.table_view.clearSelection()
            w.table_view.setCurrentIndex(w.model.index(-1, -1))
            w.editor.set_observation(None)
