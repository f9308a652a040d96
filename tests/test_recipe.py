"""The committed recipe, at tiny settings: every step from stills to results table runs."""

from ml.recipes.shipped_model import main


def test_quick_recipe_produces_models_card_and_results(tmp_path):
    assert main(["--work", str(tmp_path), "--quick", "--threads", "1"]) == 0
    models = tmp_path / "models"
    assert (models / "cmi_student.onnx").exists() and (models / "MODEL_CARD.md").exists()
    text = (tmp_path / "results.md").read_text()
    for row in ("ResNet50 teacher", "CMI, CE only", "CMI, KD T=4 alpha=0.9", "MobileNetV2"):
        assert row in text
    assert "Did distillation pay off?" in text and "teacher_fp32" in text
    assert (tmp_path / "bench.json").exists()
