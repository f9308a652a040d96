"""The hard synthetic test's figures: what the app would raise, per subtype, and why it missed."""

import json
from pathlib import Path

import pytest

from ml.recipes import hard_test
from ml.runtime.classifier import CrackClassifier

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "resources" / "models" / "cmi_student.onnx"


def _scene(name: str, view: str, material: str, image: list[str]) -> dict:
    return {"file": name, "view": view, "look": {"material": material}, "wall_features": [],
            "image_features": image}


@pytest.fixture()
def scored(tmp_path, monkeypatch):
    """Five frames with known outcomes: two CC (one found and right, one found as CL although
    the renderer could not show its crack), one CL missed, two ND (one false alarm)."""
    outcomes = {"CC/a.png": ("crack", "CC"), "CC/b.png": ("crack", "CL"),
                "CL/c.png": ("not_sure", None), "ND/d.png": ("crack", "CM"),
                "ND/e.png": ("no_crack", None)}
    scenes = [_scene("CC/a.png", "pipe", "vcp", []),
              {**_scene("CC/b.png", "pipe", "vcp", []), "extra": {"crack_hidden": True}},
              _scene("CL/c.png", "wall", "brick", ["cobwebs"]),
              _scene("ND/d.png", "closeup", "hdpe_corrugated", ["glints"]),
              _scene("ND/e.png", "pipe", "vcp", [])]
    (tmp_path / "scenes.jsonl").write_text("".join(json.dumps(s) + "\n" for s in scenes))

    class Model:
        model_id = "fake"

        def __init__(self, *_args, **_kwargs) -> None:
            pass

    def classify(_folders, _classifier, _policy):
        for name, (outcome, code) in outcomes.items():
            yield {"file": str(tmp_path / name), "outcome": outcome, "suggestion": code}

    monkeypatch.setattr(hard_test, "CrackClassifier", Model)
    monkeypatch.setattr(hard_test, "policy_for", lambda _c: None)
    monkeypatch.setattr(hard_test, "classify_files", classify)
    return hard_test.score(Path("fake.onnx"), tmp_path)


def test_recall_subtype_and_false_alarms_count_raised_suggestions(scored):
    assert scored["frames"] == 5
    assert scored["crack_recall"] == pytest.approx(2 / 3)
    assert scored["subtype_accuracy_of_found"] == pytest.approx(1 / 2)
    assert scored["false_alarm"] == pytest.approx(1 / 2)
    assert scored["not_sure"] == pytest.approx(1 / 5)


def test_recall_is_given_per_subtype_with_the_subtypes_named(scored):
    assert scored["recall_by_subtype"] == {"CC": 1.0, "CL": 0.0}
    assert scored["subtypes_of_found"] == {"CC->CC": 1, "CC->CL": 1}


def test_frames_whose_crack_does_not_show_are_counted_apart(scored):
    assert scored["hidden_crack_frames"] == 1
    assert scored["crack_recall_shown"] == pytest.approx(1 / 2)  # a found, c missed
    assert scored["subtype_accuracy_of_found_shown"] == 1.0  # b's wrong name left out
    assert scored["crack_recall"] == pytest.approx(2 / 3)  # the headline keeps every frame


def test_misses_and_false_alarms_name_the_scene_features(scored):
    assert scored["misses_by_feature"] == {"view:wall": 1, "material:brick": 1, "cobwebs": 1}
    assert scored["false_alarms_by_feature"] == {"view:closeup": 1,
                                                 "material:hdpe_corrugated": 1, "glints": 1}


def test_the_shipped_model_on_a_small_rendered_set(tmp_path, capsys):
    hard_test.render(tmp_path, per_class=2)
    assert hard_test.main([str(SHIPPED), "--data", str(tmp_path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["model"] == CrackClassifier(SHIPPED).model_id
    assert result["frames"] == 20  # 2 per subtype, as many crack-free frames as cracks
    by_subtype = result["recall_by_subtype"]
    assert sorted(by_subtype) == ["CC", "CH", "CL", "CM", "CS"]
    assert sum(by_subtype.values()) / 5 == pytest.approx(result["crack_recall"])
    missed = round((1 - result["crack_recall"]) * 10)
    assert sum(result["subtypes_of_found"].values()) == 10 - missed
    views = sum(n for k, n in result["misses_by_feature"].items() if k.startswith("view:"))
    # one view per missed frame; only the 8 commonest features are kept, so a view may fall off
    assert views == missed if len(result["misses_by_feature"]) < 8 else views <= missed


def test_the_model_card_names_the_recall_of_each_subtype(tmp_path, scored):
    from ml.recipes.real_card import card_appendix

    fit = {"temperature": 1.0, "crack_threshold": 0.9, "max_false_alarm": 0.03, "frames": 10,
           "crack_recall": 0.5, "false_alarm": 0.03}
    (tmp_path / "decision_fit.json").write_text(json.dumps(fit))
    (tmp_path / "evaluation.json").write_text(json.dumps({"hard_synthetic": scored}))
    (tmp_path / "metrics.json").write_text(json.dumps({"config": {"arch": "cmi"}}))
    card = card_appendix(tmp_path)
    assert "Crack recall by subtype: CC 100 %, CL 0 %" in card
    assert "share the frame with: wall view, brick, cobwebs." in card
    assert "Without the 1 crack frames whose crack does not show: recall 50.0 %" in card
    del scored["recall_by_subtype"]  # an evaluation from before the figure existed
    (tmp_path / "evaluation.json").write_text(json.dumps({"hard_synthetic": scored}))
    assert "by subtype" not in card_appendix(tmp_path)
