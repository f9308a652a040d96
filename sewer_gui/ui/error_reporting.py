"""Unexpected errors in any slot end in a message in the window, never a silent failure.

Qt calls Python slots from its event loop; an exception there is handed to `sys.excepthook`
and the slot simply stops. The hook installed here keeps the traceback on stderr (for a bug
report) and tells the user what failed and that saved work is intact, without closing the app.
"""

from __future__ import annotations

import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QMainWindow, QMessageBox


def install_error_reporting(window: QMainWindow) -> None:
    previous = sys.excepthook

    def report(kind: type[BaseException], error: BaseException,
               tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, error, tb)
            return
        traceback.print_exception(kind, error, tb, file=sys.stderr)
        text = f"{kind.__name__}: {error}".strip()
        window.statusBar().showMessage(f"Error: {text}", 30000)
        box = QMessageBox(QMessageBox.Icon.Warning, "Something went wrong",
                          f"{text}\n\nThe action stopped. What was saved is intact; unsaved "
                          "edits are still in the window, so save now.", parent=window)
        box.setObjectName("unexpected_error")
        box.open()  # not exec(): a second error must not stack modal loops

    sys.excepthook = report
