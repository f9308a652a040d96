"""The training wizard driven as a user would, on tiny data: real child processes, real torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from ml.classes import CLASS_NAMES
from sewer_gui.decisions import export_decisions
from sewer_gui.pacp.model import Inspection, Observation, Origin, ReviewState
from sewer_gui.training_recipe import (
    WizardSettings,
    estimate_seconds,
    event_text,
    plan_steps,
)
from sewer_gui.ui.training.results_page import CHANCE, COLUMNS
from sewer_gui.ui.wizard import PageId, TrainingWizard


def _to_recipe(qtbot, wizard: TrainingWizard, data, student) -> None:
    wizard.show()
    wizard.data_page.add_source(str(data))
    wizard.next()  # -> check: every image in a worker
    qtbot.waitUntil(lambda: wizard.check_page.checked, timeout=60_000)
    assert wizard.check_page.isComplete(), wizard.check_page.summary.text()
    wizard.next()  # -> recipe: times a few batches in a child
    recipe = wizard.recipe_page
    recipe.start.setText(str(student))
    recipe.epochs.setValue(1)
    recipe.batch.setValue(8)
    qtbot.waitUntil(lambda: recipe.last_estimate is not None, timeout=120_000)
    assert "whole run" in recipe.estimate.text()


def test_wizard_fine_tunes_and_compares_with_the_model_in_use(qtbot, team_data, tiny_student,
                                                               tiny_onnx, tmp_path):
    activated = []
    wizard = TrainingWizard(activate=activated.append, active_model=tiny_onnx,
                            work_dir=tmp_path / "work")
    qtbot.addWidget(wizard)
    _to_recipe(qtbot, wizard, team_data, tiny_student)
    assert wizard.recipe_page.method_key() == "finetune"  # the default
    nd = len(list((team_data / "ND").glob("*.png")))
    assert wizard.check_page.counts.item(0, 1).text() == str(nd)
    wizard.next()  # -> run
    run = wizard.run_page
    qtbot.waitUntil(run.isComplete, timeout=300_000)
    assert [s.name for s in run.steps] == ["finetune", "compare"]
    assert run.loss_chart.series["finetune"] and not run.kd_chart.series
    assert not run.kd_chart.isVisible()  # fine-tuning has no distillation loss to draw
    log = run.log.toPlainText()
    assert "Epoch 1: loss" in log and "split by group" in log and '{"event"' not in log
    wizard.next()  # -> results
    results = wizard.results_page
    names = [results.table.item(r, 0).text() for r in range(results.table.rowCount())]
    assert names == ["Model in use", "Fine-tuned"]
    offered = results.offered("Fine-tuned")
    assert results.activate_button.isEnabled() == offered
    results.activate_selected()
    # What the app runs is the run's int8 twin (ml/runtime/model_files.py).
    assert activated == ([tmp_path / "work" / "finetune" / "model_int8.onnx"] if offered else [])
    written = results.export_to("Fine-tuned", tmp_path / "export")
    model_id = json.loads((tmp_path / "work" / "finetune" / "package.json").read_text())["model_id"]
    assert [p.name for p in written] == [f"{model_id}.onnx", f"{model_id}_int8.onnx",
                                         f"{model_id}_MODEL_CARD.md"]
    card = written[2].read_text()
    assert "<b>" not in card and "Against the model in use" in card and "Fine-tuned" in card


def _comparison(work, verdict: str, chance: bool = False) -> None:
    """A finished run's comparison as `sewer-ml compare` writes it."""
    (work / "finetune").mkdir(parents=True)
    for name in ("model.onnx", "model_int8.onnx", "MODEL_CARD.md"):
        (work / "finetune" / name).write_text("x")
    (work / "finetune" / "package.json").write_text(json.dumps({"model_id": "b",
                                                                 "int8_weight_bits": 7}))
    cm = np.diag([10] * 6).tolist()
    diff = {"value": 0.1, "low": 0.05, "high": 0.15} if verdict == "better" else \
        {"value": -0.01, "low": -0.05, "high": 0.03}
    models = {"Model in use": {"model_id": "a", "accuracy": 0.5, "macro_f1": 0.5,
                               "chance_level": False, "confusion": cm},
              "Fine-tuned": {"model_id": "b", "accuracy": 0.6, "macro_f1": 0.6,
                             "chance_level": chance, "confusion": cm}}
    (work / "comparison.json").write_text(json.dumps({
        "frames": 60, "groups": 12, "resampled": "groups", "baseline": "Model in use",
        "models": models, "pairs": {}, "verdict": "v",
        "differences": {"Fine-tuned": {"macro_f1": diff | {"verdict": verdict},
                                       "accuracy": diff | {"verdict": verdict}}},
        "offer": ["Fine-tuned"] if verdict == "better" and not chance else []}))


