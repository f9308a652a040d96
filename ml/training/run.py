"""A whole training run: data, model, loss by mode, checkpoints, resume, progress, cancel."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist

from ml.classes import CLASS_NAMES
from ml.datasets import index_dataset, merge, split_index, write_split
from ml.training.config import TrainConfig, check_resumable
from ml.training.data import FLIPS, Split, load_images
from ml.training.distill import KD_METHODS, Distiller, combine_teacher_logits
from ml.training.engine import (
    cross_entropy_only,
    evaluate,
    predict_logits,
    train_one_epoch,
    use_autocast,
    warmup_cosine,
)
from ml.training.feature_anchor import anchored
from ml.training.frozen_front import BehindFront, freeze_front
from ml.training.models import build_model, count_parameters

CANCELLED_EXIT = 130


class Reporter:
    """Progress as text for people or as JSON lines for the wizard; silent on non-zero ranks."""

    def __init__(self, style: str, rank: int = 0) -> None:
        self.style, self.rank = style, rank

    def __call__(self, event: str, **data: object) -> None:
        if self.rank != 0:
            return
        if self.style == "json":
            print(json.dumps({"event": event, **data}), flush=True)
        elif event in ("batch",):
            return
        else:
            text = ", ".join(f"{k}={_short(v)}" for k, v in data.items()
                             if k not in ("metrics", "history"))  # lists: JSON only
            print(f"[{event}] {text}", flush=True)


def _short(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def pick_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("CUDA was asked for but no CUDA device is available")
    return torch.device(name)


def load_checkpoint_model(path: Path, device: torch.device | str = "cpu") -> tuple:
    """(model in eval mode, checkpoint dict) from a best.pt/last.pt written by `fit`."""
    try:  # weights only: a crafted checkpoint cannot run code when it is loaded
        ckpt = torch.load(Path(path), map_location=device, weights_only=True)
    except Exception as exc:  # noqa: BLE001 - pickle, zip and torch errors alike
        raise ValueError(f"{path}: not a checkpoint written by sewer-ml "
                         f"({str(exc).splitlines()[0][:160]})") from exc
    if not isinstance(ckpt, dict) or "model" not in ckpt or "config" not in ckpt:
        raise ValueError(f"{path}: not a checkpoint written by sewer-ml")
    model = build_model(ckpt["config"]["arch"], len(ckpt["class_names"]))
    model.load_state_dict(ckpt["model"])
    return model.to(device).eval(), ckpt


class _CancelFlag:
    """SIGINT/SIGTERM stop at the next batch; the wizard's Cancel sends SIGTERM."""

    def __init__(self) -> None:
        self.set = False
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._handle)

    def _handle(self, *_args: object) -> None:
        self.set = True


def _distributed() -> tuple[int, int]:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    return (dist.get_rank(), world) if world > 1 else (0, 1)


@dataclass
class _Run:
    """Everything one training run carries from epoch to epoch."""

    config: TrainConfig
    report: Reporter
    device: torch.device
    rank: int
    world: int
    out: Path
    splits: dict[str, Split]
    model: torch.nn.Module
    trained: torch.nn.Module  # the model, or its DDP wrapper
    scored: torch.nn.Module  # what validation runs: the model, or its part behind a frozen front
    loss_fn: object
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    generator: torch.Generator
    cancel: _CancelFlag
    started: float
    start_epoch: int = 0
    best_f1: float = -1.0
    history: list = field(default_factory=list)

    @property
    def last_path(self) -> Path:
        return self.out / "last.pt"

    @property
    def best_path(self) -> Path:
        return self.out / "best.pt"


def fit(config: TrainConfig) -> dict:
    run = _setup(config)
    for epoch in range(run.start_epoch, config.epochs):
        if not _epoch(run, epoch):
            _save_last(run, epoch)
            run.report("cancelled", epoch=epoch + 1, checkpoint=str(run.last_path))
            return {"cancelled": True, "checkpoint": str(run.last_path)}
    return _finish(run) if run.rank == 0 else {}


