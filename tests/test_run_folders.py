"""A run folder holds one run: going Back and changing the data or the options trains anew.

Found by a keys-only trial: after a finished run, Back, other frames, Next showed the earlier
run's model and figures as the new one's, under a data.csv that described the new frames.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ml.classes import CrackClass
from ml.datasets import Sample
from sewer_gui.run_folders import follow_changed_settings, steps_to_run, write_checked_data
from sewer_gui.training_recipe import WizardSettings, plan_steps


@pytest.fixture
def finished_run(tmp_path, monkeypatch):
    """A folder where a fine-tuning run on two frames has finished."""
    monkeypatch.setenv("SEWER_DATA_DIR", str(tmp_path / "data"))
    work = tmp_path / "data" / "training" / "first"
    s = WizardSettings(work_dir=str(work), sources=["one_class"])
    frames = [Sample(tmp_path / "a.png", CrackClass.CL, "g1")]
    s.manifest = str(write_checked_data(s, frames))
    s.save()
    for step in plan_steps(s):  # every step's output is there
        Path(step.done_when).parent.mkdir(parents=True, exist_ok=True)
        Path(step.done_when).write_text("{}")
    return s, frames


def test_other_frames_after_a_run_go_to_a_new_folder(finished_run, tmp_path):
    s, frames = finished_run
    first = Path(s.work_dir)
    kept = (first / "data.csv").read_text()
    untouched = first.stat().st_mtime_ns
    assert write_checked_data(s, frames) == first / "data.csv"  # the same frames: its run
    assert Path(s.work_dir) == first
    other = frames + [Sample(tmp_path / "b.png", CrackClass.ND, "g2")]
    s.sources = ["good.csv"]
    s.manifest = str(write_checked_data(s, other))
    new = Path(s.work_dir)
    assert new != first and new.is_dir() and Path(s.manifest) == new / "data.csv"
    assert "b.png" in (new / "data.csv").read_text()
    assert (first / "data.csv").read_text() == kept  # the earlier run still says what it saw
    assert not list(first.glob("data.csv.*")) and not list(first.parent.glob(".*"))
    # The run page moves on once more only if the settings change again.
    assert follow_changed_settings(s) is None
    assert all(not step.finished() for step in steps_to_run(s))
    assert first.stat().st_mtime_ns == untouched  # nothing written into it, not even for a while


def test_other_options_after_a_run_go_to_a_new_folder_and_are_timed_whole(finished_run):
    s, _ = finished_run
    first = Path(s.work_dir)
    assert follow_changed_settings(s) is None and all(st.finished() for st in steps_to_run(s))
    s.student_epochs = 30
    # The estimate counts every step: none of the earlier run's outputs is this run's.
    assert all(not st.finished() for st in steps_to_run(s))
    assert Path(s.work_dir) == first  # timing moves nothing
    assert follow_changed_settings(s) == first
    new = Path(s.work_dir)
    assert new != first and Path(s.manifest) == new / "data.csv"
    assert (new / "data.csv").read_bytes() == (first / "data.csv").read_bytes()
    assert WizardSettings.load(first).student_epochs == 12  # the earlier run as it was
    assert all(not st.finished() for st in plan_steps(s))


def test_the_run_page_trains_anew_after_the_options_changed(qtbot, finished_run):
    from sewer_gui.ui.wizard import TrainingWizard

    s, _ = finished_run
    first = Path(s.work_dir)
    wizard = TrainingWizard(work_dir=first)
    qtbot.addWidget(wizard)
    wizard.resume(first)  # the finished run's settings, as after Back
    run = wizard.run_page
    started = []
    run.child.start = started.append  # no training child: what it would run is enough
    run.initializePage()
    assert started == [] and run.isComplete()  # nothing changed: the finished run is shown
    wizard.settings.student_epochs = 30
    run.initializePage()
    assert Path(wizard.settings.work_dir) != first and started
    assert str(Path(wizard.settings.work_dir) / "finetune") in started[0]
    assert "the earlier one is kept" in run.log.toPlainText()


def test_a_new_run_takes_over_the_earlier_runs_teacher_when_it_would_train_the_same(
        tmp_path, monkeypatch):
    """A review: other student epochs trained the ResNet50 teacher, the longest step, again."""
    monkeypatch.setenv("SEWER_DATA_DIR", str(tmp_path / "data"))
    work = tmp_path / "data" / "training" / "first"
    s = WizardSettings(work_dir=str(work), sources=["team"], method="distill")
    s.manifest = str(write_checked_data(s, [Sample(tmp_path / "a.png", CrackClass.CL, "g1")]))
    s.save()
    for step in plan_steps(s):
        Path(step.done_when).parent.mkdir(parents=True, exist_ok=True)
        Path(step.done_when).write_text("{}")
    (work / "teacher" / "best.pt").write_text("weights")
    changed_teacher = WizardSettings.load(work)
    changed_teacher.teacher_epochs += 4
    s.student_epochs += 4
    assert "teacher" not in [st.name for st in steps_to_run(s)]  # the estimate knows
    assert "teacher" in [st.name for st in steps_to_run(changed_teacher)]
    assert follow_changed_settings(s) == work
    assert s.teacher_checkpoint == str(work / "teacher" / "best.pt")
    assert "teacher" not in [st.name for st in plan_steps(s)] and "distill" in [
        st.name for st in plan_steps(s)]
    assert follow_changed_settings(changed_teacher) == work
    assert changed_teacher.teacher_checkpoint == ""  # another teacher: trained anew


def test_the_run_log_says_when_other_frames_moved_the_run(qtbot, finished_run, tmp_path):
    """A retest: only a change of options was said in the log, not one of the frames."""
    from sewer_gui.ui.wizard import PageId, TrainingWizard

    s, frames = finished_run
    first = Path(s.work_dir)
    wizard = TrainingWizard(work_dir=first)
    qtbot.addWidget(wizard)
    wizard.resume(first)
    check = wizard.check_page
    check.usable = lambda: frames + [Sample(tmp_path / "b.png", CrackClass.ND, "g2")]
    assert check.validatePage() and Path(wizard.settings.work_dir) != first
    wizard.currentId = lambda: PageId.RECIPE  # Next on the recipe page, as a user goes on
    wizard.validateCurrentPage()
    run = wizard.run_page
    run.child.start = lambda args: None
    run.initializePage()
    assert f"since the run in {first} started" in run.log.toPlainText()


def test_a_new_run_takes_over_the_same_synthetic_stills(tmp_path, monkeypatch):
    """A retest: other epochs rendered the same seeded synthetic stills again, minutes of CPU."""
    monkeypatch.setenv("SEWER_DATA_DIR", str(tmp_path / "data"))
    work = tmp_path / "data" / "training" / "first"
    s = WizardSettings(work_dir=str(work), sources=["team"], synthetic_per_class=3)
    s.manifest = str(write_checked_data(s, [Sample(tmp_path / "a.png", CrackClass.CL, "g1")]))
    s.save()
    synthetic = next(st for st in plan_steps(s) if st.name == "synthetic")
    Path(synthetic.done_when).parent.mkdir(parents=True)
    Path(synthetic.done_when).write_text("png")
    (work / "synthetic" / "scenes.jsonl").write_text("{}")
    more = WizardSettings.load(work)
    more.synthetic_per_class = 5  # another render: made anew
    s.student_epochs += 3
    assert "synthetic" not in [st.name for st in steps_to_run(s)]  # the estimate knows
    assert "synthetic" in [st.name for st in steps_to_run(more)]
    assert follow_changed_settings(s) == work
    new = Path(s.work_dir)
    again = next(st for st in plan_steps(s) if st.name == "synthetic")
    assert again.finished() and Path(again.done_when).read_text() == "png"
    assert (new / "synthetic" / "scenes.jsonl").exists()
    assert (work / "synthetic" / "scenes.jsonl").exists()  # the earlier run keeps its own
    assert follow_changed_settings(more) == work
    assert not next(st for st in plan_steps(more) if st.name == "synthetic").finished()


def test_the_synthetic_step_is_done_only_when_its_last_still_is_written(tmp_path):
    """A review: the step counted as done at the last CH still, with most no-crack stills to
    come; a stopped render was then taken over by later run folders as it was."""
    from ml.synth.stills import write_stills

    s = WizardSettings(work_dir=str(tmp_path), sources=["team"], synthetic_per_class=1)
    step = next(st for st in plan_steps(s) if st.name == "synthetic")
    written = []
    write_stills(tmp_path / "synthetic", 1, 48, 0, on_progress=lambda done, total: written.append(
        (done, total, step.finished())))
    assert [finished for done, total, finished in written] == [False] * (len(written) - 1) + [True]
