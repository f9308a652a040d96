"""CMI v1 (the first shipped student; kept to load its checkpoints and for comparison):
a lightweight student combining MobileNetV2 inverted residuals with Inception branches.

Why this layout: cracks are thin lines at any orientation and scale in a forward-looking view
(radial for CL, rings for CC, arcs for CS). MobileNetV2's inverted residual blocks keep the cost
low; at each downsampling step an Inception-style block looks at the same input through parallel
depthwise branches of different reach (3x3, dilated 3x3 ~ 5x5, and pooled context) so that both
hairline cracks and wide fractures or crack networks are seen, then a 1x1 conv mixes them.
"""

from __future__ import annotations

import torch
from torch import nn

from ml.training.cmi import init_weights


def conv_bn(cin: int, cout: int, kernel: int = 1, stride: int = 1, groups: int = 1,
            dilation: int = 1, act: bool = True) -> nn.Sequential:
    padding = dilation * (kernel - 1) // 2
    layers: list[nn.Module] = [
        nn.Conv2d(cin, cout, kernel, stride, padding, dilation=dilation, groups=groups,
                  bias=False),
        nn.BatchNorm2d(cout),
    ]
    if act:
        layers.append(nn.ReLU6(inplace=True))
    return nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    """MobileNetV2 block: expand 1x1, depthwise 3x3, linear project 1x1, residual if shapes match."""

    def __init__(self, cin: int, cout: int, stride: int = 1, expand: int = 4,
                 kernel: int = 3, dilation: int = 1) -> None:
        super().__init__()
        hidden = cin * expand
        self.use_residual = stride == 1 and cin == cout
        self.block = nn.Sequential(
            conv_bn(cin, hidden, 1),
            conv_bn(hidden, hidden, kernel, stride, groups=hidden, dilation=dilation),
            conv_bn(hidden, cout, 1, act=False),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.block(x)
        return x + out if self.use_residual else out


class InceptionIR(nn.Module):
    """Parallel inverted-residual branches of different reach plus pooled context, concatenated."""

    def __init__(self, cin: int, cout: int, stride: int = 2, expand: int = 3) -> None:
        super().__init__()
        branch = cout // 4
        self.near = InvertedResidual(cin, branch, stride, expand, kernel=3)
        self.wide = InvertedResidual(cin, branch, stride, expand, kernel=3, dilation=2)
        self.long = InvertedResidual(cin, branch, stride, expand, kernel=5)
        self.context = nn.Sequential(nn.AvgPool2d(3, stride, 1), conv_bn(cin, cout - 3 * branch))
        self.mix = conv_bn(cout, cout, 1, act=False)
        self.use_residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.cat([self.near(x), self.wide(x), self.long(x), self.context(x)], dim=1)
        out = self.mix(out)
        return x + out if self.use_residual else out


class CMIv1(nn.Module):
    def __init__(self, num_classes: int, width: float = 1.0, dropout: float = 0.2) -> None:
        super().__init__()

        def c(channels: int) -> int:
            return max(8, int(channels * width + 4) // 8 * 8)

        self.features = nn.Sequential(
            conv_bn(3, c(16), 3, 2),                       # 1/2
            InvertedResidual(c(16), c(16), 1, expand=1),
            InvertedResidual(c(16), c(24), 2, expand=4),   # 1/4
            InvertedResidual(c(24), c(24), 1, expand=4),
            InceptionIR(c(24), c(48), 2),                  # 1/8
            InvertedResidual(c(48), c(48), 1, expand=4),
            InceptionIR(c(48), c(96), 2),                  # 1/16
            InvertedResidual(c(96), c(96), 1, expand=4),
            InceptionIR(c(96), c(96), 1),
            InceptionIR(c(96), c(160), 2),                 # 1/32
            InvertedResidual(c(160), c(160), 1, expand=4),
            conv_bn(c(160), c(512), 1),
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(c(512), num_classes))
        init_weights(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))
