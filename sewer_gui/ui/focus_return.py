"""The keyboard comes back to the main window when one of its dialogs closes.

A window manager gives focus back to the parent of a closed dialog. Without one (a kiosk
session, some remote desktops, a virtual screen) nothing had focus afterwards: in a keys-only
trial every key after a file dialog, the distance prompt or the reject question went nowhere
until the window was clicked. Qt's xcb platform clears its focus window then without a
focusWindowChanged signal, so the dialog's Hide event is watched instead. Only a dialog of
this window counts, only while this app had the keys as it closed (the coder was in this app, not
in another one under a focus-follows-mouse pointer), only a close the app did itself (not
the window system's), and only when nothing has the focus afterwards: switching to another
application never pulls the focus back.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QWidget


class FocusReturn(QObject):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Hide and not event.spontaneous() \
                and isinstance(watched, QDialog) and self._ours(watched) \
                and self._had_keys(watched):
            QTimer.singleShot(0, self.take_back)
        return False

    def _ours(self, dialog: QDialog) -> bool:
        parent = dialog.parentWidget()
        return parent is not None and parent.window() is self.window

    @staticmethod
    def _had_keys(dialog: QDialog) -> bool:
        """Decided as it hides, while the focus is still where the coder left it: in one of
        this app's windows (the dialog, or a list it popped up), not in another app's."""
        return QGuiApplication.focusWindow() is not None

    def take_back(self) -> None:
        """Activate the window (its last focus widget gets the keys again) if nothing else did."""
        modal = QApplication.activeModalWidget()
        if not self.window.isVisible() or modal is not None and modal is not self.window:
            return  # a modal dialog (other than this window, when it is one) keeps the keys
        focus = QGuiApplication.focusWindow()
        # Without a window manager a closed list the dialog popped up stays the focus window.
        if focus is None or not focus.isVisible():
            self.window.activateWindow()
            self.window.raise_()
