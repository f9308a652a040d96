"""Side panels: the suggestion card, the observation editor, header, ratings and validation."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sewer_gui.pacp.codes import CodeTable
from sewer_gui.pacp.ratings import InspectionRatings
from sewer_gui.pacp.validation import Finding, Severity
from sewer_gui.session import Suggestion
from sewer_gui.ui.keyboard import OPENS_ON_ENTER
from sewer_gui.ui.widgets.elided_label import ElidedLabel


class SuggestionPanel(QWidget):
    """The model's proposal for the frame on screen, with confirm / fracture / reject / dismiss."""

    confirmRequested = Signal()  # noqa: N815
    fractureRequested = Signal()  # noqa: N815
    rejectRequested = Signal()  # noqa: N815
    dismissRequested = Signal()  # noqa: N815

    def __init__(self, table: CodeTable, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = table
        self.code_label = QLabel("-")
        self.detail = QLabel("No suggestion. Play the video with live suggestions on (L).")
        self.detail.setWordWrap(True)
        # A raised code the model is unsure of (the subtype) says so under the code: the coder
        # must check it rather than confirm a coin toss.
        self.doubt = QLabel("")
        self.doubt.setWordWrap(True)
        self.doubt.setStyleSheet("color: #b71c1c; font-weight: bold;")
        # A model id is one 60-character word: wrapped it clipped, so it is shortened in the
        # middle to the card's width (the whole id in the tooltip).
        self.model_line = ElidedLabel()
        self.model_line.setStyleSheet("color: #546e7a;")
        self.alternatives = QLabel("")
        self.alternatives.setStyleSheet("color: #546e7a;")
        self.context = QLabel("")
        self.context.setStyleSheet("color: #37474f; font-weight: bold;")
        # "Candidate 1 of 3 (reviewed: FL AI-edited (AI: CL 91%))" wraps: one line widened the
        # dock and moved the video.
        self.context.setWordWrap(True)
        self.confirm = QPushButton("Confirm (Enter)")
        self.fracture = QPushButton("Fracture twin (F)")
        self.reject = QPushButton("Reject (Backspace)")
        self.dismiss = QPushButton("Dismiss (X)")
        self.dismiss.setToolTip("A duplicate or an already-coded defect: not kept as training data")
        self.confirm.clicked.connect(self.confirmRequested)
        self.fracture.clicked.connect(self.fractureRequested)
        self.reject.clicked.connect(self.rejectRequested)
        self.dismiss.clicked.connect(self.dismissRequested)
        buttons = QGridLayout()
        for i, b in enumerate((self.confirm, self.fracture, self.reject, self.dismiss)):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the video
            buttons.addWidget(b, i // 2, i % 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.context)
        layout.addWidget(self.code_label)
        layout.addWidget(self.detail)
        layout.addWidget(self.model_line)
        layout.addWidget(self.doubt)
        layout.addWidget(self.alternatives)
        layout.addLayout(buttons)
        self.show_suggestion(None)

    def show_verdict(self, decision: object) -> None:
        """While no suggestion is up, say why: no crack, not sure, or cannot judge."""
        if getattr(self, "_showing", False) or decision is None:
            return
        self.detail.setText(verdict_text(str(decision.outcome), decision.reason))

    def show_suggestion(self, suggestion: Suggestion | None, code: str = "",
                        context: str = "", decidable: bool = True) -> None:
        """`decidable` False: a candidate a row already decides (its buttons stay off)."""
        self.context.setText(context)
        for b in (self.confirm, self.fracture, self.reject, self.dismiss):
            b.setEnabled(suggestion is not None and decidable)
        self._showing = suggestion is not None
        doubt = suggestion.doubt if suggestion is not None else ""
        self.doubt.setText(f"Model unsure: {doubt}. Check the code before confirming."
                           if doubt else "")
        self.doubt.setVisible(bool(doubt))
        # Orange only for a raised code: an orange dash read as a warning (a trial).
        self.code_label.setStyleSheet("font-size: 22pt; font-weight: bold; color: "
                                      + ("#e65100;" if suggestion is not None else "#b0bec5;"))
        if suggestion is None:
            self.code_label.setText("-")
            # Also right after a decision, on the very frame just coded: not "no crack here".
            self.detail.setText("No suggestion on screen.")
            self.alternatives.setText("")
            self.model_line.set_full_text("")
            return
        code = code or suggestion.code
        spec = self.table.get(code)
        grade = spec.grade_rule.grade(None, None) if spec else None
        self.code_label.setText(code)
        # The confidence is the model's in its own code: after F it is not the twin's.
        own = "" if code == suggestion.code else f" for {suggestion.code}"
        self.detail.setText(f"{spec.description if spec else code} - structural grade "
                            f"{grade if grade else '-'} - model confidence "
                            f"{suggestion.confidence:.0%}{own}")
        self.model_line.set_full_text(f"model {suggestion.model_id}")
        alts = ", ".join(f"{c} {p:.0%}" for c, p in suggestion.alternatives)
        self.alternatives.setText(f"Alternatives: {alts}")


VERDICT_TEXT = {  # why the card is silent: what the decision layer said about this frame
    "no_crack": "{reason} at this frame.",
    "not_sure": "Not sure: {reason}. No code is raised.",
    "out_of_scope": "Cannot judge this frame: {reason}.",
    "crack": "Crack seen ({reason}); waiting for the next frame to agree.",
}


def verdict_text(outcome: str, reason: str) -> str:
    text = VERDICT_TEXT.get(outcome, "{reason}").format(reason=reason)
    return text[:1].upper() + text[1:]


class RatingsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        for col, title in enumerate(("", "Rating", "Index", "Quick")):
            label = QLabel(f"<b>{title}</b>")
            grid.addWidget(label, 0, col)
        self.cells: dict[tuple[str, str], QLabel] = {}
        for row, family in enumerate(("Structural", "O&M", "Overall"), start=1):
            grid.addWidget(QLabel(family), row, 0)
            for col, what in enumerate(("rating", "index", "quick"), start=1):
                cell = QLabel("-")
                cell.setAlignment(Qt.AlignmentFlag.AlignCenter)
                self.cells[(family, what)] = cell
                grid.addWidget(cell, row, col)
        note = QLabel("Only reviewed observations count.")
        note.setStyleSheet("color: #607d8b;")
        grid.addWidget(note, 4, 0, 1, 4)
        grid.setRowStretch(5, 1)  # keep the figures together at the top

    def set_ratings(self, ratings: InspectionRatings) -> None:
        for family, rating in (("Structural", ratings.structural), ("O&M", ratings.om),
                               ("Overall", ratings.overall)):
            self.cells[(family, "rating")].setText(str(rating.pipe_rating))
            self.cells[(family, "index")].setText(f"{rating.index:.2f}")
            self.cells[(family, "quick")].setText(rating.quick)


class ValidationPanel(QListWidget):
    """Errors and warnings; activating one jumps to its observation."""

    findingRequested = Signal(object)  # noqa: N815 - Enter or a click on a Finding
    leaveRequested = Signal()  # noqa: N815 - Esc: back to the video

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._findings: list[Finding] = []
        # Long findings wrap in the narrow dock instead of ending "...coded at the er".
        self.setWordWrap(True)
        self.setUniformItemSizes(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setProperty(OPENS_ON_ENTER, True)
        self.itemActivated.connect(self._jump)
        self.itemClicked.connect(self._jump)

    def set_findings(self, findings: list[Finding]) -> None:
        self._findings = findings
        self.clear()
        if not findings:
            self.addItem("No errors or warnings.")
            return
        for f in findings:
            item = QListWidgetItem(f.describe())
            item.setToolTip(f.describe())
            item.setForeground(QColor("#c62828") if f.severity is Severity.ERROR
                               else QColor("#8d6e00"))
            self.addItem(item)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt name
        if event.key() == Qt.Key.Key_Escape:
            self.leaveRequested.emit()
            return
        super().keyPressEvent(event)

    def _jump(self, item: QListWidgetItem) -> None:
        row = self.row(item)
        if 0 <= row < len(self._findings):
            self.findingRequested.emit(self._findings[row])
