"""Every packaged model carries a decision policy: fitted on the run's own validation split,
or inherited from the model it was fine-tuned from; never the bare runtime default unsaid."""

from __future__ import annotations

import json
import shutil

import onnx
import pytest

from ml.datasets import read_split
from ml.runtime.decision import DecisionPolicy
from ml.training.calibration import store_policy
from ml.training.export import int8_weight_range
from ml.training.finetune import package_run
from sewer_gui.training_recipe import event_text
from tests.ml_fixtures import tiny_fit


def _meta(model) -> dict[str, str]:
    return {p.key: p.value for p in onnx.load(str(model)).metadata_props}


@pytest.fixture(scope="module")
def scratch_run(tiny_student, tmp_path_factory):
    """The 1-epoch from-scratch run behind the tiny student (no decision policy of its own)."""
    run = tmp_path_factory.mktemp("scratch") / "run"
    shutil.copytree(tiny_student.parent / "student_run", run)
    return run


def test_a_run_from_scratch_is_calibrated_on_its_validation_split(scratch_run):
    events = []
    out = package_run(scratch_run, "scratch-test", lambda event, **data: events.append(
        {"event": event, **data}))
    fp32, int8 = _meta(scratch_run / "model.onnx"), _meta(scratch_run / "model_int8.onnx")
    assert "decision" in fp32 and fp32["decision"] == int8["decision"]
    assert max(map(abs, int8_weight_range(scratch_run / "model_int8.onnx"))) <= 64  # any CPU
    assert json.loads((scratch_run / "package.json").read_text())["int8_weight_bits"] == 7
    fit = json.loads(fp32["decision_fit"])
    assert fit["frames"] == len(read_split(scratch_run / "split.csv", "val"))
    assert DecisionPolicy.from_metadata(fp32).crack_threshold == fit["crack_threshold"]
    assert out["decision"]["source"] == "validation"
    calibrated = next(e for e in events if e["event"] == "calibrated")
    assert event_text(calibrated).startswith(f"Calibrated on {fit['frames']} validation frames")
    assert json.loads((scratch_run / "package.json").read_text())["decision"]["source"] == \
        "validation"


def test_a_run_without_validation_frames_keeps_the_default_policy_on_record(scratch_run,
                                                                          tmp_path):
    run = tmp_path / "run"
    shutil.copytree(scratch_run, run)
    split = run / "split.csv"
    split.write_text("".join(line for line in split.read_text().splitlines(keepends=True)
                             if not line.rstrip().endswith(",val")))
    out = package_run(run, "no-val")
    meta = _meta(run / "model.onnx")
    assert DecisionPolicy.from_metadata(meta) == DecisionPolicy()
    assert "no val images" in json.loads(meta["decision_fit"])["warnings"][0]
    assert event_text({"event": "calibrated", **out["decision"]}).startswith("Warning: not")


def test_a_fine_tuned_run_inherits_its_starts_policy_else_is_calibrated(scratch_run,
                                                                         tiny_student,
                                                                         tiny_data, tmp_path):
    start = tmp_path / "shipped.pt"
    shutil.copy(tiny_student, start)
    run = tmp_path / "ft"
    tiny_fit(tiny_data, run, mode="finetune", arch="cmi", init_from=str(start))
    assert package_run(run, "ft-test")["decision"]["source"] == "validation"  # no twin yet
    shipped = DecisionPolicy(temperature=1.7, crack_threshold=0.88)
    shutil.copy(scratch_run / "model.onnx", start.with_suffix(".onnx"))
    store_policy(start.with_suffix(".onnx"), shipped, {})
    out = package_run(run, "ft-test")
    assert out["decision"] == {"source": "inherited", "inherited_from": "shipped.onnx"}
    for name in ("model.onnx", "model_int8.onnx"):
        assert DecisionPolicy.from_metadata(_meta(run / name)) == shipped
    # A recipe run (thousands of validation frames) fits its own policy whatever it started from.
    refit = package_run(run, "ft-test", inherit=False)
    assert refit["decision"]["source"] == "validation"
    assert DecisionPolicy.from_metadata(_meta(run / "model.onnx")) != shipped
