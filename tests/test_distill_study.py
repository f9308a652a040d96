"""The distillation study recipe: paired gains, resumable stages and the report it writes."""

import json
import os
from pathlib import Path

import pytest

from ml.recipes import distill_study as ds
from ml.recipes.study_report import BEGIN, paired_gains, write_report


def _row(name, seed, acc, f1):
    return {"name": name, "arch": "cmi", "kd": None, "seed": seed, "accuracy": acc,
            "macro_f1": f1, "params": 1000, "latency_ms": 0.5}


def test_gains_pair_each_seed_with_the_same_seed_trained_alone():
    rows = [_row("cmi_ce", 0, 0.50, 0.40), _row("cmi_ce", 1, 0.60, 0.50),
            _row("cmi_kd", 0, 0.55, 0.43), _row("cmi_kd", 1, 0.62, 0.55),
            _row("cmi_kd", 2, 0.99, 0.99)]  # no CE run with seed 2: not paired
    gains = paired_gains(rows)["cmi_kd"]
    assert gains["seeds"] == [0, 1]
    assert gains["per_seed_accuracy_gain"] == [5.0, 2.0]
    assert gains["accuracy_gain_points"] == pytest.approx(3.5)
    assert gains["macro_f1_gain_points"] == pytest.approx(4.0)
    assert gains["accuracy_gain_sd"] > 0


def test_peers_are_not_counted_as_distillation():
    rows = [_row("cmi_ce", 0, 0.5, 0.4), {**_row("mobilenet_v3_small_ce", 0, 0.7, 0.7),
                                           "arch": "mobilenet_v3_small"}]
    assert paired_gains(rows) == {}


@pytest.fixture(scope="module")
def tiny_study(tmp_path_factory):
    from ml.synth.stills import write_stills

    root = tmp_path_factory.mktemp("study")
    write_stills(root / "data", 4, 48, seed=5, no_crack_share=None)
    study = ds.Study(data=root / "data", work=root / "work", teacher_arch="cmi",
                     teacher_epochs=1, student_epochs=1, student_batch=8, teacher_batch=8,
                     image_size=48, seeds=(0, 1), extras=False, latency_repeats=0, threads=1)
    ds.train_teacher(study)
    ds.train_students(study)
    return study


def test_every_main_setting_runs_for_every_seed_and_a_rerun_trains_nothing(tiny_study):
    runs = ds.done_runs(tiny_study)
    assert {(s.name, seed) for s, seed, _ in runs} == {
        (s.name, seed) for s in ds.MAIN for seed in (0, 1)}
    stamps = {p: p.stat().st_mtime_ns for p in tiny_study.work.glob("*/metrics.json")}
    ds.train_students(tiny_study)
    assert {p: p.stat().st_mtime_ns for p in tiny_study.work.glob("*/metrics.json")} == stamps


def test_distilled_runs_learn_from_the_studys_teacher(tiny_study):
    for setting, _seed, summary in ds.done_runs(tiny_study):
        config = summary["config"]
        if setting.mode == "distill":
            assert config["teacher"] == str(tiny_study.teacher_run / "best.pt")
            assert config["kd_method"] == setting.kd_method
        else:
            assert not config["teacher"]


def test_report_fills_results_json_and_replaces_its_markdown_section(tiny_study, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "results.json").write_text(json.dumps({"real_footage": {"kept": True}}))
    (docs / "results.md").write_text("# Results\n\nearlier text\n")
    summary = ds.summarise(tiny_study)
    write_report(summary, tiny_study.work, docs)
    write_report(summary, tiny_study.work, docs)
    results = json.loads((docs / "results.json").read_text())
    assert results["real_footage"] == {"kept": True}
    assert {"test_set", "teacher", "students", "distillation"} <= set(results)
    assert len(results["students"]) == len(ds.MAIN) * 2
    assert set(results["distillation"]) == {s.name for s in ds.MAIN if s.mode == "distill"}
    for row in results["students"]:
        assert {"name", "arch", "kd", "seed", "accuracy", "macro_f1", "params",
                "latency_ms"} <= set(row)
    md = (docs / "results.md").read_text()
    assert md.count(BEGIN) == 1 and "earlier text" in md


