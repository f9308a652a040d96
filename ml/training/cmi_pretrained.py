"""CMI v3: an ImageNet-pretrained MobileNetV2 front, then CMI's multi-reach Inception blocks.

Why: from random initialisation CMI v2 did not learn the domain-randomised stills in the epochs
a 2-core machine allows (docs/results.md: 33 % test accuracy after 8 epochs, the pretrained
teacher 80 %), and features learned only from renders transfer poorly to real footage. The only
ImageNet weights reachable offline are EfficientNet-Lite0's, whose blocks are MobileNetV2
inverted residuals (no squeeze-excitation). So v3 takes Lite0's stem and first stages as its
front -- the high-resolution edge and texture detectors that real photographs teach best -- and
keeps CMI's own multi-reach inverted residuals (ml/training/cmi.py) for the lowest-resolution
stages, which tell the crack patterns apart. The front is rewritten to export as a plain chain of
convolutions like v2: the input normalisation Lite0 expects is folded into the stem and its
batch norm, TensorFlow "same" padding becomes symmetric padding (a half-pixel shift that
fine-tuning absorbs), and ReLU6 becomes ReLU, which ONNX Runtime fuses into each convolution.
See docs/adr/0008-cmi-v3-pretrained-front.md.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from ml.presets import MEAN, STD
from ml.training.cmi import InvertedResidual, conv_bn, init_weights
from ml.training.efficientnet_lite import BN_EPS, WEIGHTS_MEAN, WEIGHTS_STD, pretrained_weights_path

# Lite0's blocks taken as the front: (state-dict index, in, out, kernel, stride, expansion);
# its stages 1-4, to 80 channels at 1/16. A front to 1/4 only (blocks 0-2) left the stages
# behind it to learn mid-level features from scratch, and they stayed at the class prior for
# 5 epochs, like v2 (docs/results.md).
FRONT: tuple[tuple[int, int, int, int, int, int], ...] = (
    (0, 32, 16, 3, 1, 1),   # 1/2
    (1, 16, 24, 3, 2, 6),   # 1/4
    (2, 24, 24, 3, 1, 6),
    (3, 24, 40, 5, 2, 6),   # 1/8
    (4, 40, 40, 5, 1, 6),
    (5, 40, 80, 3, 2, 6),   # 1/16
    (6, 80, 80, 3, 1, 6),
    (7, 80, 80, 3, 1, 6),
)
STEM = 32
# CMI's multi-reach stages behind the front: (output channels, stride, expansion, multi-reach).
STAGES: tuple[tuple[int, int, int, bool], ...] = (
    (96, 1, 3, True),    # 1/16
    (160, 2, 3, True),   # 1/32
    (160, 1, 3, False),
)
HEAD = 512


def _conv(cin: int, cout: int, kernel: int, stride: int = 1, groups: int = 1) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False)


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=BN_EPS)


class FrontBlock(nn.Module):
    """One Lite0 MBConv with the project's conventions (ReLU, symmetric padding)."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int, expand: int) -> None:
        super().__init__()
        mid = cin * expand
        layers: list[nn.Module] = []
        if expand != 1:
            layers += [_conv(cin, mid, 1), _bn(mid), nn.ReLU(inplace=True)]
        layers += [_conv(mid, mid, kernel, stride, groups=mid), _bn(mid), nn.ReLU(inplace=True),
                   _conv(mid, cout, 1), _bn(cout)]
        self.block = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.block(x)
        return x + out if self.residual else out


class CMIPretrained(nn.Module):
    """CMI v3; `pretrained` loads the front from the Lite0 ImageNet weights (Apache-2.0)."""

    def __init__(self, num_classes: int, pretrained: bool = True, dropout: float = 0.2,
                 weights: Path | None = None) -> None:
        super().__init__()
        front: list[nn.Module] = [nn.Sequential(_conv(3, STEM, 3, 2), _bn(STEM),
                                                nn.ReLU(inplace=True))]
        front += [FrontBlock(cin, cout, k, s, e) for _, cin, cout, k, s, e in FRONT]
        self.front = nn.Sequential(*front)
        layers: list[nn.Module] = []
        cin = FRONT[-1][2]
        for cout, stride, expand, multi_reach in STAGES:
            layers.append(InvertedResidual(cin, cout, stride, expand, multi_reach))
            cin = cout
        layers.append(conv_bn(cin, HEAD, 1))
        self.stages = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(HEAD, num_classes))
        init_weights(self)
        nn.init.normal_(self.classifier[1].weight, std=0.01)
        nn.init.zeros_(self.classifier[1].bias)
        if pretrained:
            self.load_front(weights or pretrained_weights_path())

    def load_front(self, path: Path) -> None:
        """Copy Lite0's stem and first blocks, folding its input convention into the stem."""
        state = torch.load(path, map_location="cpu", weights_only=True)
        stem_conv, stem_bn = self.front[0][0], self.front[0][1]
        # Lite0 wants (x - 0.5) / 0.5 where the project feeds (x - MEAN) / STD: x' = a x + b.
        a = torch.tensor([s / ws for s, ws in zip(STD, WEIGHTS_STD, strict=True)])
        b = torch.tensor([(m - wm) / ws for m, wm, ws in zip(MEAN, WEIGHTS_MEAN, WEIGHTS_STD,
                                                              strict=True)])
        weight = state["_conv_stem.weight"]
        with torch.no_grad():
            stem_conv.weight.copy_(weight * a.view(1, 3, 1, 1))
            _copy_bn(stem_bn, state, "_bn0")
            # The constant part of conv(a x + b) shifts the batch norm's mean (exact away from
            # the one-pixel border, where zero padding differs).
            stem_bn.running_mean.sub_((weight * b.view(1, 3, 1, 1)).sum(dim=(1, 2, 3)))
        for block, (index, _cin, _cout, _k, _s, expand) in zip(self.front[1:], FRONT, strict=True):
            names = (["_expand_conv", "_bn0"] if expand != 1 else []) + [
                "_depthwise_conv", "_bn1", "_project_conv", "_bn2"]
            modules = [m for m in block.block if not isinstance(m, nn.ReLU)]
            for module, name in zip(modules, names, strict=True):
                prefix = f"_blocks.{index}.{name}"
                with torch.no_grad():
                    if isinstance(module, nn.Conv2d):
                        module.weight.copy_(state[f"{prefix}.weight"])
                    else:
                        _copy_bn(module, state, prefix)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stages(self.front(x))
        return self.classifier(torch.flatten(self.pool(x), 1))


def _copy_bn(bn: nn.BatchNorm2d, state: dict[str, torch.Tensor], prefix: str) -> None:
    for field in ("weight", "bias", "running_mean", "running_var"):
        getattr(bn, field).copy_(state[f"{prefix}.{field}"])
