"""The run page's log says what each export step wrote (they print a result, not progress)."""

from __future__ import annotations

import json
import sys

from sewer_gui.training_recipe import Step, WizardSettings
from sewer_gui.ui.training.run_page import RunPage


def _prints(result: dict) -> list[str]:
    return [sys.executable, "-c", f"print('some warning'); print({json.dumps(result)!r})"]


def test_export_steps_log_what_they_wrote(qtbot, tmp_path):
    page = RunPage(WizardSettings(work_dir=str(tmp_path)))
    qtbot.addWidget(page)
    package = {"model_id": "cmi-distill-1234", "onnx": "/w/distilled/model.onnx",
               "int8": "/w/distilled/model_int8.onnx", "student": "/w/distilled/student.pt"}
    page.steps = [Step("package", "Export the distilled student", _prints(package)),
                  Step("teacher_export", "Export the teacher to compare it on the same frames",
                       [*_prints({"model_id": "lite0-teacher-77", "arch": "x"}),
                        "/w/teacher_onnx/model.onnx"])]
    page.current = 0
    page._start()
    qtbot.waitUntil(page.isComplete, timeout=30_000)
    log = page.log.toPlainText().splitlines()
    at = log.index("== Export the distilled student")
    assert log[at + 1] == ("Exported cmi-distill-1234: /w/distilled/model.onnx (fp32) and "
                           "/w/distilled/model_int8.onnx (int8)")
    assert "Exported lite0-teacher-77 to /w/teacher_onnx/model.onnx" in log
    assert not any(line.startswith("{") for line in log)


def test_accuracy_is_drawn_on_zero_to_one_and_losses_on_their_own_range(qtbot, tmp_path):
    page = RunPage(WizardSettings(work_dir=str(tmp_path)))
    qtbot.addWidget(page)
    for value in (0.1, 0.067, 0.08):  # a student near chance: must not fill the chart
        page.acc_chart.add_point("student", value)
    assert page.acc_chart.value_range() == (0.0, 1.0)
    for value in (1.8, 1.1):
        page.loss_chart.add_point("student", value)
    assert page.loss_chart.value_range() == (0.0, 1.8)
    page.acc_chart.resize(300, 160)
    assert not page.acc_chart.grab().isNull()


def test_a_finished_step_shows_its_curves_when_the_run_is_opened_again(qtbot, tmp_path):
    """A trial: a run reopened after its training had finished showed empty charts."""
    run = tmp_path / "student"
    run.mkdir()
    (run / "metrics.json").write_text(json.dumps({"history": [
        {"epoch": 1, "train_loss": 1.2, "val_accuracy": 0.4},
        {"epoch": 2, "train_loss": 0.9, "val_accuracy": 0.55}]}))
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "metrics.json").write_text("{not json")
    page = RunPage(WizardSettings(work_dir=str(tmp_path)))
    qtbot.addWidget(page)
    page.steps = [Step("student", "Train", [], str(run), str(run / "metrics.json"), 2),
                  Step("teacher", "Train", [], str(tmp_path / "bad"),
                       str(tmp_path / "bad" / "metrics.json"), 2)]
    assert page._next_unfinished(0) == 2
    assert page.loss_chart.series == {"student": [1.2, 0.9]}
    assert page.acc_chart.series == {"student": [0.4, 0.55]}


def test_a_resumed_step_redraws_the_epochs_before_the_stop(qtbot, tmp_path):
    page = RunPage(WizardSettings(work_dir=str(tmp_path)))
    qtbot.addWidget(page)
    page.steps, page.current = [Step("distill", "Distil", [], epochs=3)], 0
    page.on_event({"event": "resumed", "epoch": 1,
                   "history": [{"epoch": 1, "train_loss": 2.5, "val_accuracy": 0.3}]})
    page.on_event({"event": "epoch", "epoch": 2, "train_loss": 2.0, "val_accuracy": 0.5})
    assert page.kd_chart.series == {"distill": [2.5, 2.0]} and not page.loss_chart.series
    assert page.acc_chart.series == {"distill": [0.3, 0.5]}
    # Stopped and resumed on this same page: its epochs are not drawn twice.
    page.on_event({"event": "resumed", "epoch": 2, "history": [
        {"epoch": 1, "train_loss": 2.5, "val_accuracy": 0.3},
        {"epoch": 2, "train_loss": 2.0, "val_accuracy": 0.5}]})
    assert page.kd_chart.series == {"distill": [2.5, 2.0]}
    assert "Resumed after epoch 1" in page.log.toPlainText()