def _setup(config: TrainConfig) -> _Run:
    rank, world = _distributed()
    report = Reporter(config.progress, rank)
    if config.threads:
        torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    np.random.seed(config.seed)
    device = pick_device(config.device)
    if world > 1 and device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    config.save(out / "config.yaml")
    splits = _load_splits(config, report)
    model = _initial_model(config).to(device)
    if config.channels_last:  # NHWC weights; state dicts and ONNX export are unaffected
        model = model.to(memory_format=torch.channels_last)
    loss_fn, teacher_info = _loss_for(config, model, splits["train"], device, report)
    if config.feature_anchor:  # its projector trains, and is saved, with the model
        if world > 1:  # DDP would not average the projector's gradients across ranks
            raise ValueError("feature_anchor trains on one process only; run it without "
                             "torchrun")
        loss_fn = anchored(loss_fn, config, model, splits["train"], device, report)
    scored = model
    if config.freeze_front:  # the splits then hold the front's features, cached per flip
        scored, splits = freeze_front(model, splits, device, report, out.parent / "front_cache")
    steps_per_epoch = -(-len(splits["train"]) // (config.batch_size * world))
    extra = list(loss_fn.parameters()) if isinstance(loss_fn, torch.nn.Module) else []
    optimizer = torch.optim.AdamW([*model.parameters(), *extra], lr=config.lr,
                                  weight_decay=config.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(
        steps_per_epoch * config.epochs, steps_per_epoch * config.warmup_epochs))
    trained = scored
    if world > 1:
        trained = torch.nn.parallel.DistributedDataParallel(
            scored, device_ids=[device.index] if device.type == "cuda" else None)
    run = _Run(config, report, device, rank, world, out, splits, model, trained, scored, loss_fn,
               optimizer, scheduler, torch.Generator().manual_seed(config.seed), _CancelFlag(),
               time.monotonic())
    if config.resume and run.last_path.exists():
        state = torch.load(run.last_path, map_location=device, weights_only=True)
        check_resumable(run.last_path, state.get("config", {}), config)
        model.load_state_dict(state["model"])
        if "loss" in state:
            loss_fn.load_state_dict(state["loss"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        run.start_epoch, run.best_f1, run.history = (state["epoch"], state["best_f1"],
                                                     state["history"])
        report("resumed", epoch=run.start_epoch, history=run.history)  # the wizard's curves
    report("start", mode=config.mode, arch=config.arch, params=count_parameters(model),
           device=str(device), epochs=config.epochs, steps_per_epoch=steps_per_epoch,
           **teacher_info)
    return run


def _initial_model(config: TrainConfig) -> torch.nn.Module:
    if not config.init_from:
        return build_model(config.arch, len(CLASS_NAMES), config.init_weights)
    from ml.training.finetune import load_student  # finetune imports this module

    model, meta = load_student(Path(config.init_from))
    if meta["arch"] != config.arch:
        raise ValueError(f"{config.init_from}: a {meta['arch']} checkpoint, but the run asks "
                         f"for {config.arch}")
    return model


def _load_splits(config: TrainConfig, report: Reporter) -> dict[str, Split]:
    index = merge([index_dataset(Path(p)) for p in config.data.split(",") if p])
    parts = split_index(index, config.split_by, config.split_seed, config.val_fraction,
                        config.test_fraction)
    extra = merge([index_dataset(Path(p)) for p in config.train_extra.split(",") if p]) \
        if config.train_extra else None
    if extra is not None:  # never in val or test: those measure the user's own frames
        parts["train"] = parts["train"] + extra.samples
    if report.rank == 0:  # what training used; `sewer-ml compare` re-reads its test part
        write_split(parts, Path(config.out) / "split.csv")
    report("data", source=index.source, train=len(parts["train"]), val=len(parts["val"]),
           test=len(parts["test"]), counts=index.counts(), split_by=config.split_by,
           groups=len({s.group for s in index.samples if s.group}),
           extra_train=len(extra.samples) if extra else 0)
    return {name: Split(*load_images(samples, config.image_size),
                        photometric=config.photometric if name == "train" else 0.0)
            for name, samples in parts.items() if samples}


def _epoch(run: _Run, epoch: int) -> bool:
    """Train and validate one epoch; False when cancelled."""
    config, epoch_start = run.config, time.monotonic()
    run.loss_fn.epoch = epoch  # type: ignore[attr-defined]
    indices = None
    if config.balance == "sampler":
        indices = balanced_indices(run.splits["train"].labels, run.generator)
    if run.world > 1:  # every rank draws the same permutation, then takes its own share
        perm = indices if indices is not None else torch.randperm(len(run.splits["train"]),
                                                                  generator=run.generator)
        indices = perm[run.rank::run.world]

    def on_step(step: int, steps: int, loss: float) -> bool:
        done = (epoch - run.start_epoch) * steps + step
        left = (config.epochs - run.start_epoch) * steps - done
        rate = (time.monotonic() - run.started) / max(done, 1)
        run.report("batch", epoch=epoch + 1, step=step, steps=steps, loss=round(loss, 5),
                   eta_s=round(left * rate, 1))
        return not run.cancel.set

    stats = train_one_epoch(run.trained, run.loss_fn, run.optimizer, run.scheduler,
                            run.splits["train"], run.device, config.batch_size, run.generator,
                            amp=use_autocast(run.device, config.amp, config.bf16_cpu),
                            indices=indices, on_step=on_step, channels_last=config.channels_last)
    if run.cancel.set:
        return False
    val = evaluate(run.scored, run.splits["val"], run.device) \
        if "val" in run.splits and run.rank == 0 else None
    row = {"epoch": epoch + 1, "train_loss": round(stats["loss"], 5),
           "train_accuracy": round(stats["accuracy"], 5),
           "val_accuracy": round(val["accuracy"], 5) if val else None,
           "val_macro_f1": round(val["macro_f1"], 5) if val else None,
           "lr": run.scheduler.get_last_lr()[0],
           "seconds": round(time.monotonic() - epoch_start, 2)}
    run.history.append(row)
    run.report("epoch", **row)
    if run.rank == 0:
        score = val["macro_f1"] if val else -stats["loss"]
        if score > run.best_f1:
            run.best_f1 = score
            _save_best(run.best_path, run.model, config, run.history)
        _save_last(run, epoch + 1)
    return True


def _finish(run: _Run) -> dict:
    best_model, _ckpt = load_checkpoint_model(run.best_path, run.device)
    if run.config.freeze_front:
        best_model = BehindFront(best_model)
    test = evaluate(best_model, run.splits["test"], run.device) if "test" in run.splits else None
    summary = {"checkpoint": str(run.best_path), "test": test, "history": run.history,
               "params": count_parameters(run.model), "config": asdict(run.config)}
    (run.out / "metrics.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    run.report("done", checkpoint=str(run.best_path), test_accuracy=test and test["accuracy"],
               test_macro_f1=test and test["macro_f1"], metrics=test)
    return summary


def _save_best(path: Path, model, config: TrainConfig, history: list) -> None:
    torch.save({"model": model.state_dict(), "config": asdict(config),
                "class_names": list(CLASS_NAMES), "history": history}, path)


def _save_last(run: _Run, epoch: int) -> None:
    tmp = run.last_path.with_suffix(".tmp")
    torch.save({"model": run.model.state_dict(), "optimizer": run.optimizer.state_dict(),
                "scheduler": run.scheduler.state_dict(), "epoch": epoch,
                "best_f1": run.best_f1, "history": run.history, "config": asdict(run.config),
                "class_names": list(CLASS_NAMES),
                **({"loss": run.loss_fn.state_dict()} if isinstance(run.loss_fn, torch.nn.Module)
                   else {})}, tmp)
    tmp.replace(run.last_path)  # a crash mid-save keeps the previous checkpoint


def _loss_for(config: TrainConfig, model, train: Split, device, report):
    """The loss callable for the mode; distillation precomputes the teacher's logits per flip."""
    if config.mode != "distill":
        if config.balance == "weights":
            return _EpochAware(_weighted_ce(train.labels, device)), {}
        return _EpochAware(cross_entropy_only), {}
    per_teacher = []
    for path in (Path(p) for p in config.teacher.split(",") if p):
        teacher, ckpt = load_checkpoint_model(path, device)
        if ckpt["class_names"] != list(CLASS_NAMES):
            raise ValueError(f"{path}: teacher classes {ckpt['class_names']} differ")
        distiller = Distiller(model, teacher)
        per_teacher.append(_teacher_logits(distiller.teacher, path, train, config, device, report))
    weights = [float(w) for w in config.teacher_weights.split(",")] \
        if config.teacher_weights else None
    cached = combine_teacher_logits(per_teacher, weights)
    teacher_acc = float((cached[0].argmax(1).cpu() == train.labels).float().mean())
    method = KD_METHODS[config.kd_method]

    def loss(logits, labels, positions, variants, epoch: int = 0):
        t_logits = cached[variants.to(device), positions.to(device)]
        return method(logits, t_logits, labels, config, epoch)

    return _EpochAware(loss), {"teacher_train_accuracy": round(teacher_acc, 4),
                               "teachers": len(per_teacher)}


def _teacher_logits(teacher, checkpoint: Path, train: Split, config: TrainConfig, device,
                    report) -> torch.Tensor:
    """(FLIPS, N, C) teacher logits, cached beside the teacher for later runs on the same data.

    The key covers the checkpoint file, the image size and the exact training pixels, so a
    changed teacher, split or dataset never reuses stale logits.
    """
    digest = hashlib.sha256()
    stat = checkpoint.stat()
    digest.update(f"{checkpoint.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|"
                  f"{config.image_size}".encode())
    digest.update(train.images.numpy().tobytes())
    cache = checkpoint.parent / f"logits_{digest.hexdigest()[:16]}.pt"
    if cache.exists():
        report("teacher_cache", flips=FLIPS, images=len(train), cached=str(cache))
        return torch.load(cache, map_location=device, weights_only=True)
    report("teacher_cache", flips=FLIPS, images=len(train))
    logits = torch.stack([predict_logits(teacher, train, device, variant=v)
                          for v in range(FLIPS)]).to(device)
    with contextlib.suppress(OSError):  # a read-only teacher folder only costs time
        torch.save(logits.cpu(), cache)
    return logits


def _weighted_ce(labels: torch.Tensor, device: torch.device):
    """Cross-entropy weighted by inverse class frequency (absent classes weigh nothing)."""
    counts = torch.bincount(labels, minlength=len(CLASS_NAMES)).float()
    weights = torch.where(counts > 0, counts.sum() / (counts.clamp(min=1) * (counts > 0).sum()),
                          torch.zeros_like(counts)).to(device)

    def loss(logits, targets, _positions, _variants, epoch: int = 0):
        ce = torch.nn.functional.cross_entropy(logits, targets, weight=weights)
        return {"ce": ce, "loss": ce}
    return loss


def balanced_indices(labels: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """As many draws as images, each class equally likely (rare classes repeat, with flips)."""
    counts = torch.bincount(labels, minlength=len(CLASS_NAMES)).float()
    per_sample = (1.0 / counts.clamp(min=1))[labels]
    return torch.multinomial(per_sample, len(labels), replacement=True, generator=generator)


class _EpochAware:
    """Passes the current epoch to losses that warm up (DKD)."""

    def __init__(self, fn) -> None:
        self.fn, self.epoch = fn, 0

    def __call__(self, logits, labels, positions, variants):
        if self.fn is cross_entropy_only:
            return self.fn(logits, labels, positions, variants)
        return self.fn(logits, labels, positions, variants, epoch=self.epoch)


def main_guard(config: TrainConfig) -> int:
    """Run `fit`, turning failures into one JSON/text error line and an exit code."""
    report = Reporter(config.progress)
    try:
        result = fit(config)
    except Exception as exc:  # noqa: BLE001 - the child's last word to the wizard
        report("error", message=f"{type(exc).__name__}: {exc}")
        if config.progress != "json":
            raise
        return 1
    return CANCELLED_EXIT if result.get("cancelled") else 0