def test_a_cmi_v3_study_freezes_the_front_and_shares_data_and_balance(tmp_path):
    from ml.synth.stills import write_stills

    write_stills(tmp_path / "data", 3, 48, seed=6, no_crack_share=None)
    write_stills(tmp_path / "extra", 1, 48, seed=7, no_crack_share=None)
    study = ds.Study(data=tmp_path / "data", work=tmp_path / "work", teacher_arch="cmi",
                     teacher_epochs=1, student_epochs=1, student_batch=8, teacher_batch=8,
                     image_size=48, seeds=(0,), extras=False, latency_repeats=0, threads=1,
                     student_arch="cmi_v3", freeze_front=True, balance="none",
                     train_extra=str(tmp_path / "extra"))
    ds.train_teacher(study)
    ds.train_student(study, ds.MAIN[2], 0)
    config = json.loads((study.run_dir(ds.MAIN[2], 0) / "metrics.json").read_text())["config"]
    assert (config["arch"], config["freeze_front"], config["balance"]) == ("cmi_v3", True, "none")
    assert config["train_extra"] == str(tmp_path / "extra")
    teacher = json.loads((study.teacher_run / "metrics.json").read_text())["config"]
    assert teacher["train_extra"] == config["train_extra"] and not teacher["freeze_front"]
    row = ds.summarise(study)["students"][0]
    assert row["arch"] == "cmi_v3" and row["frozen_front"] is True
    assert list((study.work / "front_cache").glob("front_*.pt"))


def test_a_teacher_can_start_from_a_trained_student_checkpoint(tiny_student, tmp_path):
    from ml.synth.stills import write_stills

    write_stills(tmp_path / "data", 3, 48, seed=8, no_crack_share=None)
    study = ds.Study(data=tmp_path / "data", work=tmp_path / "work", teacher_arch="cmi",
                     teacher_epochs=1, teacher_batch=8, image_size=48, threads=1,
                     latency_repeats=0, teacher_init=str(tiny_student))
    config = ds.train_teacher(study)["config"]
    assert config["mode"] == "finetune" and config["init_from"] == str(tiny_student)


def test_a_finished_run_with_other_settings_is_refused_not_reused(tiny_study):
    other = ds.Study(**{**tiny_study.__dict__, "student_lr": tiny_study.student_lr * 2})
    with pytest.raises(SystemExit, match=r"cmi_ce_s0: a run with other settings: "
                                         r"lr 0\.003 \(asked 0\.006\)"):
        ds.train_student(other, ds.CMI_CE, 0)
    more_threads = ds.Study(**{**tiny_study.__dict__, "threads": 2})  # changes nothing learned
    assert ds.train_student(more_threads, ds.CMI_CE, 0)["test"] is not None
    relative = ds.Study(**{**tiny_study.__dict__,  # the same folders, written another way
                           "data": Path(os.path.relpath(tiny_study.data)),
                           "work": Path(os.path.relpath(tiny_study.work))})
    assert ds.train_student(relative, ds.MAIN[1], 0)["test"] is not None


def test_a_stopped_run_resumes_only_under_its_own_settings(tiny_study, tmp_path):
    import shutil

    study = ds.Study(**{**tiny_study.__dict__, "work": tmp_path / "work"})
    shutil.copytree(tiny_study.teacher_run, study.teacher_run)
    stopped = study.run_dir(ds.CMI_CE, 0)
    stopped.mkdir(parents=True)
    for name in ("last.pt", "config.yaml"):  # what a stopped run leaves
        shutil.copy(tiny_study.run_dir(ds.CMI_CE, 0) / name, stopped / name)
    other = ds.Study(**{**study.__dict__, "student_epochs": 3})
    with pytest.raises(SystemExit, match="epochs 1 .asked 3."):
        ds.train_student(other, ds.CMI_CE, 0)
    assert not (stopped / "metrics.json").exists()


