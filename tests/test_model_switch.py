"""Switching models: Settings records the model in use as the previous one."""

from __future__ import annotations

import dataclasses
import shutil

from PySide6.QtWidgets import QDialog

import sewer_gui.ui.dialogs as dialogs
from ml.runtime.classifier import CrackClassifier
from ml.runtime.decision import DecisionPolicy
from sewer_gui.app_settings import AppSettings
from sewer_gui.ui.main_window import MainWindow


def test_restore_previous_model_after_a_settings_change(qtbot, code_table, tiny_onnx, tmp_path,
                                                       monkeypatch):
    other = tmp_path / "other.onnx"
    shutil.copyfile(tiny_onnx, other)
    w = MainWindow(AppSettings(model_path=str(tiny_onnx)), code_table)
    w.confirm_discard = lambda: True
    qtbot.addWidget(w)

    class ChooseOther:  # the Settings dialog, with the user picking another model file
        def __init__(self, settings, _parent, in_use=None) -> None:
            self.settings = settings

        def exec(self):
            return QDialog.DialogCode.Accepted

        def result_settings(self):
            return dataclasses.replace(self.settings, model_path=str(other))

    monkeypatch.setattr(dialogs, "SettingsDialog", ChooseOther)
    w.settings_dialog()
    assert w.settings.model_path == str(other)
    assert w.settings.previous_model_path == str(tiny_onnx)
    w.restore_previous_model()
    assert w.settings.model_path == str(tiny_onnx)
    w.shutdown()


def test_settings_name_the_model_in_use_and_its_own_threshold(qtbot, tiny_onnx):
    classifier = CrackClassifier(tiny_onnx)
    own = DecisionPolicy.from_metadata(classifier.metadata).crack_threshold
    dialog = dialogs.SettingsDialog(AppSettings(), None, in_use=classifier)
    qtbot.addWidget(dialog)
    assert dialog.in_use.text() == f"{tiny_onnx.name}: {classifier.model_id}"
    assert dialog.threshold.specialValueText() == f"the model's own ({own:.0%})"
    assert dialog.threshold.text() == f"the model's own ({own:.0%})"  # at 0, as saved
    none = dialogs.SettingsDialog(AppSettings(), None)
    qtbot.addWidget(none)
    assert none.in_use.text().startswith("none") and none.threshold.text() == "the model's own"
