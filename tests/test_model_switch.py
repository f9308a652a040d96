"""Switching models: Settings records the model in use as the previous one."""

from __future__ import annotations

import dataclasses
import shutil

from PySide6.QtWidgets import QDialog

import sewer_gui.ui.dialogs as dialogs
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
        def __init__(self, settings, _parent) -> None:
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
