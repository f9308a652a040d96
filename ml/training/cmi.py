"""CMI (v2): MobileNetV2 inverted residuals whose depthwise step is an Inception block.

Why this layout: cracks are thin lines at any orientation and scale in a forward-looking view
(radial for CL, rings for CC, arcs for CS), so a block should see its input at several reaches at
once (hairline cracks and wide fractures or crack networks). v1 did that with parallel
inverted-residual branches concatenated; on ONNX Runtime's CPU provider each concat of branches
whose widths are not multiples of the NCHWc block forced layout reorders (23 in the graph), and
the branches multiplied the 1x1 convolutions. v2 splits the channels once instead: one shared
1x1 expansion, then a single depthwise convolution whose channel groups are the Inception
branches -- a 3x3 group (near), a dilated 3x3 group (wide, reach 5) and a full 5x5 group (long)
-- written as one 5x5 depthwise kernel with a fixed per-group mask, then one 1x1 projection that
mixes the branches. The exported graph is a plain chain of convolutions (the mask is folded into
the weights at export), every width is a multiple of 16 (the AVX-512 NCHWc block) and ReLU is
fused into the convolutions. See docs/adr/0005-cmi-v2-ort-friendly-blocks.md.
"""

from __future__ import annotations

import torch
from torch import nn

ALIGN = 16  # NCHWc block of ONNX Runtime on AVX-512; widths that are multiples avoid padding


def conv_bn(cin: int, cout: int, kernel: int = 1, stride: int = 1, groups: int = 1,
            act: bool = True) -> nn.Sequential:
    layers: list[nn.Module] = [
        nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
    ]
    if act:
        layers.append(nn.ReLU(inplace=True))  # ReLU fuses into ORT's Conv; ReLU6 (Clip) may not
    return nn.Sequential(*layers)


def _reach_mask(channels: int) -> torch.Tensor:
    """Per-channel 5x5 masks: a quarter near (3x3), a quarter wide (dilated 3x3), half long (5x5)."""
    near = torch.zeros(5, 5)
    near[1:4, 1:4] = 1
    wide = torch.zeros(5, 5)
    wide[::2, ::2] = 1
    long = torch.ones(5, 5)
    quarter = channels // 4
    groups = [near] * quarter + [wide] * quarter + [long] * (channels - 2 * quarter)
    return torch.stack(groups).unsqueeze(1)  # (channels, 1, 5, 5)


class MultiReachDepthwise(nn.Conv2d):
    """Depthwise 5x5 conv whose channel groups are Inception branches of different reach.

    A Conv2d subclass so that initialisation, MAC counting and export treat it as one conv.
    """

    def __init__(self, channels: int, stride: int) -> None:
        super().__init__(channels, channels, 5, stride, 2, groups=channels, bias=False)
        self.register_buffer("mask", _reach_mask(channels), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._conv_forward(x, self.weight * self.mask, None)


class InvertedResidual(nn.Module):
    """MobileNetV2 block: expand 1x1, depthwise (3x3 or multi-reach), linear 1x1, residual."""

    def __init__(self, cin: int, cout: int, stride: int = 1, expand: int = 4,
                 multi_reach: bool = False) -> None:
        super().__init__()
        hidden = cin * expand
        self.use_residual = stride == 1 and cin == cout
        depthwise: list[nn.Module] = (
            [MultiReachDepthwise(hidden, stride), nn.BatchNorm2d(hidden), nn.ReLU(inplace=True)]
            if multi_reach else list(conv_bn(hidden, hidden, 3, stride, groups=hidden)))
        expansion = list(conv_bn(cin, hidden, 1)) if expand != 1 else []
        self.block = nn.Sequential(*expansion, *depthwise, *conv_bn(hidden, cout, 1, act=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.block(x)
        return x + out if self.use_residual else out


def init_weights(model: nn.Module) -> None:
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, mode="fan_out")
        elif isinstance(module, nn.BatchNorm2d):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)


# (output channels, stride, expansion, multi-reach) after the stride-2 stem; 112 px in, 4x4 out.
STAGES: tuple[tuple[int, int, int, bool], ...] = (
    (16, 1, 1, False),   # 1/2
    (32, 2, 3, False),   # 1/4
    (48, 2, 3, True),    # 1/8
    (48, 1, 3, True),
    (96, 2, 3, True),    # 1/16
    (96, 1, 3, True),
    (160, 2, 3, True),   # 1/32
    (160, 1, 3, False),
)


class CMI(nn.Module):
    def __init__(self, num_classes: int, width: float = 1.0, dropout: float = 0.2) -> None:
        super().__init__()

        def c(channels: int) -> int:
            return max(ALIGN, int(channels * width + ALIGN / 2) // ALIGN * ALIGN)

        layers: list[nn.Module] = [conv_bn(3, c(16), 3, 2)]
        cin = c(16)
        for cout, stride, expand, multi_reach in STAGES:
            layers.append(InvertedResidual(cin, c(cout), stride, expand, multi_reach))
            cin = c(cout)
        layers.append(conv_bn(cin, c(512), 1))
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(c(512), num_classes))
        init_weights(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))
