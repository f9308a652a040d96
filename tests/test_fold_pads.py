"""Zero Pads move into the following Conv before int8 quantisation (EfficientNet-Lite's "same"
padding), with the same outputs; Pads that cannot move stay."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper

from ml.training.efficientnet_lite import EfficientNetLite0
from ml.training.fold_pads import fold_pads


def _pad_conv(pads: list[int], mode: str = "constant", value: float | None = None,
              conv_pads: tuple[int, ...] = (0, 0, 0, 0), extra_user: bool = False) -> onnx.ModelProto:
    rng = np.random.default_rng(0)
    inits = [numpy_helper.from_array(np.array(pads, np.int64), "pads"),
             numpy_helper.from_array(rng.normal(size=(4, 3, 3, 3)).astype(np.float32), "w")]
    pad_inputs = ["x", "pads"]
    if value is not None:
        inits.append(numpy_helper.from_array(np.array(value, np.float32), "value"))
        pad_inputs.append("value")
    nodes = [helper.make_node("Pad", pad_inputs, ["padded"], mode=mode),
             helper.make_node("Conv", ["padded", "w"], ["y"], strides=[2, 2], pads=list(conv_pads))]
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", "c", "h", "w"])]
    if extra_user:
        nodes.append(helper.make_node("Relu", ["padded"], ["z"]))
        outputs.append(helper.make_tensor_value_info("z", TensorProto.FLOAT, ["n", "c", "h", "w"]))
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, [1, 3, 12, 12])], outputs, inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(["y"], {"x": x})[0]


@pytest.mark.parametrize("pads,value,conv_pads", [
    ([0, 0, 0, 0, 0, 0, 1, 1], None, (0, 0, 0, 0)),    # stride-2 3x3 on an even size
    ([0, 0, 1, 1, 0, 0, 2, 2], 0.0, (0, 0, 0, 0)),     # 5x5: one before, two after
    ([0, 0, 0, 1, 0, 0, 1, 0], None, (1, 1, 1, 1)),    # added to the Conv's own pads
])
def test_a_zero_spatial_pad_folds_into_the_conv_with_the_same_output(pads, value, conv_pads):
    model = _pad_conv(pads, value=value, conv_pads=conv_pads)
    x = np.random.default_rng(1).normal(size=(1, 3, 12, 12)).astype(np.float32)
    before = _run(model, x)
    assert fold_pads(model) == 1
    assert [n.op_type for n in model.graph.node] == ["Conv"]
    onnx.checker.check_model(model)
    np.testing.assert_allclose(_run(model, x), before, atol=1e-5)


@pytest.mark.parametrize("kwargs", [
    {"pads": [0, 0, 0, 0, 0, 0, 1, 1], "mode": "reflect"},
    {"pads": [0, 0, 0, 0, 0, 0, 1, 1], "value": 0.5},  # not zero: not what Conv pads with
    {"pads": [0, 1, 0, 0, 0, 0, 1, 1]},                 # pads channels
    {"pads": [0, 0, 0, 0, 0, 0, 1, 1], "extra_user": True},  # another node reads the padded map
])
def test_pads_that_are_not_a_convs_zero_border_stay(kwargs):
    model = _pad_conv(**kwargs)
    assert fold_pads(model) == 0
    assert [n.op_type for n in model.graph.node][0] == "Pad"


def test_efficientnet_lite_quantises_without_a_pad_node(tmp_path):
    """The shipped architecture: its int8 file must not run any Pad in float."""
    from ml.training.export import quantise_int8

    torch.manual_seed(0)
    net = EfficientNetLite0(num_classes=6).eval()
    fp32 = tmp_path / "lite.onnx"
    torch.onnx.export(net, torch.zeros(1, 3, 112, 112), str(fp32), input_names=["image"],
                      output_names=["logits"], dynamic_axes={"image": {0: "n"}}, opset_version=17,
                      dynamo=False)
    assert "Pad" in {n.op_type for n in onnx.load(str(fp32)).graph.node}
    calibration = np.random.default_rng(2).normal(size=(8, 3, 112, 112)).astype(np.float32)
    int8 = quantise_int8(fp32, tmp_path / "lite_int8.onnx", calibration)
    assert "Pad" not in {n.op_type for n in onnx.load(str(int8)).graph.node}
    x = calibration[:2]
    want = ort.InferenceSession(str(fp32), providers=["CPUExecutionProvider"]).run(None, {"image": x})[0]
    got = ort.InferenceSession(str(int8), providers=["CPUExecutionProvider"]).run(None, {"image": x})[0]
    assert np.corrcoef(want.ravel(), got.ravel())[0, 1] > 0.9
