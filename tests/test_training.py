import json
import os
import signal
import subprocess
import sys

import numpy as np
import onnx
import pytest
import torch

from ml.classes import CLASS_NAMES
from ml.runtime.classifier import CrackClassifier, ModelError
from ml.training.models import build_model, count_parameters
from ml.training.run import load_checkpoint_model
from tests.ml_fixtures import tiny_config, tiny_fit


def test_student_is_at_most_a_tenth_of_the_teacher():
    teacher = count_parameters(build_model("resnet50", 6))
    assert count_parameters(build_model("cmi", 6)) <= teacher / 10


@pytest.mark.parametrize("arch", ["cmi", "mobilenet_v2"])
def test_models_give_logits_for_every_class(arch):
    model = build_model(arch, len(CLASS_NAMES)).eval()
    assert model(torch.zeros(2, 3, 64, 64)).shape == (2, len(CLASS_NAMES))


def test_teacher_run_writes_checkpoints_config_and_metrics(tiny_teacher):
    model, ckpt = load_checkpoint_model(tiny_teacher["checkpoint"])
    assert ckpt["config"]["arch"] == "resnet50" and ckpt["class_names"] == list(CLASS_NAMES)
    run_dir = os.path.dirname(tiny_teacher["checkpoint"])
    assert {"best.pt", "last.pt", "config.yaml", "metrics.json"} <= set(os.listdir(run_dir))
    assert 0 <= tiny_teacher["test"]["accuracy"] <= 1


@pytest.mark.parametrize("method", ["kd", "dkd", "dist"])
def test_one_distillation_step_of_each_method(tiny_data, tiny_teacher, tmp_path, method):
    summary = tiny_fit(tiny_data, tmp_path, mode="distill", arch="cmi", kd_method=method,
                       teacher=tiny_teacher["checkpoint"])
    assert len(summary["history"]) == 1 and np.isfinite(summary["history"][0]["train_loss"])


def test_distillation_from_weighted_teachers_with_bf16_and_channels_last(tiny_data, tiny_teacher,
                                                                         tmp_path):
    teachers = ",".join([tiny_teacher["checkpoint"]] * 2)
    summary = tiny_fit(tiny_data, tmp_path, mode="distill", arch="cmi", kd_method="dist",
                       teacher=teachers, teacher_weights="1,3", bf16_cpu=True,
                       channels_last=True, device="cpu")
    assert np.isfinite(summary["history"][0]["train_loss"])
    with pytest.raises(ValueError, match="one weight per teacher"):
        tiny_config(tiny_data, tmp_path, mode="distill", teacher=teachers,
                    teacher_weights="1").validate()


def test_resume_continues_from_the_last_epoch(tiny_data, tmp_path):
    tiny_fit(tiny_data, tmp_path, mode="student", arch="cmi", epochs=1)
    resumed = tiny_fit(tiny_data, tmp_path, mode="student", arch="cmi", epochs=2, resume=True)
    assert [row["epoch"] for row in resumed["history"]] == [1, 2]


def test_distill_without_teacher_is_refused(tiny_data, tmp_path):
    with pytest.raises(ValueError, match="--teacher"):
        tiny_config(tiny_data, tmp_path, mode="distill").validate()


def test_cancel_stops_the_child_and_keeps_a_checkpoint(tiny_data, tmp_path):
    cmd = [sys.executable, "-m", "ml.cli", "train-student", "--data", str(tiny_data), "--out",
           str(tmp_path), "--epochs", "50", "--image-size", "32", "--batch-size", "4",
           "--progress", "json", "--threads", "1"]
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    for line in child.stdout:
        if json.loads(line)["event"] == "batch":
            child.send_signal(signal.SIGTERM)
            break
    rest = child.stdout.read()
    assert child.wait(timeout=60) == 130
    assert '"cancelled"' in rest and (tmp_path / "last.pt").exists()


def test_bad_dataset_reports_json_error(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = subprocess.run([sys.executable, "-m", "ml.cli", "train-student", "--data", str(empty),
                          "--out", str(tmp_path / "o"), "--progress", "json"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    last = json.loads(out.stdout.strip().splitlines()[-1])
    assert last["event"] == "error" and "no images in class folders" in last["message"]


def test_export_metadata_and_parity(tiny_onnx):
    proto = onnx.load(str(tiny_onnx))
    meta = {p.key: p.value for p in proto.metadata_props}
    assert json.loads(meta["class_names"]) == list(CLASS_NAMES)
    assert meta["model_id"] == "tiny-test" and meta["input_size"] == "32"
    clf = CrackClassifier(tiny_onnx)
    frames = [np.full((60, 80, 3), v, np.uint8) for v in (10, 120, 240)]
    probs = clf.probabilities(frames)
    assert probs.shape == (3, 6) and np.allclose(probs.sum(1), 1, atol=1e-5)


def test_classifier_refuses_foreign_models(tmp_path, tiny_onnx):
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"definitely not protobuf")
    with pytest.raises(ModelError, match="junk.onnx: not an ONNX model"):
        CrackClassifier(junk)
    bare = onnx.load(str(tiny_onnx))
    del bare.metadata_props[:]
    onnx.save(bare, str(tmp_path / "bare.onnx"))
    with pytest.raises(ModelError, match="metadata missing"):
        CrackClassifier(tmp_path / "bare.onnx")
    renamed = onnx.load(str(tiny_onnx))
    for prop in renamed.metadata_props:
        if prop.key == "class_names":
            prop.value = json.dumps(["cat", "dog", "CC", "CL", "CS", "CM"])
    onnx.save(renamed, str(tmp_path / "pets.onnx"))
    with pytest.raises(ModelError, match="do not map onto PACP"):
        CrackClassifier(tmp_path / "pets.onnx")
    with pytest.raises(ModelError, match="no such model file"):
        CrackClassifier(tmp_path / "missing.onnx")


def test_teacher_logits_are_cached_for_later_runs(tiny_data, tiny_teacher, tmp_path):
    import pathlib

    teacher_dir = pathlib.Path(tiny_teacher["checkpoint"]).parent
    before = set(teacher_dir.glob("logits_*.pt"))
    first = tiny_fit(tiny_data, tmp_path / "a", mode="distill", arch="cmi",
                     teacher=tiny_teacher["checkpoint"], image_size=24)
    created = set(teacher_dir.glob("logits_*.pt")) - before
    assert len(created) == 1
    again = tiny_fit(tiny_data, tmp_path / "b", mode="distill", arch="cmi",
                     teacher=tiny_teacher["checkpoint"], image_size=24)
    assert set(teacher_dir.glob("logits_*.pt")) - before == created
    assert first["history"][0]["train_loss"] == again["history"][0]["train_loss"]


def test_torchrun_ddp_on_cpu_shares_each_epoch(tiny_data, tmp_path):
    """Two gloo ranks: each takes half the batches; rank 0 alone writes the checkpoints."""
    import shutil

    torchrun = shutil.which("torchrun", path=os.path.dirname(sys.executable))
    if torchrun is None:
        pytest.skip("torchrun is not installed beside this interpreter")
    out = subprocess.run([torchrun, "--nproc-per-node", "2", "-m", "ml.cli", "train-student",
                          "--data", str(tiny_data), "--out", str(tmp_path), "--epochs", "1",
                          "--image-size", "32", "--batch-size", "4", "--threads", "1",
                          "--progress", "json"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    events = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    start = next(e for e in events if e["event"] == "start")
    assert start["steps_per_epoch"] == 3  # 24 training images / (4 per batch x 2 ranks)
    assert sum(e["event"] == "done" for e in events) == 1
    assert (tmp_path / "best.pt").exists()
