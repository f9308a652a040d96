"""The training wizard end to end on a tiny synthetic set: real child processes, real torch."""

from __future__ import annotations

import numpy as np
import pytest

from sewer_gui.pacp.model import Inspection, Observation, Origin, ReviewState
from sewer_gui.training_plan import (
    WizardSettings,
    export_project_frames,
    parse_progress,
    plan_steps,
)
from sewer_gui.ui.wizard import TrainingWizard


def _tiny(wizard: TrainingWizard) -> None:
    s = wizard.settings
    s.teacher_epochs, s.student_epochs, s.image_size, s.batch_size = 1, 1, 32, 8
    wizard.teacher_page.epochs.setValue(1)
    wizard.student_page.epochs.setValue(1)
    wizard.student_page.size.setValue(32)
    wizard.student_page.batch.setValue(8)


def test_wizard_trains_compares_exports_and_activates(qtbot, tiny_data, tmp_path):
    activated = []
    wizard = TrainingWizard(activate=activated.append, work_dir=tmp_path / "work")
    qtbot.addWidget(wizard)
    _tiny(wizard)
    wizard.show()
    wizard.data_page.add_source(str(tiny_data))
    assert wizard.data_page.isComplete()
    wizard.next()  # -> check
    assert wizard.check_page.isComplete()
    assert wizard.check_page.counts.item(0, 1).text() == "6"
    wizard.next()  # -> teacher
    wizard.next()  # -> student
    wizard.next()  # -> run: starts the children
    run = wizard.run_page
    qtbot.waitUntil(run.isComplete, timeout=240_000)
    assert set(run.done) == {"teacher", "student", "distill"}
    assert run.loss_chart.series and run.progress.value() == 100
    wizard.next()  # -> results
    results = wizard.results_page
    assert results.table.rowCount() == 3
    assert "Distillation" in results.verdict.text()
    out = tmp_path / "mine.onnx"
    results.export_to(tmp_path / "work" / "distilled" / "best.pt", out)
    assert out.exists() and activated == [out]
    assert (tmp_path / "mine_MODEL_CARD.md").exists()


def test_wizard_cancel_keeps_checkpoint_and_resume_finishes(qtbot, tiny_data, tmp_path):
    wizard = TrainingWizard(work_dir=tmp_path / "work")
    qtbot.addWidget(wizard)
    _tiny(wizard)
    wizard.settings.teacher_epochs = 200  # long enough to cancel in flight
    wizard.teacher_page.epochs.setValue(200)
    wizard.show()
    wizard.data_page.add_source(str(tiny_data))
    for _ in range(4):
        wizard.next()
    run = wizard.run_page
    qtbot.waitUntil(lambda: bool(run.loss_chart.series.get("teacher")), timeout=120_000)
    with qtbot.waitSignal(run.stepFinished, timeout=60_000) as finished:
        run.cancel()
    assert finished.args == ["teacher", 130], run.log.toPlainText()[-1500:]
    assert (tmp_path / "work" / "teacher" / "last.pt").exists()
    assert run.resume_button.isEnabled() and "Cancelled" in run.eta.text()
    assert not run.isComplete()
    # Resume from last.pt with a shorter schedule so that the test ends.
    from dataclasses import replace

    args = run.steps[0].args
    args[args.index("--epochs") + 1] = "2"
    run.steps[0] = replace(run.steps[0], args=args)
    run.resume_button.click()
    qtbot.waitUntil(run.isComplete, timeout=240_000)
    assert "resumed" in run.log.toPlainText()
    assert set(run.done) == {"teacher", "student", "distill"}


def test_bad_dataset_folder_is_reported_on_the_check_page(qtbot, tmp_path):
    (tmp_path / "holiday").mkdir()
    (tmp_path / "holiday" / "a.png").write_bytes(b"nope")
    wizard = TrainingWizard(work_dir=tmp_path / "work")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.data_page.add_source(str(tmp_path))
    wizard.next()
    assert not wizard.check_page.isComplete()
    assert "no images in class folders" in wizard.check_page.summary.text()


def test_crashed_child_shows_its_last_lines(qtbot, tmp_path):
    wizard = TrainingWizard(work_dir=tmp_path / "work")
    qtbot.addWidget(wizard)
    wizard.settings.sources = [str(tmp_path / "missing")]
    run = wizard.run_page
    run.steps = plan_steps(wizard.settings)
    run.current = 0
    with qtbot.waitSignal(run.stepFinished, timeout=120_000) as finished:
        run._start()
    assert finished.args[1] == 1
    assert "failed" in run.eta.text() and "not a folder" in run.log.toPlainText()


def test_plan_and_progress_parsing():
    steps = plan_steps(WizardSettings(sources=["/d"], synthetic_per_class=5, work_dir="/w"))
    assert [s.name for s in steps] == ["synthetic", "teacher", "student", "distill"]
    assert "/d,/w/synthetic" in steps[1].args
    reuse = plan_steps(WizardSettings(sources=["/d"], teacher_checkpoint="/t.pt", work_dir="/w"))
    assert [s.name for s in reuse] == ["student", "distill"] and "/t.pt" in reuse[1].args
    assert parse_progress('{"event": "batch", "loss": 1}')["loss"] == 1
    assert parse_progress("Traceback (most recent call last):") is None
    assert parse_progress("{not json") is None


def test_coders_decisions_become_a_labelled_dataset(tmp_path, tiny_jpeg):
    inspection = Inspection(observations=[
        Observation(1, "FL", clock_from=3, snapshot_jpeg=tiny_jpeg, origin=Origin.AI_EDITED),
        Observation(2, "CC", clock_from=1, clock_to=4, snapshot_jpeg=tiny_jpeg,
                    origin=Origin.AI_SUGGESTED, review=ReviewState.REJECTED),
        Observation(3, "TFA", clock_from=2, snapshot_jpeg=tiny_jpeg),
        Observation(4, "B", clock_from=2, clock_to=3, snapshot_jpeg=tiny_jpeg),
        Observation(5, "CM", clock_from=2, clock_to=3),  # no snapshot: nothing to learn from
    ])
    counts = export_project_frames([inspection], tmp_path)
    assert counts == {"CL": 1, "ND": 2}
    assert len(list((tmp_path / "ND").glob("*.jpg"))) == 2


@pytest.mark.parametrize("bad", ["", "  "])
def test_empty_sources_block_the_data_page(qtbot, tmp_path, bad):
    wizard = TrainingWizard(work_dir=tmp_path)
    qtbot.addWidget(wizard)
    assert not wizard.data_page.isComplete()
    assert np.isfinite(0.0) and bad.strip() == ""
