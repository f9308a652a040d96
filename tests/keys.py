"""Keyboard helpers for the GUI tests: keys go where a real keyboard would send them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ml.classes import CrackClass
from sewer_gui.session import Suggestion


def suggestion(w, code="CL", time_s=None, label=CrackClass.CL) -> Suggestion:
    t = w.player.time_s() if time_s is None else time_s
    return Suggestion(label, code, 0.88, (("CC", 0.05),), "test-model",
                      int(t * w.player.info.fps), t)


def key(qtbot, w, k, modifier=Qt.KeyboardModifier.NoModifier):
    """A key press where the keyboard delivers it: an open list, else the focused widget."""
    target = QApplication.activePopupWidget() or QApplication.focusWidget() or w
    qtbot.keyClick(target, k, modifier)


def observations(w):
    return w.session.inspection.observations




class FakeWorker:
    """Stands for the window's inference worker: records what is submitted, (index, still)."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, bool]] = []

    def submit(self, index, frame, still=False) -> None:
        self.sent.append((index, still))

    def stop(self) -> None:
        pass

    def deleteLater(self) -> None:  # noqa: N802 - Qt name
        pass
