"""One epoch of training and one evaluation, with the device passed in (CPU or CUDA)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812
from torch import nn

from ml.classes import CLASS_NAMES
from ml.metrics import summarise
from ml.training.data import Split

LossFn = Callable[[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor], dict]


def cross_entropy_only(logits, labels, _positions, _variants) -> dict:
    ce = F.cross_entropy(logits, labels)
    return {"ce": ce, "loss": ce}


def train_one_epoch(model: nn.Module, loss_fn: LossFn, optimizer: torch.optim.Optimizer,
                    scheduler, split: Split, device: torch.device, batch_size: int,
                    generator: torch.Generator, amp: bool = False,
                    indices: torch.Tensor | None = None,
                    on_step: Callable[[int, int, float], bool] | None = None,
                    channels_last: bool = False) -> dict:
    """Train over `split` once; `on_step(step, steps, loss)` returning False stops early.

    `amp` runs the forward pass under bf16 autocast (CUDA, or a CPU with BF16 support);
    `channels_last` feeds NHWC batches (the model is converted once by the caller).
    """
    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    model.train()
    total, correct, loss_sum, steps_done = 0, 0, 0.0, 0
    steps = math.ceil((len(indices) if indices is not None else len(split)) / batch_size)
    for step, (pos, variant, images, labels) in enumerate(
            split.batches(batch_size, generator, augment=True, indices=indices), start=1):
        images = images.to(device, non_blocking=True, memory_format=memory_format)
        labels = labels.to(device)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
            logits = model(images)
            losses = loss_fn(logits.float(), labels, pos, variant)
        optimizer.zero_grad(set_to_none=True)
        losses["loss"].backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        loss_value = float(losses["loss"].detach())
        if not math.isfinite(loss_value):
            raise FloatingPointError(f"training diverged at step {step} (loss {loss_value})")
        loss_sum += loss_value * len(labels)
        total += len(labels)
        correct += int((logits.argmax(1) == labels).sum())
        steps_done = step
        if on_step is not None and on_step(step, steps, loss_value) is False:
            break
    return {"loss": loss_sum / max(total, 1), "accuracy": correct / max(total, 1),
            "steps": steps_done}


def use_autocast(device: torch.device, amp: bool, bf16_cpu: bool) -> bool:
    """bf16 autocast on CUDA when `amp`, on CPU only when asked (it needs AVX-512 BF16 or AMX)."""
    return amp if device.type == "cuda" else bf16_cpu and device.type == "cpu"


@torch.inference_mode()
def predict_logits(model: nn.Module, split: Split, device: torch.device,
                   batch_size: int = 64, variant: int = 0) -> torch.Tensor:
    model.eval()
    return torch.cat([model(images.to(device)).float().cpu() for _p, _v, images, _l in
                      split.batches(batch_size, None, augment=False, fixed_variant=variant)])


def evaluate(model: nn.Module, split: Split, device: torch.device, batch_size: int = 64) -> dict:
    logits = predict_logits(model, split, device, batch_size)
    preds = logits.argmax(1).numpy()
    return summarise(split.labels.numpy(), preds, list(CLASS_NAMES)) | {
        "loss": float(F.cross_entropy(logits, split.labels))}


def warmup_cosine(total_steps: int, warmup_steps: int) -> Callable[[int], float]:
    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / max(warmup_steps, 1)
        progress = (step - warmup_steps) / max(total_steps - warmup_steps, 1)
        return 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))
    return factor


def mean_and_spread(values: list[float]) -> tuple[float, float]:
    array = np.asarray(values, float)
    return float(array.mean()), float(array.std(ddof=1)) if len(array) > 1 else 0.0
