"""Tiny synthetic data and models shared by the ML tests (seconds, not minutes)."""

from __future__ import annotations

from pathlib import Path

from ml.synth.stills import write_stills
from ml.training.config import TrainConfig
from ml.training.run import fit


def tiny_stills(root: Path) -> Path:
    data = root / "stills"
    write_stills(data, per_class=6, size=48, seed=3)
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
