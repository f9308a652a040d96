"""The shipped-model recipe's look-alike stages: extra no-crack stills, then a fine-tune that
keeps the trained run's validation and test frames out of training."""

import csv
import json

import pytest

from ml.recipes import real_model as rm


def _parts(split_csv):
    with open(split_csv, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {part: sorted(r["path"] for r in rows if r["part"] == part)
            for part in ("train", "val", "test")}


@pytest.fixture(scope="module")
def tuned_plan(tmp_path_factory):
    from ml.synth.stills import write_stills

    plan = rm.Plan(work=tmp_path_factory.mktemp("real_model"), size=48, image_size=48,
                   threads=1, teacher_arch="cmi", lookalike_no_crack=6, lookalike_per_crack=1,
                   matched_no_crack=2,
                   tune_epochs=1)
    write_stills(plan.data, 4, 48, seed=plan.seed, no_crack_share=None)
    rm.train(plan)
    rm.render_lookalikes(plan)
    rm.tune(plan)
    return plan


def test_lookalikes_are_mostly_no_crack_stills_of_their_own_seeds(tuned_plan):
    files = sorted(p.relative_to(tuned_plan.lookalikes).as_posix()
                   for p in tuned_plan.lookalikes.rglob("*.png"))
    no_crack = [f for f in files if f.startswith("ND/")]
    assert len(no_crack) == 6 + 2 and len(files) == 6 + 5 + 2
    matched = [f for f in no_crack if f"_{tuned_plan.seed + 3}_" in f]
    assert len(matched) == 2  # crack scenes without their crack, on a seed of their own
    assert not [f for f in files if f.endswith("_twin.png")]  # twins only when asked
    assert all(f"_{tuned_plan.seed}_" not in f for f in files)  # not the training seed


def test_tune_starts_from_the_trained_run_and_keeps_its_held_out_frames(tuned_plan):
    config = json.loads((tuned_plan.tuned / "metrics.json").read_text())["config"]
    assert config["mode"] == "finetune" and config["init_from"].endswith("trained_student.pt")
    assert config["train_extra"] == str(tuned_plan.lookalikes)
    assert config["balance"] == "none"
    trained, tuned = _parts(tuned_plan.run / "split.csv"), _parts(tuned_plan.tuned / "split.csv")
    assert tuned["val"] == trained["val"] and tuned["test"] == trained["test"]
    lookalikes = {str(p.resolve()) for p in tuned_plan.lookalikes.rglob("*.png")}
    assert set(tuned["train"]) == set(trained["train"]) | lookalikes  # extras train only


def test_a_rerun_of_tune_trains_nothing(tuned_plan):
    stamp = (tuned_plan.tuned / "metrics.json").stat().st_mtime_ns
    rm.tune(tuned_plan)
    assert (tuned_plan.tuned / "metrics.json").stat().st_mtime_ns == stamp


def test_install_refuses_a_model_that_claims_too_many_real_frames(tmp_path, monkeypatch):
    run = tmp_path / "run"
    run.mkdir()
    (run / "evaluation.json").write_text(json.dumps({"real_frames": {"claim_rate": 0.238}}))
    copied = []
    monkeypatch.setattr(rm.shutil, "copy2", lambda *a: copied.append(a))
    with pytest.raises(SystemExit, match="23.8 % of the real frames"):
        rm.install(rm.Plan(work=tmp_path), run)
    assert copied == []  # nothing reached resources/models


@pytest.fixture(scope="module")
def refreshed_plan(tiny_student, tmp_path_factory):
    plan = rm.Plan(work=tmp_path_factory.mktemp("refresh"), size=48, threads=1,
                   refresh_per_class=1, refresh_epochs=1, start=tiny_student)
    rm.render_refresh(plan)
    rm.refresh(plan)
    return plan


def test_refresh_renders_its_own_seeds_with_matched_no_crack_stills(refreshed_plan):
    data = sorted(p.name for p in refreshed_plan.refresh_data.rglob("*.png"))
    matched = sorted(p.name for p in refreshed_plan.refresh_matched.rglob("*.png"))
    assert len(data) == 5 + 5 and sum(n.startswith("ND_") for n in data) == 5
    assert len(matched) == 5 and all(n.startswith(f"ND_{refreshed_plan.refresh_seed + 1}_")
                                     for n in matched)
    assert all(f"_{refreshed_plan.refresh_seed}_" in n for n in data)


def test_refresh_fine_tunes_the_start_model_and_tests_only_on_its_own_stills(refreshed_plan):
    config = json.loads((refreshed_plan.refreshed / "metrics.json").read_text())["config"]
    assert config["mode"] == "finetune" and config["init_from"] == str(refreshed_plan.start)
    assert config["train_extra"] == str(refreshed_plan.refresh_matched)
    assert config["image_size"] == 32  # the start model's size, not the plan's
    parts = _parts(refreshed_plan.refreshed / "split.csv")
    matched = {str(p.resolve()) for p in refreshed_plan.refresh_matched.rglob("*.png")}
    assert matched <= set(parts["train"])
    assert not matched & set(parts["val"] + parts["test"])


def test_refresh_trains_only_on_the_stills_of_its_own_n(refreshed_plan):
    from dataclasses import replace

    larger = replace(refreshed_plan, refresh_per_class=2)
    with pytest.raises(SystemExit, match=r"refresh_data: holds .*--refresh-per-class 2"):
        rm.refresh(larger)
    assert not larger.refreshed.exists()  # nothing trained on the wrong stills


def test_a_finished_refresh_from_another_start_model_is_not_reused(refreshed_plan):
    record = refreshed_plan.refreshed / "start.json"
    kept = record.read_text()
    try:
        record.write_text(json.dumps({"start": "x", "sha256": "0" * 64}))
        with pytest.raises(SystemExit, match="trained from another"):
            rm.refresh(refreshed_plan)
    finally:
        record.write_text(kept)
    rm.refresh(refreshed_plan)  # the same start model: the finished run is reused


def test_package_with_a_precision_target_fits_and_cards_that_rule(tuned_plan):
    from dataclasses import replace

    from ml.recipes.real_card import _policy

    plan = replace(tuned_plan, crack_share=0.1, min_precision=0.75)
    rm.package(plan)
    fit = json.loads((plan.tuned / "decision_fit.json").read_text())
    assert (fit["crack_share"], fit["min_precision"]) == (0.1, 0.75)
    assert "precision_at_share" in fit and "real share of 10 %" in _policy(fit)
    rm.package(replace(plan, crack_share=None))  # the plain false-alarm rule stores no share
    plain = json.loads((plan.tuned / "decision_fit.json").read_text())
    assert "crack_share" not in plain and "share" not in _policy(plain)


@pytest.mark.parametrize("argv, message", [
    (["--min-precision", "0.9"], "needs --crack-share"),
    (["--min-precision", "0.8"], "needs --crack-share"),  # the default, said without a share
    (["--crack-share", "0.1", "--min-precision", "0"], "strictly between 0 and 1"),
    (["--crack-share", "10"], "strictly between 0 and 1"),  # 10 meant as 10 %
])
def test_a_bad_precision_rule_stops_before_any_stage_runs(argv, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        rm.main(["--work", str(tmp_path), "--stage", "all", *argv])
    assert stop.value.code == 2 and message in capsys.readouterr().err
    assert not any(tmp_path.iterdir())  # nothing rendered


def test_an_anchored_refresh_trains_into_a_folder_of_its_own(refreshed_plan):
    from dataclasses import replace

    imagenet = replace(refreshed_plan, feature_anchor="imagenet", feature_anchor_weight=0.5)
    own = replace(refreshed_plan, feature_anchor=str(refreshed_plan.start))
    folders = {p.refreshed for p in (refreshed_plan, imagenet, own)}
    assert len(folders) == 3 and imagenet.refreshed.name.endswith("_anchor-imagenet0.5")
    # The tiny start model is a CMI, which has no pooled features to anchor: said, not ignored.
    with pytest.raises(ValueError, match="EfficientNet-Lite0 student"):
        rm.refresh(imagenet)


def test_a_jittered_refresh_is_a_run_of_its_own(refreshed_plan):
    from dataclasses import replace

    jittered = replace(refreshed_plan, photometric=0.5)
    assert jittered.refreshed.name == "refreshed_n1_photometric0.5"
    rm.refresh(jittered)
    config = json.loads((jittered.refreshed / "metrics.json").read_text())["config"]
    assert config["photometric"] == 0.5
    plain = json.loads((refreshed_plan.refreshed / "metrics.json").read_text())["config"]
    assert plain["photometric"] == 0.0
