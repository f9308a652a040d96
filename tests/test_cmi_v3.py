"""CMI v3: its front is Lite0's ImageNet front, it exports as a plain chain, and a frozen front
trains only what lies behind it, from features cached once."""

import json

import pytest
import torch
import torch.nn.functional as F

from ml.training.cmi_pretrained import FRONT, CMIPretrained
from ml.training.data import Split
from ml.training.efficientnet_lite import EfficientNetLite0, pretrained_weights_path
from ml.training.frozen_front import FeatureSplit, freeze_front


@pytest.fixture(scope="module")
def state():
    return torch.load(pretrained_weights_path(), map_location="cpu", weights_only=True)


def test_front_blocks_carry_the_imagenet_weights(state):
    model = CMIPretrained(6)
    for block, (index, *_rest) in zip(model.front[1:], FRONT, strict=True):
        convs = [m for m in block.block if isinstance(m, torch.nn.Conv2d)]
        assert torch.equal(convs[-1].weight, state[f"_blocks.{index}._project_conv.weight"])
        depthwise = convs[-2]
        assert torch.equal(depthwise.weight, state[f"_blocks.{index}._depthwise_conv.weight"])
    scratch = CMIPretrained(6, pretrained=False)
    assert not torch.equal(scratch.front[1].block[0].weight, model.front[1].block[0].weight)


def test_stem_folds_lite0s_input_convention_exactly_away_from_the_border():
    # Lite0 converts project-normalised images to (x - 0.5) / 0.5 before its stem; v3 folds that
    # into the stem's weights and batch-norm mean. With Lite0's own (TF "same") padding the two
    # stems agree wherever the padding does not enter.
    torch.manual_seed(0)
    lite, v3 = EfficientNetLite0(6, pretrained=True).eval(), CMIPretrained(6).eval()
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        reference = lite._bn0(lite._conv_stem(x * lite.input_scale + lite.input_shift))
        conv, bn = v3.front[0][0], v3.front[0][1]
        ours = bn(F.conv2d(F.pad(x, [0, 1, 0, 1]), conv.weight, None, 2))
    torch.testing.assert_close(ours[..., :-1, :-1], reference[..., :-1, :-1], atol=1e-4, rtol=1e-4)
    assert (ours - reference).abs().max() > 1e-3  # the border does differ: the check can fail


def test_graph_is_a_chain_of_fused_convolutions(tmp_path):
    from ml.arch_bench import optimised_session

    path = tmp_path / "v3.onnx"
    torch.onnx.export(CMIPretrained(6).eval(), (torch.zeros(1, 3, 112, 112),), str(path),
                      input_names=["image"], output_names=["logits"], opset_version=17,
                      dynamo=False)
    _session, ops = optimised_session(path, threads=1)
    assert ops.get("ReorderInput", 0) + ops.get("ReorderOutput", 0) <= 1
    assert not {"Clip", "Relu", "Concat", "Pad", "Mul"} & set(ops)


def _split(n: int, seed: int) -> Split:
    g = torch.Generator().manual_seed(seed)
    return Split(torch.randint(0, 256, (n, 3, 48, 48), dtype=torch.uint8, generator=g),
                 torch.arange(n) % 6)


def test_frozen_front_features_match_the_whole_model_and_are_reused(tmp_path):
    model = CMIPretrained(6).eval()
    splits = {"train": _split(6, 0), "val": _split(4, 1)}
    events = []
    behind, cached = freeze_front(model, splits, torch.device("cpu"),
                                  lambda *a, **k: events.append(k), tmp_path)
    assert isinstance(cached["train"], FeatureSplit)
    assert cached["train"].features.shape[:2] == (4, 6)  # every flip of every training image
    assert cached["val"].features.shape[:2] == (1, 4)
    _pos, variant, features, _labels = next(cached["train"].batches(6, torch.Generator(), True))
    _p, _v, images, _l = next(splits["train"].batches(6, torch.Generator(), True))
    with torch.no_grad():
        torch.testing.assert_close(behind.eval()(features), model(images), atol=2e-2, rtol=1e-2)
    files = {p: p.stat().st_mtime_ns for p in tmp_path.glob("front_*.pt")}
    assert len(files) == 2
    freeze_front(CMIPretrained(6), splits, torch.device("cpu"), lambda *a, **k: None, tmp_path)
    assert {p: p.stat().st_mtime_ns for p in tmp_path.glob("front_*.pt")} == files
    changed = {"train": _split(6, 2), "val": splits["val"]}
    freeze_front(CMIPretrained(6), changed, torch.device("cpu"), lambda *a, **k: None, tmp_path)
    assert len(list(tmp_path.glob("front_*.pt"))) == 3  # other pixels: features computed anew
    with pytest.raises(ValueError, match="unflipped"):
        next(cached["val"].batches(4, torch.Generator(), augment=True))


def test_a_frozen_front_run_trains_only_behind_the_front(tmp_path):
    from ml.synth.stills import write_stills
    from ml.training.config import TrainConfig
    from ml.training.run import fit

    write_stills(tmp_path / "data", 3, 48, seed=3, no_crack_share=None)
    config = TrainConfig(mode="student", arch="cmi_v3", data=str(tmp_path / "data"),
                         out=str(tmp_path / "runs" / "a"), epochs=2, batch_size=6,
                         image_size=48, threads=1, freeze_front=True, progress="json")
    summary = fit(config)
    trained = torch.load(tmp_path / "runs" / "a" / "best.pt", weights_only=True)["model"]
    start = CMIPretrained(6).state_dict()
    front = [k for k in start if k.startswith("front.") and "num_batches" not in k]
    behind = [k for k in start if k.startswith("stages.") and k.endswith("weight")]
    assert all(torch.equal(trained[k], start[k]) for k in front)
    assert any(not torch.equal(trained[k], start[k]) for k in behind)
    assert summary["config"]["freeze_front"] is True
    assert json.loads((tmp_path / "runs" / "a" / "metrics.json").read_text())["test"]
    assert list((tmp_path / "runs" / "front_cache").glob("front_*.pt"))


def test_freezing_a_model_without_a_pretrained_front_is_refused_by_name():
    from ml.training.cmi import CMI

    with pytest.raises(ValueError, match="pretrained front"):
        freeze_front(CMI(6), {"train": _split(2, 0)}, torch.device("cpu"), lambda *a, **k: None)
