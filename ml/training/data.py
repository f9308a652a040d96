"""Images held in memory as uint8 tensors, with the four flips as the only geometric augmentation.

Flips keep every crack class (a longitudinal crack stays longitudinal, a spiral stays a spiral),
and because they are the only augmentation the teacher's logits can be computed once per flip
and reused for every distillation epoch and seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import torch

from ml.classes import CLASS_NAMES
from ml.datasets import DatasetError, Sample, read_image
from ml.presets import MEAN, STD
from ml.runtime.shrink import shrink

FLIPS = 4  # none, horizontal, vertical, both


def load_images(samples: list[Sample], size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(N, 3, size, size) uint8 RGB and (N,) labels; an unreadable image names its file."""
    images = np.empty((len(samples), size, size, 3), np.uint8)
    labels = np.empty(len(samples), np.int64)
    for i, sample in enumerate(samples):
        bgr = read_image(sample.path)
        images[i] = cv2.cvtColor(shrink(bgr, size, size), cv2.COLOR_BGR2RGB)
        labels[i] = CLASS_NAMES.index(sample.label.value)
    if not len(samples):
        raise DatasetError("no images in this split")
    return torch.from_numpy(images).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(labels)


def normalise(batch_uint8: torch.Tensor) -> torch.Tensor:
    mean = torch.tensor(MEAN, device=batch_uint8.device).view(1, 3, 1, 1)
    std = torch.tensor(STD, device=batch_uint8.device).view(1, 3, 1, 1)
    return (batch_uint8.float() / 255.0 - mean) / std


def flip(batch: torch.Tensor, variant: torch.Tensor) -> torch.Tensor:
    """Apply flip variant 0..3 per sample (bit 0: horizontal, bit 1: vertical)."""
    out = batch.clone()
    h = (variant & 1).bool()
    v = (variant & 2).bool()
    out[h] = out[h].flip(-1)
    out[v] = out[v].flip(-2)
    return out


@dataclass
class Split:
    images: torch.Tensor  # uint8
    labels: torch.Tensor
    # Training batches: jitter strength (ml/training/photometric.py). Keyword-only, so that a
    # subclass's own fields stay positional after the two above.
    photometric: float = field(default=0.0, kw_only=True)

    def __len__(self) -> int:
        return len(self.labels)

    def batches(self, batch_size: int, generator: torch.Generator | None, augment: bool,
                indices: torch.Tensor | None = None, fixed_variant: int = 0):
        """Yield (positions, flip variants, normalised images, labels).

        With `augment` each sample gets a random flip (and the photometric jitter when set);
        otherwise all get `fixed_variant`.
        """
        order = indices if indices is not None else torch.arange(len(self))
        if generator is not None:
            order = order[torch.randperm(len(order), generator=generator)]
        for start in range(0, len(order), batch_size):
            pos = order[start:start + batch_size]
            variant = (torch.randint(0, FLIPS, (len(pos),), generator=generator) if augment
                       else torch.full((len(pos),), fixed_variant, dtype=torch.long))
            if augment and self.photometric > 0:
                from ml.training.photometric import jitter

                images = normalise(jitter(flip(self.images[pos], variant), self.photometric,
                                          generator))
            else:
                images = self.inputs(pos, variant)
            yield pos, variant, images, self.labels[pos]

    def inputs(self, positions: torch.Tensor, variants: torch.Tensor) -> torch.Tensor:
        """What the model is fed for these samples under these flips."""
        return normalise(flip(self.images[positions], variants))