def test_the_fresh_stage_scores_every_run_on_another_seeds_stills(tiny_study, tmp_path):
    from ml.synth.stills import write_stills

    write_stills(tmp_path / "fresh", 2, 48, seed=99, no_crack_share=None)
    result = ds.fresh_test(tiny_study, tmp_path / "fresh")
    try:
        names = {"teacher"} | {tiny_study.run_dir(s, seed).name for s in ds.MAIN
                               for seed in (0, 1)}
        assert set(result["runs"]) == names and result["frames"] == 12
        summary = ds.summarise(tiny_study)
        assert summary["teacher"]["fresh_accuracy"] == result["runs"]["teacher"]["accuracy"]
        assert all("fresh_macro_f1" in row for row in summary["students"])
        assert set(summary["distillation_fresh_test"]) == set(summary["distillation"])
        docs = tmp_path / "docs"
        docs.mkdir()
        write_report(summary, tiny_study.work, docs)
        md = (docs / "results.md").read_text()
        assert "fresh-seed test acc %" in md and "on the fresh-seed test set over seeds" in md
        # a run trained again since: its old fresh scores are not reported beside the new ones
        best = tiny_study.run_dir(ds.CMI_CE, 1) / "best.pt"
        os.utime(best, ns=(best.stat().st_atime_ns, best.stat().st_mtime_ns + 1))
        rows = {(r["name"], r["seed"]): r for r in ds.summarise(tiny_study)["students"]}
        assert "fresh_accuracy" not in rows[("cmi_ce", 1)]
        assert "fresh_accuracy" in rows[("cmi_ce", 0)]
    finally:  # the other tests' report has no fresh part
        (tiny_study.work / "fresh_test.json").unlink()


def test_a_wrong_fresh_test_folder_is_named_and_keeps_the_scores_on_record(tiny_study, tmp_path):
    record = tiny_study.work / "fresh_test.json"
    record.write_text('{"kept": true}')
    try:
        for folder, problem in ((tmp_path / "missing", "not a folder"),
                                (tmp_path, "no images in class folders")):
            with pytest.raises(SystemExit, match=f"--fresh-test: {folder}: {problem}"):
                ds.fresh_test(tiny_study, folder)
            assert record.read_text() == '{"kept": true}'
    finally:
        record.unlink()


def test_a_second_study_reports_under_its_own_key_and_keeps_the_first(tiny_study, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    summary = ds.summarise(tiny_study)
    write_report(summary, tiny_study.work, docs)
    first = json.loads((docs / "results.json").read_text())
    more = {**summary, "test_set": "more data"}
    write_report(more, tiny_study.work, docs, key="more_data", title="more stills")
    write_report(more, tiny_study.work, docs, key="more_data", title="more stills")
    results = json.loads((docs / "results.json").read_text())
    assert results["test_set"] == first["test_set"] != "more data"  # the top level stays
    assert results["more_data"]["test_set"] == "more data"
    assert len(results["more_data"]["students"]) == len(first["students"])
    md = (docs / "results.md").read_text()
    assert md.count(BEGIN) == 1 and md.count("<!-- distill_study:more_data:begin -->") == 1
    assert "## Distillation study: more stills" in md and "under `more_data`" in md
    assert results["more_data"]["report_key"] == "more_data"


@pytest.mark.parametrize("key", ["distillation", "students", "fine_tune", "Bad-Key"])
def test_a_second_study_never_overwrites_other_results(tiny_study, tmp_path, key):
    docs = tmp_path / "docs"
    docs.mkdir()
    summary = ds.summarise(tiny_study)
    write_report(summary, tiny_study.work, docs)
    results = docs / "results.json"
    results.write_text(json.dumps({**json.loads(results.read_text()), "fine_tune": {"kept": 1}}))
    before = results.read_text()
    with pytest.raises(SystemExit, match=key):
        write_report(summary, tiny_study.work, docs, key=key)
    assert results.read_text() == before

