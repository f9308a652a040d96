"""The check page driven from the keyboard, and what it says about the test split."""

from __future__ import annotations

import csv
import json
import shutil

import cv2
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ml.datasets import holds_out_groups
from sewer_gui.training_recipe import unseen_test_groups
from sewer_gui.ui.wizard import TrainingWizard


def _checked(qtbot, tmp_path, data) -> TrainingWizard:
    wizard = TrainingWizard(work_dir=tmp_path / "work")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.data_page.add_source(str(data))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.check_page.checked, timeout=60_000)
    return wizard


def _with_bad_file(team_data, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(team_data, data)
    (data / "CL" / "CL_900_00000.png").write_bytes(b"not a png")
    return data


def _focus(_wizard):
    return QApplication.focusWidget()


def test_tabbing_reaches_the_leave_out_box_and_space_enables_next(qtbot, team_data, tmp_path):
    wizard = _checked(qtbot, tmp_path, _with_bad_file(team_data, tmp_path))
    check, next_button = wizard.check_page, wizard.button(wizard.WizardButton.NextButton)
    assert not next_button.isEnabled()
    check.counts.setFocus()
    qtbot.waitUntil(lambda: _focus(wizard) is check.counts)
    for _ in range(6):  # Tab leaves the class table instead of walking its cells
        if _focus(wizard) is check.leave_out_bad:
            break
        qtbot.keyClick(_focus(wizard), Qt.Key.Key_Tab)
    assert _focus(wizard) is check.leave_out_bad
    qtbot.keyClick(check.leave_out_bad, Qt.Key.Key_Space)
    assert check.leave_out_bad.isChecked()
    assert next_button.isEnabled()  # the wizard was told the page is complete now
    qtbot.keyClick(next_button, Qt.Key.Key_Space)
    manifest = (tmp_path / "work" / "data.csv").read_text()
    assert "CL_900" not in manifest and "CL_" in manifest


def test_leave_out_box_has_a_mnemonic(qtbot, team_data, tmp_path):
    wizard = _checked(qtbot, tmp_path, _with_bad_file(team_data, tmp_path))
    check = wizard.check_page
    assert "&L" in check.leave_out_bad.text()
    wizard.windowHandle().requestActivate()  # shortcuts work in the active window only
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard)
    check.counts.setFocus()
    qtbot.keyClick(check.counts, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(check.leave_out_bad.isChecked)  # a mnemonic clicks after a short delay
    assert wizard.button(wizard.WizardButton.NextButton).isEnabled()


def test_one_inspection_is_not_called_an_unseen_test(qtbot, tmp_path):
    data = tmp_path / "one"
    rng = np.random.default_rng(0)
    for code in ("ND", "CC", "CL", "FL", "CM", "CH3"):  # every frame from one video
        (data / code).mkdir(parents=True)
        for k in range(3):
            cv2.imwrite(str(data / code / f"{code}_video1_{k:05d}.png"),
                        rng.integers(0, 255, (16, 16, 3), np.uint8))
    wizard = _checked(qtbot, tmp_path, data)
    text = wizard.check_page.summary.text()
    assert "from 1 inspection(s)" in text
    assert "whole ones that training never sees" not in text
    assert "same inspection(s) or video(s) as the training frames" in text
    assert "optimistic" in text


def test_many_inspections_give_an_unseen_test(qtbot, team_data, tmp_path):
    wizard = _checked(qtbot, tmp_path, team_data)
    text = wizard.check_page.summary.text()
    assert "whole ones that training never sees" in text and "optimistic" not in text


def test_group_rule_follows_the_split():
    assert not holds_out_groups(["v1"] * 30)
    assert not holds_out_groups(["a", "b", "c"] * 10)  # three: split frame by frame
    assert not holds_out_groups([""] * 30)  # no groups at all
    assert holds_out_groups([f"d{k % 8}" for k in range(48)])


def _split(path, rows) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "code", "group", "part"])
        writer.writerows(rows)


def test_results_say_when_test_frames_share_the_training_inspection(qtbot, tmp_path):
    work = tmp_path / "work"
    (work / "finetune").mkdir(parents=True)
    _split(work / "finetune" / "split.csv",
           [(f"/f{k}.png", "ND", "video1", part) for k, part in
            enumerate(["train"] * 8 + ["val"] * 2 + ["test"] * 3)])
    cm = np.diag([1] * 6).tolist()
    figures = {"model_id": "a", "accuracy": 0.5, "macro_f1": 0.5, "chance_level": False,
               "confusion": cm}
    diff = {"value": 0.0, "low": -0.1, "high": 0.1, "verdict": "same"}
    (work / "comparison.json").write_text(json.dumps({
        "frames": 3, "groups": 1, "baseline": "Model in use", "verdict": "v", "pairs": {},
        "models": {"Model in use": figures, "Fine-tuned": figures | {"model_id": "b"}},
        "differences": {"Fine-tuned": {"macro_f1": diff, "accuracy": diff}}, "offer": []}))
    wizard = TrainingWizard(work_dir=work)
    qtbot.addWidget(wizard)
    wizard.results_page.initializePage()
    text = wizard.results_page.verdict.text()
    assert "never saw" not in text
    assert "3 test frames from 1 inspection(s) or video(s), the same" in text
    assert "optimistic" in text

    _split(work / "finetune" / "split.csv",
           [("/a.png", "ND", "v1", "train"), ("/b.png", "ND", "v2", "val"),
            ("/c.png", "ND", "v3", "test")])
    assert unseen_test_groups(work / "finetune" / "split.csv") is True
    wizard.results_page.initializePage()
    assert "that training never saw" in wizard.results_page.verdict.text()