def test_activation_is_offered_only_for_a_better_model(qtbot, tmp_path):
    for verdict, chance, offered in (("better", False, True), ("same", False, False),
                                     ("better", True, False)):
        work = tmp_path / f"{verdict}{chance}"
        _comparison(work, verdict, chance)
        activated = []
        wizard = TrainingWizard(activate=activated.append, work_dir=work)
        qtbot.addWidget(wizard)
        page = wizard.results_page
        page.initializePage()
        assert page.activate_button.isEnabled() is offered
        page.activate_selected()
        assert activated == ([work / "finetune" / "model_int8.onnx"] if offered else [])
        if offered:  # a run packaged before 7-bit weights runs its fp32 file instead
            (work / "finetune" / "package.json").write_text(json.dumps({"model_id": "b"}))
            page.activate_selected()
            assert activated[-1] == work / "finetune" / "model.onnx"
        verdicts = page.table.item(1, COLUMNS.index("Verdict")).text()
        assert verdicts == (CHANCE if chance else "better" if offered
                            else "no measurable difference")


def test_distillation_verdict_needs_a_teacher_above_chance(qtbot, tmp_path):
    work = tmp_path / "work"
    _comparison(work, "better")
    comparison = json.loads((work / "comparison.json").read_text())
    figures = comparison["models"]["Fine-tuned"]
    comparison["models"] = {"New student": figures, "Distilled": figures}
    comparison["pairs"] = {"Distilled:New student": {"value": 0.07, "low": 0.02, "high": 0.1}}
    (work / "comparison.json").write_text(json.dumps(comparison))
    (work / "teacher").mkdir()
    chance = np.zeros((6, 6), int)
    chance[:, 0] = 10  # always the first class
    (work / "teacher" / "metrics.json").write_text(json.dumps({"test": {
        "confusion": chance.tolist()}}))
    wizard = TrainingWizard(work_dir=work)
    qtbot.addWidget(wizard)
    wizard.settings.method = "distill"
    wizard.results_page.initializePage()
    text = wizard.results_page.verdict.text()
    assert "teacher is at chance level" in text and "paid off" not in text


def test_cancelled_run_resumes_after_the_wizard_was_closed(qtbot, team_data, tiny_student,
                                                           tmp_path, monkeypatch):
    monkeypatch.setenv("SEWER_DATA_DIR", str(tmp_path / "appdata"))
    wizard = TrainingWizard()
    qtbot.addWidget(wizard)
    _to_recipe(qtbot, wizard, team_data, tiny_student)
    wizard.recipe_page.epochs.setValue(300)  # long enough to cancel in flight
    wizard.next()
    run = wizard.run_page
    qtbot.waitUntil(lambda: bool(run.loss_chart.series.get("finetune")), timeout=120_000)
    with qtbot.waitSignal(run.stepFinished, timeout=60_000) as finished:
        run.cancel()
    assert finished.args == ["finetune", 130], run.log.toPlainText()[-1500:]
    work = wizard.settings.work_dir
    assert str(tmp_path / "appdata") in work and "Resume" in run.eta.text()
    wizard.close()
    settings = json.loads((tmp_path / "appdata" / "training" / work.split("/")[-1] /
                           "wizard.json").read_text())
    settings["student_epochs"] = 2  # a shorter schedule so that the test ends
    (tmp_path / "appdata" / "training" / work.split("/")[-1] / "wizard.json").write_text(
        json.dumps(settings))
    again = TrainingWizard()
    qtbot.addWidget(again)
    again.show()
    assert again.data_page.resume.count() == 2 and not again.data_page.isComplete()
    again.data_page.resume.setCurrentIndex(1)
    assert again.data_page.isComplete()
    again.next()
    assert again.currentId() == PageId.RUN
    qtbot.waitUntil(again.run_page.isComplete, timeout=300_000)
    assert "(resuming)" in again.run_page.log.toPlainText()
    assert "Resumed after epoch" in again.run_page.log.toPlainText()
    assert len(again.run_page.loss_chart.series["finetune"]) >= 2  # epoch 1 from the checkpoint
    # Finished: its results can be shown again (a trial could reopen unfinished runs only).
    third = TrainingWizard()
    qtbot.addWidget(third)
    third.show()
    label = third.data_page.resume.itemText(1)
    assert label.startswith("Show the results of the run of") and "fine-tune, 2 epochs" in label
    third.data_page.resume.setCurrentIndex(1)
    third.next()
    assert third.currentId() == PageId.RESULTS and third.results_page.table.rowCount() >= 1


