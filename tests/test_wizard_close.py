"""Closing the wizard while training runs asks first; No keeps the wizard and the training."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from sewer_gui.training_recipe import Step
from sewer_gui.ui.wizard import PageId, TrainingWizard


def _training(qtbot, tmp_path, monkeypatch) -> TrainingWizard:
    """The run page with a child that runs until it is stopped (stands for a training step)."""
    wizard = TrainingWizard(work_dir=tmp_path / "w")
    qtbot.addWidget(wizard)
    run = wizard.run_page

    def start() -> None:
        run.steps = [Step("finetune", "Fine-tune the model in use", [])]
        run.current = 0
        run.child.start([sys.executable, "-c", "import time; time.sleep(120)"])

    monkeypatch.setattr(run, "initializePage", start)
    wizard.setStartId(PageId.RUN)
    wizard.show()
    qtbot.waitExposed(wizard)
    qtbot.waitUntil(run.child.running)
    return wizard


def _answer(qtbot, key: Qt.Key, asked: list[str]) -> None:
    """Presses `key` in the question box once it is up."""
    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, press)
            return
        asked.append(box.text())
        qtbot.keyClick(box, key)

    QTimer.singleShot(0, press)


def test_esc_while_training_asks_and_no_keeps_training(qtbot, tmp_path, monkeypatch):
    wizard = _training(qtbot, tmp_path, monkeypatch)
    asked: list[str] = []
    _answer(qtbot, Qt.Key.Key_Escape, asked)  # Esc in the box: No, the default
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    assert asked and "Training is running" in asked[0] and "resume" in asked[0]
    assert wizard.isVisible() and wizard.run_page.child.running()
    _answer(qtbot, Qt.Key.Key_N, asked)
    wizard.close()  # the window's close button
    assert len(asked) == 2 and wizard.isVisible() and wizard.run_page.child.running()
    wizard.run_page.child.process.kill()
    wizard.run_page.child.wait()


def test_yes_stops_training_and_closes(qtbot, tmp_path, monkeypatch):
    wizard = _training(qtbot, tmp_path, monkeypatch)
    asked: list[str] = []
    _answer(qtbot, Qt.Key.Key_Y, asked)
    wizard.close()
    assert asked
    qtbot.waitUntil(lambda: not wizard.isVisible())  # once the training child has stopped
    assert not wizard.run_page.child.running()


def test_closing_without_training_asks_nothing(qtbot, tmp_path):
    wizard = TrainingWizard(work_dir=tmp_path / "w")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    assert not wizard.isVisible()
