"""After a dialog of the window closes, the window takes the keys back (no window manager)."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QWindow
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from sewer_gui.app_settings import AppSettings
from sewer_gui.ui.main_window import MainWindow


def _window(qtbot, code_table) -> MainWindow:
    w = MainWindow(AppSettings(model_path="/no/model.onnx"), code_table)
    w.confirm_discard = lambda: True
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    for box in w.findChildren(QMessageBox):  # "no model": a modal question keeps the keys
        box.close()
    return w


def test_a_closed_dialog_of_the_window_hands_the_keys_back(qtbot, code_table, monkeypatch):
    w = _window(qtbot, code_table)
    taken = []
    monkeypatch.setattr(w.focus_return, "take_back", lambda: taken.append(1))
    dialog = QDialog(w.header_form)  # a dialog of one of its widgets counts too
    _show_with_keys(qtbot, dialog)
    assert taken == []
    dialog.reject()
    qtbot.waitUntil(lambda: taken == [1], timeout=2000)
    w.shutdown()


def _show_with_keys(qtbot, dialog: QDialog) -> None:
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    # This app has the keys (what FocusReturn checks): the dialog, or a window of ours that
    # an earlier test's closed code list left as the focus window (offscreen keeps it).
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is not None, timeout=2000)


def test_a_dialog_that_closes_while_another_app_has_the_keys_pulls_nothing_back(
        qtbot, code_table, monkeypatch):
    """A fresh-eyes review: with focus-follows-mouse the coder may be in another application
    when a dialog of ours closes (a finished progress dialog): the keys stay there."""
    w = _window(qtbot, code_table)
    taken = []
    monkeypatch.setattr(w.focus_return, "take_back", lambda: taken.append(1))
    dialog = QDialog(w)
    _show_with_keys(qtbot, dialog)
    monkeypatch.setattr(QGuiApplication, "focusWindow", staticmethod(lambda: None))
    dialog.reject()
    qtbot.wait(50)
    assert taken == []
    w.shutdown()


def test_dialogs_of_other_windows_pull_nothing_back(qtbot, code_table, monkeypatch):
    w = _window(qtbot, code_table)
    taken = []
    monkeypatch.setattr(w.focus_return, "take_back", lambda: taken.append(1))
    other = QWidget()  # another top-level window, as another tool of the same process
    qtbot.addWidget(other)
    for parent in (other, None):
        dialog = QDialog(parent)
        _show_with_keys(qtbot, dialog)
        dialog.reject()
    qtbot.wait(50)
    assert taken == []
    w.shutdown()


def test_taking_back_activates_the_window_only_when_nothing_has_focus(qtbot, code_table,
                                                                       monkeypatch):
    w = _window(qtbot, code_table)
    activated = []
    monkeypatch.setattr(w, "activateWindow", lambda: activated.append(1))
    monkeypatch.setattr(QGuiApplication, "focusWindow", staticmethod(lambda: w.windowHandle()))
    w.focus_return.take_back()
    assert activated == []  # something (a window manager) already gave the focus
    monkeypatch.setattr(QGuiApplication, "focusWindow", staticmethod(lambda: None))
    w.focus_return.take_back()
    assert activated == [1]
    # Without a window manager the reject dialog's closed code list stayed the focus window
    # (seen on Xvfb): a hidden focus window has no keys to keep.
    closed_list = QWindow()
    monkeypatch.setattr(QGuiApplication, "focusWindow", staticmethod(lambda: closed_list))
    w.focus_return.take_back()
    assert activated == [1, 1]
    w.shutdown()
