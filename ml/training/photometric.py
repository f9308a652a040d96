"""Photometric augmentation: the same geometry under another camera, lamp and codec.

The renderer already draws many materials, lamps and colour casts, but each still keeps the
look of one render; real footage differs in colour response, exposure, contrast, sharpness and
noise. Jittering those per image at training time asks the network to find cracks by their
shape, not by how our renders colour or expose them. Geometry is left alone, so every crack
subtype keeps its class (flips stay in `ml.training.data`). Not for distillation: its teacher's
logits are cached per flip, for the unjittered image.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

LUMA = (0.299, 0.587, 0.114)


def _normal(generator: torch.Generator | None, *shape: int) -> torch.Tensor:
    return torch.randn(*shape, generator=generator)


def _uniform(generator: torch.Generator | None, *shape: int) -> torch.Tensor:
    return torch.rand(*shape, generator=generator)


def jitter(batch: torch.Tensor, strength: float, generator: torch.Generator | None = None
           ) -> torch.Tensor:
    """(B, 3, H, W) images in 0..255 (uint8 or float) -> float 0..255, jittered per image:
    colour mixing and grey, gain, contrast, gamma, a light blur and sensor noise, each scaled
    by `strength` (0: unchanged; 1: the strongest used)."""
    x = batch.float() / 255.0
    if strength <= 0:
        return x * 255.0
    n, device = x.shape[0], x.device

    def draw(values: torch.Tensor) -> torch.Tensor:
        return values.to(device)

    mix = torch.eye(3) + strength * 0.15 * _normal(generator, n, 3, 3)
    x = torch.einsum("bij,bjhw->bihw", draw(mix), x)
    grey = (x * torch.tensor(LUMA, device=device).view(1, 3, 1, 1)).sum(1, keepdim=True)
    to_grey = draw(_uniform(generator, n) < 0.15 * strength).view(n, 1, 1, 1)
    x = torch.where(to_grey, grey.expand_as(x), x)
    x = x * draw(torch.exp(strength * 0.35 * _normal(generator, n))).view(n, 1, 1, 1)
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = (x - mean) * draw(torch.exp(strength * 0.3 * _normal(generator, n))).view(n, 1, 1, 1) \
        + mean
    gamma = draw(torch.exp(strength * 0.3 * _normal(generator, n))).view(n, 1, 1, 1)
    x = x.clamp(1e-4, 1.0) ** gamma
    blurred = F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)
    x = torch.where(draw(_uniform(generator, n) < 0.2 * strength).view(n, 1, 1, 1), blurred, x)
    sigma = draw(strength * 0.03 * _uniform(generator, n)).view(n, 1, 1, 1)
    x = x + sigma * draw(_normal(generator, *x.shape))
    return x.clamp(0.0, 1.0) * 255.0
