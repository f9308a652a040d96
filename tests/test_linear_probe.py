"""The linear probe (LP of LP-FT): ImageNet features untouched, a head fitted on them, written as
a student checkpoint that fine-tuning and weight averaging start from."""

from __future__ import annotations

import json

import torch

from ml.training.efficientnet_lite import EfficientNetLite0
from ml.training.finetune import load_student
from ml.training.linear_probe import fit_head, main


def test_the_probe_keeps_the_imagenet_features_and_fits_only_the_head(tiny_data, tmp_path, capsys):
    out = tmp_path / "probe.pt"
    assert main([str(tiny_data), str(out), "--image-size", "32", "--threads", "1"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["checkpoint"] == str(out) and summary["decay"] in (1e-4, 1e-3, 1e-2)
    model, meta = load_student(out)
    assert meta["arch"] == "efficientnet_lite0" and meta["image_size"] == 32
    imagenet = EfficientNetLite0(6, pretrained=True).state_dict()
    probed = model.state_dict()
    backbone = [k for k in imagenet if not k.startswith("_fc.")]
    assert all(torch.equal(imagenet[k], probed[k]) for k in backbone)
    assert not torch.equal(imagenet["_fc.weight"], probed["_fc.weight"])


def test_a_head_on_separable_features_learns_them():
    torch.manual_seed(0)
    labels = torch.arange(6).repeat(20)
    features = torch.nn.functional.one_hot(labels, 6).float() * 3 + 0.1 * torch.randn(120, 6)
    head = fit_head(features, labels, decay=1e-4, epochs=200)
    assert (head(features).argmax(1) == labels).float().mean() == 1.0
