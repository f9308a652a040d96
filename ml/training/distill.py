"""Knowledge distillation as pure losses plus a thin wrapper around a frozen teacher."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F  # noqa: N812 - the usual name
from torch import nn


def kd_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor, labels: torch.Tensor,
            temperature: float, alpha: float) -> dict[str, torch.Tensor]:
    """Hinton KD: (1 - alpha) * CE + alpha * T^2 * KL(softmax(t/T) || softmax(s/T)).

    `batchmean` is the KL that matches the maths; plain `mean` divides by the class count too.
    T^2 keeps the soft term's gradients on the same scale as the hard term's.
    """
    ce = F.cross_entropy(student_logits, labels)
    kl = F.kl_div(F.log_softmax(student_logits / temperature, dim=1),
                  F.softmax(teacher_logits / temperature, dim=1), reduction="batchmean")
    soft = kl * temperature ** 2
    return {"ce": ce, "kd": soft, "loss": (1 - alpha) * ce + alpha * soft}


def dkd_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor, labels: torch.Tensor,
             temperature: float, alpha: float = 1.0, beta: float = 8.0,
             warmup_factor: float = 1.0) -> dict[str, torch.Tensor]:
    """Decoupled KD (Zhao et al., 2022): target-class (TCKD) and non-target (NCKD) terms.

    Returns CE + warmup * (alpha * TCKD + beta * NCKD), both scaled by T^2.
    """
    gt = F.one_hot(labels, student_logits.shape[1]).bool()
    s = F.softmax(student_logits / temperature, dim=1)
    t = F.softmax(teacher_logits / temperature, dim=1)
    # Binary (target vs the rest) distributions.
    s_bin = torch.stack([(s * gt).sum(1), (s * ~gt).sum(1)], dim=1).clamp_min(1e-8)
    t_bin = torch.stack([(t * gt).sum(1), (t * ~gt).sum(1)], dim=1).clamp_min(1e-8)
    tckd = F.kl_div(torch.log(s_bin), t_bin, reduction="batchmean") * temperature ** 2
    # Among non-target classes only: mask the target logit out with a large negative.
    masked_s = student_logits / temperature - 1000.0 * gt
    masked_t = teacher_logits / temperature - 1000.0 * gt
    nckd = F.kl_div(F.log_softmax(masked_s, dim=1), F.softmax(masked_t, dim=1),
                    reduction="batchmean") * temperature ** 2
    ce = F.cross_entropy(student_logits, labels)
    soft = warmup_factor * (alpha * tckd + beta * nckd)
    return {"ce": ce, "kd": soft, "tckd": tckd, "nckd": nckd, "loss": ce + soft}


def _pearson_distance(a: torch.Tensor, b: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """1 - Pearson correlation of the rows of a and b, averaged over rows."""
    a = a - a.mean(1, keepdim=True)
    b = b - b.mean(1, keepdim=True)
    correlation = (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1) + eps)
    return 1 - correlation.mean()


def dist_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor, labels: torch.Tensor,
              temperature: float = 1.0, beta: float = 1.0,
              gamma: float = 1.0) -> dict[str, torch.Tensor]:
    """DIST (Huang et al., 2022): match relations, not exact probabilities.

    Inter-class: each image's class probabilities correlate with the teacher's (rows); intra-class:
    each class's probabilities over the batch correlate (columns). Correlation ignores shift and
    scale, so a student need not copy a stronger teacher's confidence exactly. Returns
    CE + T^2 * (beta * inter + gamma * intra); the paper's defaults are beta = gamma = T = 1.
    """
    s = F.softmax(student_logits / temperature, dim=1)
    t = F.softmax(teacher_logits / temperature, dim=1)
    inter = _pearson_distance(s, t) * temperature ** 2
    intra = _pearson_distance(s.T, t.T) * temperature ** 2
    ce = F.cross_entropy(student_logits, labels)
    soft = beta * inter + gamma * intra
    return {"ce": ce, "kd": soft, "inter": inter, "intra": intra, "loss": ce + soft}


def combine_teacher_logits(per_teacher: list[torch.Tensor],
                           weights: list[float] | None = None) -> torch.Tensor:
    """Weighted mean of several teachers' logits (equal weights by default): one target."""
    if not per_teacher:
        raise ValueError("no teacher logits to combine")
    shape = per_teacher[0].shape
    if any(logits.shape != shape for logits in per_teacher):
        raise ValueError("teachers disagree on the logit shape (different data or classes?)")
    w = torch.tensor(weights if weights else [1.0] * len(per_teacher), dtype=torch.float32)
    if len(w) != len(per_teacher) or (w < 0).any() or w.sum() <= 0:
        raise ValueError("need one non-negative weight per teacher, not all zero")
    w = (w / w.sum()).to(per_teacher[0].device)
    return sum(wi * logits.float() for wi, logits in zip(w, per_teacher, strict=True))


# The --kd-method choices: (student logits, teacher logits, labels, config, epoch) -> losses.
KD_METHODS: dict[str, Callable[..., dict[str, torch.Tensor]]] = {
    "kd": lambda s, t, y, c, _epoch: kd_loss(s, t, y, c.temperature, c.alpha),
    "dkd": lambda s, t, y, c, epoch: dkd_loss(
        s, t, y, c.temperature, 1.0, c.dkd_beta,
        min(1.0, (epoch + 1) / max(c.dkd_warmup_epochs, 1))),
    "dist": lambda s, t, y, c, _epoch: dist_loss(s, t, y, c.dist_temperature, c.dist_beta,
                                                 c.dist_gamma),
}


class Distiller(nn.Module):
    """Holds the student (trainable) and the teacher (frozen, eval mode, never in the optimiser)."""

    def __init__(self, student: nn.Module, teacher: nn.Module) -> None:
        super().__init__()
        self.student = student
        self.teacher = teacher
        for parameter in self.teacher.parameters():
            parameter.requires_grad_(False)
        self.teacher.eval()

    def train(self, mode: bool = True) -> Distiller:
        self.student.train(mode)
        self.teacher.eval()  # BatchNorm statistics of the teacher must never move
        return self

    def trainable_parameters(self):
        return self.student.parameters()

    @torch.no_grad()
    def teacher_logits(self, images: torch.Tensor) -> torch.Tensor:
        return self.teacher(images)
