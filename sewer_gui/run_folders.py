"""One run folder holds one run: the outputs of one set of data and settings.

The wizard's steps skip what their folder already holds, so a coder who went Back after a run
and changed the data or the recipe must get a new folder; otherwise the earlier run's model and
figures are shown as the new one's, under a data.csv that no longer describes them (a trial).
The earlier folder is left as it was.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

from ml.data_check import write_manifest
from ml.datasets import Sample
from sewer_gui.training_recipe import Step, WizardSettings, new_work_dir, plan_steps, runs_root

DATA_FILE = "data.csv"


def run_started(work: Path) -> bool:
    """The run page saves the settings as it starts the first step."""
    return (Path(work) / "wizard.json").exists()


def _claim_new_folder(s: WizardSettings) -> Path:
    new = new_work_dir()
    new.mkdir(parents=True)
    s.work_dir = str(new)
    return new


def write_checked_data(s: WizardSettings, samples: list[Sample]) -> Path:
    """The checked frames as the run's data.csv; in a new run folder when a run has started in
    the current one on other frames."""
    work = Path(s.work_dir)
    target = work / DATA_FILE
    if not run_started(work):
        return write_manifest(samples, target)
    # Beside the folder, not in it: the earlier run's folder is left as it was, mtime too.
    fresh = write_manifest(samples, work.parent / f".{work.name}-{DATA_FILE}.next")
    if target.exists() and fresh.read_bytes() == target.read_bytes():
        fresh.unlink()
        return target  # the same frames: the run in this folder is theirs
    new = _claim_new_folder(s)
    return Path(shutil.move(str(fresh), str(new / DATA_FILE)))


def changed_since_started(s: WizardSettings) -> bool:
    """A run started in the folder with other settings (or with settings that cannot be
    read back: a half-written wizard.json is no run to continue)."""
    work = Path(s.work_dir)
    if not run_started(work):
        return False
    try:
        return WizardSettings.load(work) != s
    except (OSError, ValueError, TypeError):
        return True


# What the teacher a distillation run trains depends on (its learning rate is its arch's).
TEACHER_FIELDS = ("sources", "manifest", "synthetic_per_class", "teacher_arch", "teacher_epochs",
                  "batch_size", "image_size", "balance", "device", "bf16_cpu")


def reusable_teacher(s: WizardSettings, old: Path) -> str:
    """The earlier run's finished teacher when this run would train the very same one:
    other student options must not cost a teacher's training again (a review)."""
    teacher = Path(old) / "teacher"
    if s.method != "distill" or s.teacher_checkpoint or not (teacher / "metrics.json").exists():
        return ""
    try:
        before = WizardSettings.load(old)
    except (OSError, ValueError, TypeError):
        return ""
    same = before.method == "distill" and not before.teacher_checkpoint and all(
        getattr(before, name) == getattr(s, name) for name in TEACHER_FIELDS)
    return str(teacher / "best.pt") if same and (teacher / "best.pt").exists() else ""


def reusable_synthetic(s: WizardSettings, old: Path) -> Path | None:
    """The earlier run's finished synthetic stills when this run asks for the same number per
    class (the render is seeded: the same stills again, minutes of CPU for nothing)."""
    if s.synthetic_per_class <= 0:
        return None
    try:
        before = WizardSettings.load(old)
    except (OSError, ValueError, TypeError):
        return None
    if before.synthetic_per_class != s.synthetic_per_class:
        return None
    step = next((st for st in plan_steps(before) if st.name == "synthetic"), None)
    return Path(old) / "synthetic" if step is not None and step.finished() else None


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)  # the earlier run's files stay as they are; no space taken
    except OSError:
        shutil.copy2(source, target)


def follow_changed_settings(s: WizardSettings) -> Path | None:
    """Moves `s` to a new run folder when the run in its folder started with other settings
    (its data.csv comes along, its synthetic stills when this run asks for the same, and its
    teacher when this run would train the same one); returns the folder left behind, else
    None."""
    if not changed_since_started(s):
        return None
    old = Path(s.work_dir)
    teacher, synthetic = reusable_teacher(s, old), reusable_synthetic(s, old)
    new = _claim_new_folder(s)
    if s.manifest and Path(s.manifest).parent == old:
        s.manifest = str(shutil.copy2(s.manifest, new / DATA_FILE))
    if synthetic is not None:
        shutil.copytree(synthetic, new / "synthetic", copy_function=_link_or_copy)
    s.teacher_checkpoint = teacher or s.teacher_checkpoint
    return old


def steps_to_run(s: WizardSettings) -> list[Step]:
    """The steps the run page will run: all of them when the settings will move to a new
    folder (but the synthetic stills and a teacher it takes over), so that an estimate does
    not count the earlier run's outputs as done."""
    if changed_since_started(s):
        old = Path(s.work_dir)
        steps = plan_steps(dataclasses.replace(
            s, work_dir=str(new_work_dir()),
            teacher_checkpoint=reusable_teacher(s, old) or s.teacher_checkpoint))
        taken_over = reusable_synthetic(s, old) is not None
        return [st for st in steps if not (taken_over and st.name == "synthetic")]
    return plan_steps(s)


METHOD_WORDS = {"finetune": "fine-tune", "scratch": "new student", "distill": "distillation"}


def earlier_runs() -> list[tuple[str, Path, bool]]:
    """(what to call it, folder, finished) for every run folder, newest first: an unfinished
    run resumes, a finished one shows its results again (a trial could not reopen those, and
    saw only timestamps)."""
    root = runs_root()
    runs = []
    for folder in sorted((p for p in root.iterdir() if p.is_dir()), reverse=True) \
            if root.is_dir() else []:
        try:
            s = WizardSettings.load(folder)
        except (OSError, ValueError, TypeError):
            continue  # never started, or its settings cannot be read: nothing to go back to
        finished = (folder / "comparison.json").exists()
        data = folder / DATA_FILE
        frames = max(len(data.read_text(encoding="utf-8").splitlines()) - 1, 0) \
            if data.exists() else 0
        what = "Show the results of" if finished else "Resume"
        runs.append((f"{what} the run of {folder.name} ({METHOD_WORDS.get(s.method, s.method)}, "
                     f"{s.student_epochs} epochs, {frames} frames)", folder, finished))
    return runs