def test_bad_files_are_left_out_by_choice_and_copies_counted_once(qtbot, team_data, tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(team_data, data)
    (data / "CL" / "CL_900_00000.png").write_bytes(b"not a png")
    first = sorted((data / "CC").glob("*.png"))[0]
    shutil.copy(first, data / "CC" / "CC_901_00000.png")
    (data / "holiday").mkdir()
    cv2.imwrite(str(data / "holiday" / "x_1.png"), np.full((16, 16, 3), 80, np.uint8))
    wizard = TrainingWizard(work_dir=tmp_path / "work")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.data_page.add_source(str(data))
    wizard.next()
    check = wizard.check_page
    qtbot.waitUntil(lambda: check.checked, timeout=60_000)
    assert not check.isComplete()  # an unreadable file, not yet left out
    assert "CL_900_00000.png: not a readable image" in check.bad.item(0).text()
    check.leave_out_bad.setChecked(True)
    assert check.isComplete()
    assert check.counts.item(1, 1).text() == "8"  # CC: the copy is not counted
    assert check.counts.item(2, 1).text() == "8"  # CL: the bad file is left out
    combo = check.mapping.cellWidget(0, 1)
    assert check.mapping.item(0, 0).text() == "holiday"
    combo.setCurrentText("CL")  # map the folder onto a class: checked again
    qtbot.waitUntil(lambda: check.checked, timeout=60_000)
    check.leave_out_bad.setChecked(True)
    assert check.counts.item(2, 1).text() == "9"
    wizard.next()
    manifest = (tmp_path / "work" / "data.csv").read_text()
    assert "holiday" in manifest and "CL_900" not in manifest and "CC_901" not in manifest


def test_bad_dataset_folder_is_reported_on_the_check_page(qtbot, tmp_path):
    (tmp_path / "d" / "holiday").mkdir(parents=True)
    (tmp_path / "d" / "holiday" / "a.png").write_bytes(b"nope")
    wizard = TrainingWizard(work_dir=tmp_path / "work")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.data_page.add_source(str(tmp_path / "d"))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.check_page.checked, timeout=60_000)
    assert not wizard.check_page.isComplete()
    assert "no images in class folders" in wizard.check_page.summary.text()


def test_crashed_child_shows_its_last_lines(qtbot, tmp_path):
    wizard = TrainingWizard(work_dir=tmp_path / "work")
    qtbot.addWidget(wizard)
    wizard.settings.sources = [str(tmp_path / "missing")]
    wizard.settings.method = "scratch"
    run = wizard.run_page
    run.steps = plan_steps(wizard.settings)
    run.current = 0
    with qtbot.waitSignal(run.stepFinished, timeout=120_000) as finished:
        run._start()
    assert finished.args[1] == 1
    assert "failed" in run.eta.text() and "not a folder" in run.log.toPlainText()


def test_opening_the_wizard_never_imports_torch():
    code = ("import time, sys; t = time.perf_counter(); import sewer_gui.ui.wizard; "
            "print('torch' in sys.modules, time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, env={"QT_QPA_PLATFORM": "offscreen",
                                          "PATH": "/usr/bin:/bin"})
    assert out.stdout.split()[0] == "False", out.stderr[-800:]


def test_wizard_opens_quickly(qtbot, tmp_path):
    started = time.perf_counter()
    wizard = TrainingWizard(work_dir=tmp_path / "w")
    qtbot.addWidget(wizard)
    wizard.show()
    assert time.perf_counter() - started < 1.0


