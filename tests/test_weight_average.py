"""Weight averaging of a start model and its fine-tuned self (ml/training/weight_average.py)."""

import hashlib
import json
import shutil

import pytest
import torch

from ml.training import weight_average as wa
from tests.ml_fixtures import tiny_fit


def test_interpolate_is_the_straight_line_and_keeps_counters_from_the_tuned_model():
    start = {"w": torch.tensor([0.0, 2.0]), "n": torch.tensor(5)}
    tuned = {"w": torch.tensor([4.0, -2.0]), "n": torch.tensor(9)}
    assert torch.equal(wa.interpolate(start, tuned, 0.0)["w"], start["w"])
    assert torch.equal(wa.interpolate(start, tuned, 1.0)["w"], tuned["w"])
    quarter = wa.interpolate(start, tuned, 0.25)
    assert torch.allclose(quarter["w"], torch.tensor([1.0, 1.0]))
    assert quarter["n"].item() == 9 and quarter["n"].dtype == torch.int64


@pytest.mark.parametrize("start, tuned, alpha, message", [
    ({"w": torch.zeros(2)}, {"w": torch.zeros(2)}, 1.5, "within 0..1"),
    ({"w": torch.zeros(2)}, {"v": torch.zeros(2)}, 0.5, "different layers"),
    ({"w": torch.zeros(2)}, {"w": torch.zeros(3)}, 0.5, "w: shape"),
])
def test_interpolate_refuses_models_that_do_not_line_up(start, tuned, alpha, message):
    with pytest.raises(ValueError, match=message):
        wa.interpolate(start, tuned, alpha)


@pytest.fixture(scope="module")
def tuned_run(tiny_data, tiny_student, tmp_path_factory):
    run = tmp_path_factory.mktemp("wise") / "tuned"
    tiny_fit(tiny_data, run, mode="finetune", arch="cmi", init_from=str(tiny_student), lr=0.05)
    return run


def _logits(checkpoint, images):
    from ml.training.run import load_checkpoint_model

    model, _ = load_checkpoint_model(checkpoint)
    with torch.inference_mode():
        return model.eval()(images)


def test_the_ends_of_the_line_are_the_start_and_the_tuned_model(tuned_run, tiny_student,
                                                                 tmp_path):
    from ml.training.finetune import load_student

    images = torch.randn(3, 3, 32, 32)
    start_model, _ = load_student(tiny_student)
    with torch.inference_mode():
        start_logits = start_model(images)
    tuned_logits = _logits(tuned_run / "best.pt", images)
    assert not torch.allclose(start_logits, tuned_logits, atol=1e-3)  # fine-tuning moved it
    for alpha, expected in ((0.0, start_logits), (1.0, tuned_logits)):
        out = tmp_path / f"a{alpha}"
        wa.average_run(wa.start_of(tuned_run), tuned_run, alpha, out)
        assert torch.allclose(_logits(out / "best.pt", images), expected, atol=1e-5)
    wa.average_run(tiny_student, tuned_run, 0.5, tmp_path / "half")
    middle = _logits(tmp_path / "half" / "best.pt", images)
    assert not torch.allclose(middle, start_logits, atol=1e-3)
    assert not torch.allclose(middle, tuned_logits, atol=1e-3)


def test_the_average_is_a_run_that_packages_with_its_own_test_figures(tuned_run, tmp_path):
    from ml.training.finetune import package_run

    out = tmp_path / "avg"
    assert wa.main([str(tuned_run), "--alpha", "0.3", "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["config"]["weight_average"]["alpha"] == 0.3
    assert metrics["history"] == [] and metrics["tuned_history"]  # the average never trained
    assert metrics["test"]["n"] > 0 and 0 <= metrics["test"]["accuracy"] <= 1
    assert (out / "split.csv").read_text() == (tuned_run / "split.csv").read_text()
    packaged = package_run(out, inherit=False)
    assert (out / "model.onnx").is_file() and packaged["decision"]["source"] in (
        "validation", "default")
    assert "0.70 x the start `tiny-student` + 0.30 x" in (out / "MODEL_CARD.md").read_text()


def test_a_start_model_changed_since_the_run_is_refused(tuned_run, tmp_path, capsys):
    start = tmp_path / "start.pt"
    start.write_bytes(b"not the same weights")
    metrics = json.loads((tuned_run / "metrics.json").read_text())
    run = tmp_path / "run"
    run.mkdir()
    metrics["config"]["init_from"] = str(start)
    (run / "metrics.json").write_text(json.dumps(metrics))
    (run / "start.json").write_text(json.dumps({"start": str(start), "sha256": "0" * 64}))
    with pytest.raises(SystemExit) as stop:
        wa.main([str(run), "--alpha", "0.5"])
    assert stop.value.code == 1
    assert "sha256 differs" in capsys.readouterr().err and not (tmp_path / "run_wise50").exists()


def _record(run, start):
    (run / "start.json").write_text(json.dumps(
        {"start": str(start), "sha256": hashlib.sha256(start.read_bytes()).hexdigest()}))


def test_the_recorded_start_is_accepted_and_a_replaced_one_refused(tuned_run, tiny_student,
                                                                    tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    shutil.copy2(tuned_run / "metrics.json", run / "metrics.json")
    moved = tmp_path / "moved.pt"
    shutil.copy2(tiny_student, moved)
    _record(run, moved)
    assert wa.start_of(run, moved) == moved  # --start: the very bytes the run recorded
    assert wa.start_of(run) == tiny_student  # its init_from, unchanged
    moved.write_bytes(moved.read_bytes()[:-1] + b"x")  # replaced in place, as install does
    with pytest.raises(ValueError, match=r"not the checkpoint .* \(sha256 differs"):
        wa.start_of(run, moved)
    with pytest.raises(ValueError, match="no such checkpoint"):
        wa.start_of(run, tmp_path / "gone.pt")
    (run / "start.json").unlink()
    assert wa.start_of(run, tiny_student) == tiny_student
    assert "cannot check" in capsys.readouterr().err  # no record: said, not silent


def test_an_average_never_goes_into_a_folder_that_holds_files(tuned_run, tiny_student,
                                                              tmp_path):
    out = tmp_path / "used"
    out.mkdir()
    (out / "model.onnx").write_bytes(b"an earlier average")
    for target in (out, tuned_run):
        with pytest.raises(ValueError, match="not empty"):
            wa.average_run(tiny_student, tuned_run, 0.5, target)
    assert (out / "model.onnx").read_bytes() == b"an earlier average"
    assert not (out / "best.pt").exists()
