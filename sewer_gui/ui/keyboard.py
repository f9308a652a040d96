"""Keys belong to the field being typed in: Enter in a text field commits that field instead of
firing the window's one-key commands (Enter confirms a suggestion only when no field is typed in).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QWidget,
)

TYPING_KEYS = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Backspace, Qt.Key.Key_Delete,
               Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_Left, Qt.Key.Key_Right,
               Qt.Key.Key_Space}


OPENS_ON_ENTER = "opensOnEnter"  # a view's property: Enter activates its current row
LIST_KEYS = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Left, Qt.Key.Key_Right,
             Qt.Key.Key_Home, Qt.Key.Key_End}
BUTTON_KEYS = {Qt.Key.Key_Space}  # the platform's key for a focused button


def is_typing_widget(widget: QObject | None) -> bool:
    if isinstance(widget, QLineEdit | QAbstractSpinBox):
        return widget.isEnabled() and not getattr(widget, "isReadOnly", lambda: False)()
    return isinstance(widget, QComboBox)  # a closed list searches by the letters typed


class TypingKeys(QObject):
    """Application event filter: a typing widget keeps its editing keys and plain letters."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(watched,
                                                                        QAbstractItemView):
            # Enter on a list that opens its rows (the inspections) is that list's, not the
            # window's "confirm"; on other tables (the observations) Enter still confirms.
            # Its arrows and Home / End too: the narrow dock scrolls to its far columns (the
            # video's frame steps took them, so "Reviewed" could not be reached).
            if watched.property(OPENS_ON_ENTER) and event.key() in LIST_KEYS and not \
                    event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
                event.accept()
            return False
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(watched, QAbstractButton) \
                and event.key() in BUTTON_KEYS and not event.modifiers():
            event.accept()  # Space on a focused button presses it, not play / pause
            return False
        if event.type() == QEvent.Type.ShortcutOverride and is_typing_widget(watched):
            key_event: QKeyEvent = event  # type: ignore[assignment]
            plain = not key_event.modifiers() & ~(Qt.KeyboardModifier.ShiftModifier
                                                  | Qt.KeyboardModifier.KeypadModifier)
            if plain and (key_event.key() in TYPING_KEYS or key_event.text().isprintable()
                          and key_event.text()):
                event.accept()  # the key goes to the field, not to a window shortcut
        return False


def install_typing_keys(app: QObject, owner: QWidget) -> TypingKeys:
    """Install once per window; Qt drops the filter when its owner (the window) is deleted."""
    keys = TypingKeys(owner)
    app.installEventFilter(keys)
    return keys
