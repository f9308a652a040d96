"""How long a run will take, from a few timed batches on this machine: `sewer-ml estimate`.

The wizard asks before it starts so that the user sees the whole run's time, not only the
current step's. Loading the images is timed too (it is a real share of short runs). The check
runs in a child process, like training, and also says whether CUDA is there.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import torch

from ml.classes import CLASS_NAMES
from ml.datasets import index_dataset, merge, split_index
from ml.training.config import TrainConfig
from ml.training.data import FLIPS, Split, load_images
from ml.training.engine import cross_entropy_only, train_one_epoch
from ml.training.frozen_front import BehindFront, FeatureSplit, front_features, has_front
from ml.training.models import build_model
from ml.training.run import pick_device

ARCHS_TIMED = ("resnet50",)  # timed on top of the student when a teacher is trained


def probe() -> dict:
    """What this installation can train on (run in a child: importing torch takes seconds)."""
    cuda = torch.cuda.is_available()
    return {"event": "probe", "torch": torch.__version__, "cuda": cuda,
            "cuda_devices": [torch.cuda.get_device_name(i)
                             for i in range(torch.cuda.device_count())] if cuda else []}


def time_batches(arch: str, config: TrainConfig, images: torch.Tensor, labels: torch.Tensor,
                 batches: int) -> float:
    """Seconds per training step of `arch` at the run's batch size (first step not counted)."""
    device = pick_device(config.device)
    model = build_model(arch, len(CLASS_NAMES)).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    need = config.batch_size * (batches + 1)
    reps = -(-need // len(labels))
    split = Split(images.repeat(reps, 1, 1, 1)[:need], labels.repeat(reps)[:need])
    trained = model
    if config.freeze_front:  # steps train only what lies behind it
        trained, split = _behind_front(model, split, device)
    stamps: list[float] = []

    def on_step(_step: int, _steps: int, _loss: float) -> bool:
        stamps.append(time.perf_counter())
        return True

    train_one_epoch(trained, cross_entropy_only, optimizer, None, split, device,
                    config.batch_size, torch.Generator().manual_seed(0), on_step=on_step)
    return (stamps[-1] - stamps[0]) / max(len(stamps) - 1, 1)


def _behind_front(model, split, device):
    features = front_features(model.front, split, device, 1)
    return BehindFront(model), FeatureSplit(split.images, split.labels,
                                            features.expand(FLIPS, *features.shape[1:]))


def front_seconds_per_image(model, config: TrainConfig, images: torch.Tensor) -> float:
    """One image through a frozen front (its output is computed once per image and flip)."""
    device = pick_device(config.device)
    split = Split(images, torch.zeros(len(images), dtype=torch.long))
    front_features(model.front.to(device), split, device, 1)  # warm-up
    started = time.perf_counter()
    front_features(model.front, split, device, 1)
    return (time.perf_counter() - started) / max(len(images), 1)


def estimate(config: TrainConfig, teacher: bool | str, batches: int = 3) -> dict:
    """`teacher`: also time a teacher (True: ARCHS_TIMED; a name: that architecture)."""
    if config.threads:
        torch.set_num_threads(config.threads)
    front_model = build_model(config.arch, len(CLASS_NAMES)) if config.freeze_front else None
    if front_model is not None and not has_front(front_model):
        raise ValueError(f"--freeze-front needs an architecture with a pretrained front "
                         f"(cmi_v3), not {config.arch}")
    if config.init_from:  # fine-tuning keeps the checkpoint's architecture and input size
        from ml.training.finetune import load_student

        meta = load_student(Path(config.init_from))[1]
        config = replace(config, arch=meta["arch"], image_size=int(meta["image_size"]))
    index = merge([index_dataset(Path(p)) for p in config.data.split(",") if p])
    parts = split_index(index, config.split_by, config.split_seed, config.val_fraction,
                        config.test_fraction)
    extra = sum(len(index_dataset(Path(p)).samples)
                for p in config.train_extra.split(",") if p)
    sample = parts["train"][:config.batch_size]
    started = time.perf_counter()
    images, labels = load_images(sample, config.image_size)
    load_per_image = (time.perf_counter() - started) / max(len(sample), 1)
    train = len(parts["train"]) + extra
    steps = -(-train // config.batch_size)
    per_step = {config.arch: time_batches(config.arch, config, images, labels, batches)}
    if teacher:
        archs = (teacher,) if isinstance(teacher, str) else ARCHS_TIMED
        teacher_config = replace(config, freeze_front=False)
        per_step |= {a: time_batches(a, teacher_config, images, labels, batches)
                     for a in archs}
    front = {}
    if front_model is not None:  # the once-only cost, then reused by every later run
        per_image = front_seconds_per_image(front_model, config, images)
        other = len(parts["val"]) + len(parts["test"])
        front = {"front_seconds": round(per_image * (train * FLIPS + other), 3),
                 "front_seconds_per_train_image": round(per_image * FLIPS, 5)}
    return {**probe(), "event": "estimate", "images": len(index.samples) + extra,
            "train_images": train,
            "steps_per_epoch": steps, "seconds_per_step": {k: round(v, 4) for k, v in
                                                           per_step.items()},
            "load_seconds": round(load_per_image * (len(index.samples) + extra), 1), **front}
