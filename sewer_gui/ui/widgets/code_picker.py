"""A searchable code box over the whole code table: type 'CL', 'hinge' or 'roots'.

Enter, Tab or a pick from the list (Down, Enter) commits the code; `committed` tells the window
whether the coder is done (Enter: focus goes back to the video) or moving on (Tab).
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from sewer_gui.pacp.codes import CodeTable


def match_rank(code: str, description: str, typed: str) -> int | None:
    """How well an entry matches typed text, best first; None: not listed. A trial typed
    "CL" and got "obstacle" beside the cracks: descriptions match at word starts only (or
    anywhere, from four letters on, for "oots"); several typed words match in any order."""
    typed = typed.strip().casefold()
    if not typed:
        return 3
    code = code.casefold()
    if code == typed:
        return 0
    if code.startswith(typed):
        return 1
    words = re.split(r"[^0-9a-z]+", description.casefold())
    if any(word.startswith(typed) for word in words) or \
            description.casefold().startswith(typed):
        return 2
    # Several words in any order: "longitudinal crack", "tap factory" (a trial's wording).
    parts = [part for part in re.split(r"[^0-9a-z]+", typed) if part]
    if len(parts) > 1 and all(any(word.startswith(part) for word in words) for part in parts):
        return 2
    if len(typed) >= 4 and typed in description.casefold():
        return 3
    return None


class _Matches(QSortFilterProxyModel):
    """The completer's list: matching entries, the exact code first, then codes that start with
    the typed text in code order ("TF": TFA, TFB, TFC, TFD, TFI; the table lists them by
    family), then description matches in table order."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.typed = ""

    def set_typed(self, text: str) -> None:
        self.typed = text.split(" - ")[0]  # a picked entry's text names its code
        self.invalidate()
        self.sort(0)

    def _code(self, row: int) -> str:
        source = self.sourceModel()
        return str(source.data(source.index(row, 0), Qt.ItemDataRole.UserRole))

    def _rank(self, row: int) -> int | None:
        source = self.sourceModel()
        description = str(source.data(source.index(row, 0))).partition(" - ")[2]
        return match_rank(self._code(row), description, self.typed)

    def _order(self, row: int) -> tuple[int, str, int]:
        rank = self._rank(row)
        rank = 4 if rank is None else rank
        return rank, self._code(row) if rank <= 1 else "", row

    def filterAcceptsRow(self, row: int, _parent: QModelIndex) -> bool:  # noqa: N802 - Qt
        return self._rank(row) is not None

    def lessThan(self, left: QModelIndex, right: QModelIndex) -> bool:  # noqa: N802 - Qt
        return self._order(left.row()) < self._order(right.row())


class CodePicker(QComboBox):
    codeChosen = Signal(str)  # noqa: N815
    committed = Signal(bool)  # True: Enter (done); False: Tab or focus left
    unknownCode = Signal(str)  # noqa: N815 - typed text that names no code
    cancelled = Signal()  # Esc with the list closed: the typing is given up
    left = Signal()  # the keys went elsewhere (not into its own list)

    def __init__(self, table: CodeTable, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = table
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for spec in table:
            self.addItem(f"{spec.code} - {spec.description}", spec.code)
        self.matches = _Matches(self)
        self.matches.setSourceModel(self.model())
        completer = QCompleter(self.matches, self)
        # The proxy filters and ranks; the completer shows its rows as they are.
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompleter(completer)
        # Before the line edit asks the completer (its textEdited runs first).
        self.lineEdit().textEdited.connect(self.matches.set_typed)
        self.setAccessibleName("PACP code")
        self._code = ""
        self.activated.connect(lambda i: self._commit(str(self.itemData(i)), done=True))
        completer.activated[str].connect(lambda text: self.commit_text(text, done=True))
        self.lineEdit().returnPressed.connect(lambda: self.commit_text(self.currentText(), True))
        completer.popup().installEventFilter(self)  # Tab while the list is open (see below)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        """Tab with the list open: take the highlighted entry (or the text) and move on."""
        popup = self.completer().popup()
        if watched is popup and event.type() == QEvent.Type.KeyPress and \
                event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            index = popup.currentIndex()
            text = index.data() if index.isValid() else self.currentText()
            popup.hide()
            if self.commit_text(str(text), done=False):
                self.focusNextPrevChild(event.key() == Qt.Key.Key_Tab)
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt name
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down) and \
                not self.completer().popup().isVisible():
            # A closed combo box steps to the neighbouring code and commits it: C then Up
            # (Up selects rows everywhere else) recoded a row unseen (a review). Open the list.
            self.matches.set_typed("")
            self.completer().complete()
            return
        if event.key() == Qt.Key.Key_Escape and not self.completer().popup().isVisible():
            self.set_code(self._code)  # the typed text goes, the row's code shows again
            self.cancelled.emit()
            return
        super().keyPressEvent(event)

    def set_code(self, code: str) -> None:
        self._code = code
        index = self.findData(code)
        self.blockSignals(True)
        if index >= 0:
            self.setCurrentIndex(index)
        else:
            self.setEditText(code)
        self.blockSignals(False)

    def code(self) -> str:
        return self._code

    def resolve(self, text: str) -> str | None:
        """The code that typed text names: a code, a listed entry, or one unique description."""
        text = text.strip()
        token = text.split(" ")[0].upper()
        if token in self.table:
            return token
        hits = [s.code for s in self.table if match_rank(s.code, s.description, text) is not None]
        return hits[0] if len(hits) == 1 and text else None

    def commit_text(self, text: str, done: bool) -> bool:
        code = self.resolve(text)
        if code is None:
            if text.strip():
                self.unknownCode.emit(text.strip())
            return False
        self._commit(code, done)
        return True

    def _commit(self, code: str, done: bool) -> None:
        changed = code != self._code
        self.set_code(code)
        if changed:
            self.codeChosen.emit(code)
        self.committed.emit(done)

    def event(self, event: QEvent) -> bool:
        """Tab commits before Qt moves the focus (no focus-out arrives while the list is open)."""
        if event.type() == QEvent.Type.KeyPress and \
                event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            self.completer().popup().hide()
            self.commit_text(self.currentText(), done=False)
        return super().event(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt name
        """Tab (or a click elsewhere) commits what was typed; the list opening does not."""
        if event.reason() != Qt.FocusReason.PopupFocusReason:
            self.completer().popup().hide()
            if self.resolve(self.currentText()) not in (None, self._code):
                self.commit_text(self.currentText(), done=False)
            self.left.emit()
        super().focusOutEvent(event)
