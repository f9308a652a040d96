"""Training behind a frozen pretrained front: its features computed once per flip, then reused.

CMI v3's front (ml/training/cmi_pretrained.py) is ImageNet-pretrained and works at the highest
resolutions, where a CPU spends most of a training step (forward and backward through wide,
memory-bound 56x56 and 28x28 maps). Kept frozen, the front needs no backward pass and gives the
same output for an image every epoch, so its output is computed once for each of the four flips
(the only augmentation, ml/training/data.py) and every epoch and seed trains just the stages
behind it. Frozen, the front also keeps the features learned from real photographs instead of
re-fitting them to renders.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from ml.presets import MEAN, STD
from ml.training.data import FLIPS, Split, flip, normalise


def has_front(model: nn.Module) -> bool:
    return isinstance(getattr(model, "front", None), nn.Module) and hasattr(model, "stages")


class BehindFront(nn.Module):
    """The model without its front: maps cached front features to logits."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        model = self.model
        x = model.stages(features.float())
        return model.classifier(torch.flatten(model.pool(x), 1))


@dataclass
class FeatureSplit(Split):
    """A split whose batches are cached front features (one set per flip for training)."""

    features: torch.Tensor | None = None  # (variants, N, C, H, W), float16

    def inputs(self, positions: torch.Tensor, variants: torch.Tensor) -> torch.Tensor:
        assert self.features is not None
        if self.features.shape[0] == 1 and bool((variants != 0).any()):
            raise ValueError("this split caches unflipped features only")
        return self.features[variants, positions]


@torch.inference_mode()
def front_features(front: nn.Module, split: Split, device: torch.device, variants: int,
                   batch_size: int = 128) -> torch.Tensor:
    front.eval()
    out = []
    for v in range(variants):
        rows = []
        for start in range(0, len(split), batch_size):
            images = split.images[start:start + batch_size]
            variant = torch.full((len(images),), v, dtype=torch.long)
            batch = normalise(flip(images, variant)).to(device)
            rows.append(front(batch).to(torch.float16).cpu())
        out.append(torch.cat(rows))
    return torch.stack(out)


def _cache_key(front: nn.Module, split: Split, variants: int) -> str:
    """Covers the front's layers and weights, the input convention and the exact pixels, so a
    change to any of them never reuses stale features."""
    digest = hashlib.sha256(f"{variants}|{type(front).__module__}|{MEAN}|{STD}|"
                            f"{tuple(split.images.shape)}|{front}".encode())
    for name, tensor in front.state_dict().items():
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    digest.update(split.images.numpy().tobytes())
    return digest.hexdigest()[:16]


def cached_front_features(front: nn.Module, split: Split, device: torch.device, variants: int,
                          cache_dir: Path | None) -> torch.Tensor:
    """Front features, read from `cache_dir` when another run already computed them."""
    path = cache_dir / f"front_{_cache_key(front, split, variants)}.pt" if cache_dir else None
    if path is not None and path.exists():
        return torch.load(path, map_location="cpu", weights_only=True)
    features = front_features(front, split, device, variants)
    if path is not None:
        with contextlib.suppress(OSError):  # a read-only or full disk only costs time
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")  # DDP ranks may write at once
            torch.save(features, tmp)
            tmp.replace(path)
    return features


def freeze_front(model: nn.Module, splits: dict[str, Split], device: torch.device, report,
                 cache_dir: Path | None = None) -> tuple[nn.Module, dict[str, Split]]:
    """Freeze `model.front`, cache its features; returns the trainable part and new splits."""
    if not has_front(model):
        raise ValueError("freeze_front needs an architecture with a pretrained front (cmi_v3)")
    for parameter in model.front.parameters():
        parameter.requires_grad_(False)
    cached: dict[str, Split] = {}
    for name, split in splits.items():
        variants = FLIPS if name == "train" else 1
        report("front_cache", split=name, images=len(split), flips=variants)
        features = cached_front_features(model.front, split, device, variants, cache_dir)
        cached[name] = FeatureSplit(split.images, split.labels, features=features)
    return BehindFront(model), cached
