"""Keys belong to the field being typed in: Enter in a text field commits that field instead of
firing the window's one-key commands (Enter confirms a suggestion only when no field is typed in).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDockWidget,
    QLineEdit,
    QPushButton,
    QWidget,
)

TYPING_KEYS = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Backspace, Qt.Key.Key_Delete,
               Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_Left, Qt.Key.Key_Right,
               Qt.Key.Key_Space, Qt.Key.Key_Up, Qt.Key.Key_Down}
ROW_KEYS = {Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown}
TAB_REACHABLE = "tabReachable"  # a button's property: it has no command, so Tab must reach it
COMMANDED = "commanded"  # a control's property: a key does what it does, so Tab passes it by


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
            plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if plain and (event.key() in ROW_KEYS or watched.property(OPENS_ON_ENTER)
                          and event.key() in LIST_KEYS):
                event.accept()  # Up / Down move in a list that has the keys, not the rows
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


class EscapeToVideo(QObject):
    """Esc that nothing in the window used (on a button, the table, a field with nothing to
    cancel) gives the keys back to the video: one key out of anywhere (a trial Tabbed onto a
    button it could not see and then pressed it with Space, twice)."""

    def __init__(self, window: QWidget, focus_video: Callable[[], None]) -> None:
        super().__init__(window)
        self.focus_video = focus_video
        # Keys a child ignored propagate up to its window: the main one, or a floating dock.
        self.windows = [window, *window.findChildren(QDockWidget)]
        for target in self.windows:
            target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if watched in self.windows and event.type() == QEvent.Type.KeyPress and \
                event.key() == Qt.Key.Key_Escape and not event.modifiers():
            self.focus_video()
            return True
        return False


def install_window_keys(window: QWidget, focus_video: Callable[[], None]) -> EscapeToVideo:
    """Buttons with a command of their own (a shortcut or a menu entry) take no keyboard focus:
    Space must not press one that Tab happened to reach. The few without one stay in reach.
    Other controls marked COMMANDED (the speed list: [ and ]; live suggestions: L) neither:
    a trial's Space opened the speed list, then turned live suggestions off unseen."""
    for widget in window.findChildren(QWidget):
        if widget.property(COMMANDED):
            widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    for button in window.findChildren(QAbstractButton):
        if isinstance(button, QPushButton) and not button.property(TAB_REACHABLE):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        elif button.focusPolicy() != Qt.FocusPolicy.NoFocus:  # a click leaves the keys where
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # they were
    return EscapeToVideo(window, focus_video)


def install_typing_keys(app: QObject, owner: QWidget) -> TypingKeys:
    """Install once per window; Qt drops the filter when its owner (the window) is deleted."""
    keys = TypingKeys(owner)
    app.installEventFilter(keys)
    return keys
