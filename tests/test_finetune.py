"""Fine-tuning from a student checkpoint, packaging, grouped splits and the worse-model guard."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from ml.classes import CLASS_NAMES
from ml.comparison import (
    Interval,
    chance_level,
    distillation_verdict,
    paired_difference,
)
from ml.datasets import grouped_split, index_image_folder, read_split
from ml.runtime.model_files import INT8_ID_SUFFIX
from ml.training.finetune import load_student, unique_model_id
from ml.training.run import balanced_indices


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ml.cli", *args], capture_output=True,
                          text=True, timeout=600)


def test_fine_tune_starts_from_the_checkpoint_packages_and_compares(team_data, tiny_student,
                                                                    tiny_onnx, tmp_path):
    run = tmp_path / "run"
    done = _cli("fine-tune", "--data", str(team_data), "--out", str(run), "--from",
                str(tiny_student), "--active", str(tiny_onnx), "--epochs", "1",
                "--batch-size", "8", "--threads", "1", "--progress", "json")
    assert done.returncode == 0, done.stderr[-2000:] + done.stdout[-2000:]
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    kinds = [e["event"] for e in events]
    assert kinds.index("done") < kinds.index("packaged") < kinds.index("compared")
    config = json.loads((run / "metrics.json").read_text())["config"]
    assert config["mode"] == "finetune" and config["init_from"] == str(tiny_student)
    assert config["image_size"] == 32 and config["split_by"] == "group"  # from the checkpoint
    assert config["lr"] == 3e-4 and config["balance"] == "sampler"
    for name in ("model.onnx", "model_int8.onnx", "student.pt", "MODEL_CARD.md",
                 "comparison.json", "split.csv"):
        assert (run / name).exists(), name
    card = (run / "MODEL_CARD.md").read_text()
    assert "macro-F1" in card and "model in use" in card and "<b>" not in card
    comparison = json.loads((run / "comparison.json").read_text())
    assert set(comparison["models"]) == {"model in use", "new model"}
    _model, meta = load_student(run / "student.pt")
    # The new model is compared as the app would run it: its int8 twin.
    assert comparison["models"]["new model"]["model_id"] == meta["model_id"] + INT8_ID_SUFFIX
    assert meta["model_id"] != "tiny-test"
    again = _cli("compare", "--split", str(run / "split.csv"), "--model", f"old={tiny_onnx}",
                 "--model", f"new={run / 'model.onnx'}", "--pair", "new:old", "--out",
                 str(tmp_path / "c.json"), "--json")
    assert again.returncode == 0, again.stderr[-2000:]
    pair = json.loads((tmp_path / "c.json").read_text())["pairs"]["new:old"]
    assert pair["low"] <= pair["value"] <= pair["high"]
    assert "| new |" in (run / "MODEL_CARD.md").read_text()  # the card took the comparison
    bad = _cli("compare", "--split", str(run / "split.csv"), "--model", str(tiny_onnx))
    assert bad.returncode == 2 and "write NAME=MODEL.onnx" in bad.stderr
    test_groups = {s.group for s in read_split(run / "split.csv", "test")}
    train_groups = {s.group for s in read_split(run / "split.csv", "train")}
    assert test_groups and not test_groups & train_groups


def test_loaded_student_predicts_like_the_run_it_came_from(tiny_student, tiny_data):
    model, meta = load_student(tiny_student)
    assert meta["classes"] == list(CLASS_NAMES) and meta["image_size"] == 32
    assert model(torch.zeros(1, 3, 32, 32)).shape == (1, len(CLASS_NAMES))
    raw = torch.load(tiny_student, weights_only=True)
    assert set(raw) == {"arch", "classes", "image_size", "mean", "std", "state_dict",
                        "model_id"}


def test_bad_checkpoints_name_the_file(tmp_path, tiny_student):
    with pytest.raises(ValueError, match="no such checkpoint"):
        load_student(tmp_path / "missing.pt")
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="junk.pt: not a student checkpoint"):
        load_student(junk)
    partial = tmp_path / "partial.pt"
    torch.save({"arch": "cmi", "state_dict": {}}, partial)
    with pytest.raises(ValueError, match="missing classes"):
        load_student(partial)
    wrong = tmp_path / "wrong.pt"
    raw = torch.load(tiny_student, weights_only=True)
    torch.save(raw | {"arch": "mobilenet_v2"}, wrong)
    with pytest.raises(ValueError, match="do not fit the mobilenet_v2"):
        load_student(wrong)


def test_fine_tune_without_a_checkpoint_is_a_clear_error(team_data, tmp_path):
    done = _cli("fine-tune", "--data", str(team_data), "--out", str(tmp_path / "r"), "--from",
                str(tmp_path / "nothing.pt"))
    assert done.returncode == 2 and "nothing.pt: no such checkpoint" in done.stderr


def test_model_ids_are_unique():
    assert len({unique_model_id("cmi", "finetune") for _ in range(50)}) == 50


def test_grouped_split_keeps_each_drive_on_one_side(team_data):
    index = index_image_folder(team_data)
    parts = grouped_split(index, 0, 0.15, 0.15)
    sides = {}
    for part, samples in parts.items():
        for sample in samples:
            sides.setdefault(sample.group, set()).add(part)
    assert len(sides) == 8 and all(len(s) == 1 for s in sides.values())
    assert parts["test"] and parts["train"]


def test_too_few_groups_fall_back_to_a_stratified_split(tiny_data):
    index = index_image_folder(tiny_data)  # one seed: every frame in one group
    parts = grouped_split(index, 0, 0.15, 0.15)
    assert {s.label.value for s in parts["test"]} == set(CLASS_NAMES)


def test_balanced_sampling_draws_rare_classes_as_often():
    labels = torch.tensor([0] * 90 + [1] * 10)
    drawn = balanced_indices(labels, torch.Generator().manual_seed(0))
    share = float((labels[drawn] == 1).float().mean())
    assert 0.4 < share < 0.6


def test_bootstrap_says_no_difference_between_equal_models():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 6, 300)
    a = np.where(rng.random(300) < 0.6, truth, rng.integers(0, 6, 300))
    b = np.where(rng.random(300) < 0.6, truth, rng.integers(0, 6, 300))
    groups = np.repeat(np.arange(30), 10)
    assert paired_difference(truth, a, b, groups).verdict == "same"
    better = np.where(rng.random(300) < 0.95, truth, a)
    assert paired_difference(truth, better, a, groups).verdict == "better"
    assert paired_difference(truth, a, better, groups).verdict == "worse"


def test_chance_level_models_never_win():
    truth = np.repeat(np.arange(6), 20)
    rng = np.random.default_rng(1)
    random = rng.integers(0, 6, 120)
    from ml.metrics import confusion_matrix

    assert chance_level(confusion_matrix(truth, random, 6))
    assert not chance_level(confusion_matrix(truth, truth, 6))
    good = {"confusion": confusion_matrix(truth, truth, 6).tolist()}
    bad = {"confusion": confusion_matrix(truth, random, 6).tolist()}
    win = Interval(0.07, 0.02, 0.12)
    assert "chance level" in distillation_verdict(good, good, bad, win)
    assert "paid off" not in distillation_verdict(bad, bad, None, win)
    assert distillation_verdict(good, good, good, win).startswith("Distillation paid off")
    assert "No measurable" in distillation_verdict(good, good, good, Interval(0.01, -0.02, 0.04))


def test_fine_tuned_models_inherit_the_decision_policy_of_their_start(tiny_onnx, tmp_path):
    import shutil

    from ml.runtime.classifier import CrackClassifier
    from ml.runtime.decision import DecisionPolicy
    from ml.training.calibration import store_policy
    from ml.training.finetune import inherit_decision

    start = tmp_path / "shipped.onnx"
    shutil.copy(tiny_onnx, start)
    policy = DecisionPolicy(temperature=1.5, crack_threshold=0.91)
    store_policy(start, policy, {})
    new = tmp_path / "new.onnx"
    shutil.copy(tiny_onnx, new)
    assert not inherit_decision(tmp_path / "elsewhere.pt", [new])  # no twin: defaults stay
    assert inherit_decision(tmp_path / "shipped.pt", [new])
    assert DecisionPolicy.from_metadata(CrackClassifier(new).metadata) == policy



def test_a_baseline_at_chance_is_said_as_what_the_test_checks():
    from ml.comparison import verdict_text

    same = {"value": 0.0, "low": -0.1, "high": 0.1}
    result = {"baseline": "Model in use", "frames": 30,
              "models": {"Model in use": {"chance_level": True},
                         "New": {"chance_level": False}},
              "differences": {"New": {"macro_f1": same}}}
    text = verdict_text(result)
    assert "Model in use itself is not clearly above always answering the commonest class " \
           "on these 30 frames (chance level)." in text
    assert "No measurable difference between New and Model in use" in text
