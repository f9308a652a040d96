"""A searchable code box over the whole code table: type 'CL', 'hinge' or 'roots'."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from sewer_gui.pacp.codes import CodeTable


class CodePicker(QComboBox):
    codeChosen = Signal(str)  # noqa: N815

    def __init__(self, table: CodeTable, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for spec in table:
            self.addItem(f"{spec.code} - {spec.description}", spec.code)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self.setAccessibleName("PACP code")
        self.activated.connect(self._emit_current)
        self.lineEdit().returnPressed.connect(self._emit_typed)

    def set_code(self, code: str) -> None:
        index = self.findData(code)
        self.blockSignals(True)
        if index >= 0:
            self.setCurrentIndex(index)
        else:
            self.setEditText(code)
        self.blockSignals(False)

    def code(self) -> str:
        return str(self.currentData() or self.currentText().split(" ")[0].upper())

    def _emit_current(self, index: int) -> None:
        self.codeChosen.emit(str(self.itemData(index)))

    def _emit_typed(self) -> None:
        text = self.currentText().strip()
        index = self.findText(text, Qt.MatchFlag.MatchStartsWith)
        if index < 0:
            index = self.findData(text.split(" ")[0].upper())
        if index >= 0:
            self.setCurrentIndex(index)
            self.codeChosen.emit(str(self.itemData(index)))
