"""Tiny synthetic data and models shared by the ML tests (seconds, not minutes)."""

from __future__ import annotations

from pathlib import Path

from ml.synth.stills import write_stills
from ml.training.config import TrainConfig
from ml.training.run import fit


def tiny_stills(root: Path) -> Path:
    data = root / "stills"
    write_stills(data, per_class=6, size=48, seed=3, no_crack_share=None)
    return data


def tiny_config(data: Path, out: Path, **overrides) -> TrainConfig:
    base = dict(data=str(data), out=str(out), epochs=1, batch_size=8, image_size=32,
                threads=1)
    base.update(overrides)
    return TrainConfig(**base)


def tiny_fit(data: Path, out: Path, **overrides) -> dict:
    config = tiny_config(data, out, **overrides)
    config.validate()
    return fit(config)


def team_frames(root: Path, drives: int = 8) -> Path:
    """A team-like folder: one frame per class from each of `drives` drives (group = drive)."""
    data = root / "team"
    for drive in range(drives):  # file names CC_<drive>_00000.png: the drive is the group
        write_stills(data, per_class=1, size=48, seed=100 + drive, no_crack_share=None)
    return data


def tiny_student_checkpoint(data: Path, root: Path) -> Path:
    """A student checkpoint in the shipped format (ml/training/finetune.py), trained 1 epoch."""
    from ml.training.finetune import student_from_run

    summary = tiny_fit(data, root / "student_run", mode="student", arch="cmi")
    return student_from_run(Path(summary["checkpoint"]), root / "student.pt", "tiny-student")
