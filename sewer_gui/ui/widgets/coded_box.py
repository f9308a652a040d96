"""A closed drop-down of coded values ("1 - Dry") that finds an entry by its code or by its
description as the coder types: a trial typed "Dry" in Weather and got nothing, because a
plain combo box only matches the start of the whole text ("1 - ...")."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox

DESCRIPTION_ROLE = int(Qt.ItemDataRole.UserRole) + 1  # the code itself is in UserRole
TYPING_PAUSE_S = 1.0  # a longer pause starts a new search, as Qt's own keyboard search does


class CodedBox(QComboBox):
    def __init__(self) -> None:
        super().__init__()
        self._typed, self._at = "", 0.0

    def add_choice(self, code: str, description: str) -> None:
        self.addItem(f"{code} - {description}" if code else "", code)
        self.setItemData(self.count() - 1, description, DESCRIPTION_ROLE)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt name
        text = event.text()
        if not (text and text.isprintable() and not text.isspace()) or \
                self.view().isVisible():
            super().keyPressEvent(event)
            return
        now = time.monotonic()
        self._typed = (self._typed if now - self._at < TYPING_PAUSE_S else "") + text
        self._at = now
        index = self.match_index(self._typed)
        if index >= 0:
            self.setCurrentIndex(index)

    def match_index(self, typed: str) -> int:
        """The first entry whose code, else whose description (or a word of it), starts with
        the typed text; -1 when none does."""
        typed = typed.casefold()
        codes = [str(self.itemData(i) or "").casefold() for i in range(self.count())]
        names = [str(self.itemData(i, DESCRIPTION_ROLE) or "").casefold()
                 for i in range(self.count())]
        for i, code in enumerate(codes):
            if code and code.startswith(typed):
                return i
        for i, name in enumerate(names):
            if name.startswith(typed) or any(w.startswith(typed) for w in name.split()):
                return i
        return -1
