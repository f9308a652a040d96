"""Weight averaging of a start model and its fine-tuned self (ml/training/weight_average.py)."""

import json

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
    assert wa.main([str(tuned_run), "--alpha", "0.5", "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["config"]["weight_average"]["alpha"] == 0.5
    assert metrics["test"]["n"] > 0 and 0 <= metrics["test"]["accuracy"] <= 1
    assert (out / "split.csv").read_text() == (tuned_run / "split.csv").read_text()
    packaged = package_run(out, inherit=False)
    assert (out / "model.onnx").is_file() and packaged["decision"]["source"] in (
        "validation", "default")
    assert "0.50 x `student.pt` (the start)" in (out / "MODEL_CARD.md").read_text()


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
    assert "changed since" in capsys.readouterr().err and not (tmp_path / "run_wise50").exists()
