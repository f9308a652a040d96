"""Every registered student/baseline builds, trains a step and exports to ONNX with parity."""

import platform

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
import torch.nn.functional as F

from ml.arch_bench import architecture_front, markdown_table
from ml.training.cmi import CMI, MultiReachDepthwise
from ml.training.models import ARCHITECTURES, build_model

LIGHT = [arch for arch in ARCHITECTURES if arch != "resnet50"]


def _export(model: torch.nn.Module, path, size: int) -> None:
    torch.onnx.export(model.eval(), (torch.zeros(1, 3, size, size),), str(path),
                      input_names=["image"], output_names=["logits"], opset_version=17,
                      dynamo=False)


@pytest.mark.parametrize("arch", LIGHT)
def test_light_models_train_a_step_and_export_with_parity(arch, tmp_path):
    torch.manual_seed(0)
    model = build_model(arch, 6)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    images, labels = torch.randn(4, 3, 64, 64), torch.tensor([0, 1, 2, 3])
    loss = F.cross_entropy(model(images), labels)
    loss.backward()
    optimizer.step()
    assert torch.isfinite(loss)
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters())
    path = tmp_path / f"{arch}.onnx"
    _export(model, path, 64)
    onnx.checker.check_model(onnx.load(str(path)))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = torch.randn(1, 3, 64, 64)
    with torch.inference_mode():
        expected = model(x).numpy()
    np.testing.assert_allclose(session.run(None, {"image": x.numpy()})[0], expected, atol=1e-4)


def test_multi_reach_groups_see_only_their_reach():
    conv = MultiReachDepthwise(8, stride=1)
    torch.nn.init.ones_(conv.weight)  # the mask, not the weights, must shape each group's reach
    impulse = torch.zeros(1, 8, 9, 9)
    impulse[..., 4, 4] = 1
    response = conv(impulse)[0] != 0
    assert response[:2].sum(dim=(1, 2)).tolist() == [9, 9]  # near: 3x3
    assert response[2:4].sum(dim=(1, 2)).tolist() == [9, 9]  # wide: dilated 3x3
    assert not response[2, 4, 5] and response[2, 4, 6]
    assert response[4:].sum(dim=(1, 2)).tolist() == [25] * 4  # long: 5x5


def test_cmi_graph_keeps_onnx_runtime_in_one_layout(tmp_path):
    # v1's branch concats forced NCHWc<->NCHW reorders around every Inception block (23 in all);
    # v2 is a chain of convolutions: at most the one reorder before global pooling remains.
    path, optimized = tmp_path / "cmi.onnx", tmp_path / "cmi.opt.onnx"
    _export(CMI(6), path, 112)
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.optimized_model_filepath = str(optimized)
    ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    ops = [node.op_type for node in onnx.load(str(optimized)).graph.node]
    assert sum(op in ("ReorderInput", "ReorderOutput") for op in ops) <= 1
    assert not {"Clip", "Relu", "Concat"} & set(ops)  # activations fused, no branch concat


def test_cmi_width_keeps_channels_aligned():
    for width in (0.5, 1.0, 1.3):
        for module in CMI(6, width=width).modules():
            if isinstance(module, torch.nn.Conv2d) and module.in_channels != 3:
                assert module.in_channels % 16 == 0 and module.out_channels % 16 == 0


def test_front_benchmark_counts_the_reorders_v1_paid_for(tmp_path):
    front = architecture_front(("cmi", "cmi_v1"), size=64, repeats=3)
    rows = front["archs"]
    assert set(rows) == {"cmi", "cmi_v1"} and front["threads"] == 1
    assert all(row["median_ms"] > 0 and row["params"] > 0 for row in rows.values())
    if platform.machine().lower() in ("x86_64", "amd64"):  # NCHWc layouts are x86-only
        # How many depends on the CPU's NCHWc block: v1 over 10 with AVX-512, 6 with AVX2.
        assert rows["cmi"]["reorder_nodes"] <= 2
        assert rows["cmi_v1"]["reorder_nodes"] >= 3 * max(rows["cmi"]["reorder_nodes"], 1)
    assert "| cmi_v1 |" in markdown_table(front)