def test_plans_for_each_method(tmp_path):
    base = dict(sources=["/d"], work_dir="/w", active_model=str(tmp_path / "none.onnx"))
    tune = plan_steps(WizardSettings(**base, synthetic_per_class=5))
    assert [s.name for s in tune] == ["synthetic", "finetune", "compare"]
    assert tune[1].args[0] == "fine-tune" and "--train-extra" in tune[1].args
    assert "--split-by" in tune[1].args and "--balance" in tune[1].args
    scratch = plan_steps(WizardSettings(**base, method="scratch"))
    assert "--scratch" in scratch[0].args
    distill = plan_steps(WizardSettings(**base, method="distill"))
    for new_student in (scratch[0], distill[2]):  # CMI v3 behind its frozen ImageNet front
        args = new_student.args
        assert args[args.index("--arch") + 1] == "cmi_v3" and "--freeze-front" in args
    assert [s.name for s in distill] == ["teacher", "student", "distill", "package",
                                         "teacher_export", "compare"]
    assert "--pair" in distill[-1].args and "Model in use" not in " ".join(distill[-1].args)
    reuse = plan_steps(WizardSettings(**base, method="distill", teacher_checkpoint="/t.pt"))
    assert "teacher" not in [s.name for s in reuse] and "/t.pt" in reuse[1].args
    assert WizardSettings().temperature == 2.0 and WizardSettings().alpha == 0.5
    estimate = {"seconds_per_step": {"cmi": 0.1, "resnet50": 1.0}, "steps_per_epoch": 10,
                "load_seconds": 0, "train_images": 100}
    assert estimate_seconds(distill[:1], estimate) > 5 * estimate_seconds(distill[1:2],
                                                                          estimate)
    # the frozen front's features are computed once for the run folder, not once per step
    front = {**estimate, "front_seconds": 100.0}
    assert estimate_seconds(distill, front) == pytest.approx(estimate_seconds(distill,
                                                                              estimate) + 100)
    assert estimate_seconds(tune, front) == estimate_seconds(tune, estimate)


