"""Why a suggestion is rejected, asked with one key: the answer decides the training label."""

from __future__ import annotations

import enum

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from sewer_gui.pacp.codes import CodeTable
from sewer_gui.ui.widgets.code_picker import CodePicker


class RejectReason(enum.StrEnum):
    NOT_A_DEFECT = "not a defect"  # kept as a no-crack example
    WRONG_CODE = "wrong code"  # the coder's code is recorded (AI-edited)
    DUPLICATE = "duplicate"  # already coded: no training signal


KEYS = {Qt.Key.Key_N: RejectReason.NOT_A_DEFECT, Qt.Key.Key_1: RejectReason.NOT_A_DEFECT,
        Qt.Key.Key_Backspace: RejectReason.NOT_A_DEFECT, Qt.Key.Key_W: RejectReason.WRONG_CODE,
        Qt.Key.Key_2: RejectReason.WRONG_CODE, Qt.Key.Key_D: RejectReason.DUPLICATE,
        Qt.Key.Key_3: RejectReason.DUPLICATE}


class RejectDialog(QDialog):
    decided = Signal(object, str)  # RejectReason, the coder's code (wrong code only)

    def __init__(self, table: CodeTable, suggested: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Reject {suggested}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.prompt = QLabel(
            f"Why is {suggested} wrong?\n\n"
            "N (or Backspace)  not a defect: kept as a no-crack example\n"
            "W  wrong code: type the right one, Enter: that code is recorded\n"
            "D  duplicate or already coded: no training signal\n"
            "Esc  cancel")
        self.picker = CodePicker(table)
        self.picker.setVisible(False)
        self.picker.committed.connect(self._wrong_code_typed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.picker)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt name
        reason = KEYS.get(Qt.Key(event.key()))
        if reason is RejectReason.WRONG_CODE:
            self.picker.setVisible(True)
            self.picker.setEditText("")
            self.picker.setFocus()
        elif reason is not None:
            self._decide(reason, "")
        else:
            super().keyPressEvent(event)

    def _wrong_code_typed(self, _done: bool) -> None:
        self._decide(RejectReason.WRONG_CODE, self.picker.code())

    def _decide(self, reason: RejectReason, code: str) -> None:
        self.decided.emit(reason, code)
        self.accept()
