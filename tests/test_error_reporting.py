"""An unexpected exception in a slot becomes a message in the window; the app keeps running."""

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMainWindow, QMessageBox

from sewer_gui.ui.error_reporting import install_error_reporting


def test_a_failing_slot_is_reported_and_the_window_lives_on(qtbot, capsys):
    window = QMainWindow()
    qtbot.addWidget(window)
    before = sys.excepthook
    install_error_reporting(window)
    try:
        def broken_slot():
            raise ValueError("projection table has no rows")

        QTimer.singleShot(0, broken_slot)
        qtbot.waitUntil(lambda: window.findChild(QMessageBox, "unexpected_error") is not None,
                        timeout=3000)
        box = window.findChild(QMessageBox, "unexpected_error")
        assert "ValueError: projection table has no rows" in box.text()
        assert "saved is intact" in box.text()
        assert "projection table has no rows" in window.statusBar().currentMessage()
        assert "Traceback" in capsys.readouterr().err  # kept for a bug report
        window.statusBar().showMessage("still alive")
        assert window.statusBar().currentMessage() == "still alive"
    finally:
        sys.excepthook = before