def test_a_new_student_trains_behind_the_frozen_front_and_is_packaged(tmp_path):
    from ml.synth.stills import write_stills

    write_stills(tmp_path / "d", 4, 64, seed=11, no_crack_share=None)
    settings = WizardSettings(sources=[str(tmp_path / "d")], work_dir=str(tmp_path / "w"),
                              method="scratch", student_epochs=1, image_size=64, batch_size=8)
    step = plan_steps(settings)[0]
    done = subprocess.run([*step.command(), "--threads", "1"], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr[-2000:]
    config = json.loads((Path(step.run_dir) / "metrics.json").read_text())["config"]
    assert (config["arch"], config["freeze_front"], config["mode"]) == ("cmi_v3", True, "student")
    assert Path(step.done_when).exists() and (Path(step.run_dir) / "model.onnx").exists()
    assert list((tmp_path / "w" / "front_cache").glob("front_*.pt"))


def test_log_lines_are_sentences():
    assert event_text({"event": "batch", "loss": 1}) is None
    assert event_text({"event": "epoch", "epoch": 2, "train_loss": 0.5, "val_accuracy": 0.75,
                       "seconds": 3}) == "Epoch 2: loss 0.500, validation accuracy 75.0%, 3 s"
    # A trial read "kept from cmi_student.onnx" while the app runs the int8 twin.
    kept = event_text({"event": "calibrated", "source": "inherited",
                       "inherited_from": "cmi_student.onnx"})
    assert "cmi_student.onnx" in kept and "int8 twin" in kept


def test_settings_survive_closing(tmp_path):
    settings = WizardSettings(sources=["/d"], method="scratch", work_dir=str(tmp_path))
    settings.save()
    assert WizardSettings.load(tmp_path) == settings


def test_coders_decisions_become_a_labelled_dataset(tmp_path, tiny_jpeg):
    inspection = Inspection(observations=[
        Observation(1, "FL", clock_from=3, snapshot_jpeg=tiny_jpeg, origin=Origin.AI_EDITED),
        Observation(2, "CC", clock_from=1, clock_to=4, snapshot_jpeg=tiny_jpeg,
                    origin=Origin.AI_SUGGESTED, review=ReviewState.REJECTED),
        Observation(3, "TFA", clock_from=2, snapshot_jpeg=tiny_jpeg),
        Observation(4, "B", clock_from=2, clock_to=3, snapshot_jpeg=tiny_jpeg),
        Observation(5, "CM", clock_from=2, clock_to=3),  # no snapshot: nothing to learn from
    ])
    counts = export_decisions([inspection], tmp_path)
    assert counts == {"CL": 1, "ND": 2}
    assert len(list((tmp_path / "ND").glob("*.jpg"))) == 2


def test_a_wizard_folder_from_before_the_new_student_resumes_as_what_it_trained(tmp_path):
    saved = WizardSettings(sources=["/d"], work_dir=str(tmp_path), method="scratch")
    saved.save()
    data = json.loads((tmp_path / "wizard.json").read_text())
    del data["student_arch"]  # written by a version that trained CMI v2 students
    (tmp_path / "wizard.json").write_text(json.dumps(data))
    args = plan_steps(WizardSettings.load(tmp_path))[0].args
    assert args[args.index("--arch") + 1] == "cmi" and "--freeze-front" not in args
    args = plan_steps(WizardSettings.load(saved_again(saved, tmp_path / "new")))[0].args
    assert args[args.index("--arch") + 1] == "cmi_v3" and "--freeze-front" in args


def saved_again(settings: WizardSettings, folder: Path) -> Path:
    settings.work_dir = str(folder)
    settings.save()
    return folder


def test_resuming_a_stopped_run_of_another_architecture_is_refused_by_name(tiny_data, tmp_path):
    from ml.training.config import TrainConfig
    from ml.training.run import fit

    common = dict(data=str(tiny_data), out=str(tmp_path / "run"), epochs=1, batch_size=8,
                  image_size=48, threads=1, progress="json")
    fit(TrainConfig(arch="cmi", **common))
    with pytest.raises(ValueError, match=r"last\.pt: a stopped run with arch='cmi', but this "
                                         r"run asks for arch='cmi_v3'"):
        fit(TrainConfig(arch="cmi_v3", resume=True, **common))


def test_estimate_times_a_frozen_front_once_and_refuses_a_model_without_one(tiny_data):
    from ml.training.config import TrainConfig
    from ml.training.estimate import estimate

    config = TrainConfig(data=str(tiny_data), arch="cmi_v3", freeze_front=True, batch_size=4,
                         image_size=48, threads=1)
    timed = estimate(config, teacher=False, batches=2)
    assert timed["front_seconds"] > 0 and timed["front_seconds_per_train_image"] > 0
    assert timed["front_seconds"] > timed["train_images"] * timed[
        "front_seconds_per_train_image"] * 0.99
    with pytest.raises(ValueError, match="pretrained front"):
        estimate(TrainConfig(data=str(tiny_data), arch="cmi", freeze_front=True,
                             batch_size=4, image_size=48), teacher=False)


def test_results_say_what_was_measured_and_when_the_test_is_too_small(qtbot, tmp_path):
    """A keys-only trial: training log and results gave two figures for one model, and an
    interval of -27 to +17 points left it wondering why nothing could ever be offered."""
    work = tmp_path / "narrow"
    _comparison(work, "better")  # interval 10 points wide
    wizard = TrainingWizard(work_dir=work)
    qtbot.addWidget(wizard)
    wizard.results_page.initializePage()
    text = wizard.results_page.verdict.text()
    assert "int8 files" in text and "fp32" in text and "interval is" not in text
    wide = tmp_path / "wide"
    _comparison(wide, "same")
    data = json.loads((wide / "comparison.json").read_text())
    data["differences"]["Fine-tuned"]["macro_f1"] |= {"low": -0.268, "high": 0.17}
    (wide / "comparison.json").write_text(json.dumps(data))
    wizard = TrainingWizard(work_dir=wide)
    qtbot.addWidget(wizard)
    wizard.results_page.initializePage()
    assert "With 60 test frames the 95 % interval is 44 points wide" in \
        wizard.results_page.verdict.text()


def test_results_say_when_every_test_frame_is_of_one_class(qtbot, tmp_path):
    """A trial: with only no-crack test frames macro-F1 came out above accuracy, unexplained."""
    work = tmp_path / "one"
    _comparison(work, "same")
    data = json.loads((work / "comparison.json").read_text())
    one = [[0] * 6 for _ in range(6)]
    one[0][0], one[0][2] = 50, 10
    for figures in data["models"].values():
        figures["confusion"] = one
    (work / "comparison.json").write_text(json.dumps(data))
    wizard = TrainingWizard(work_dir=work)
    qtbot.addWidget(wizard)
    wizard.results_page.initializePage()
    assert f"Every test frame is of one class ({CLASS_NAMES[0]})" in \
        wizard.results_page.verdict.text()
    _comparison(tmp_path / "many", "same")  # six classes: nothing to say
    wizard = TrainingWizard(work_dir=tmp_path / "many")
    qtbot.addWidget(wizard)
    wizard.results_page.initializePage()
    assert "one class" not in wizard.results_page.verdict.text()
