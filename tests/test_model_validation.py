"""A model file with wrong metadata, shapes or outputs is refused on load with a message."""

import json

import numpy as np
import pytest

from ml.classes import CLASS_NAMES
from ml.runtime.classifier import CrackClassifier, ModelError

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

SIZE = 32
CLASSES = len(CLASS_NAMES)


def _model(path, *, classes=CLASSES, size=SIZE, scale=1.0, external=None, **meta):
    """image [N,3,size,size] -> mean colour -> linear layer -> `classes` logits (times scale)."""
    weights = numpy_helper.from_array(
        np.arange(3 * classes, dtype=np.float32).reshape(3, classes) / 10, "w")
    nodes = [helper.make_node("GlobalAveragePool", ["image"], ["pooled"]),
             helper.make_node("Flatten", ["pooled"], ["flat"]),
             helper.make_node("MatMul", ["flat", "w"], ["raw"]),
             helper.make_node("Mul", ["raw", "scale"], ["logits"])]
    graph = helper.make_graph(
        nodes, "tiny", [helper.make_tensor_value_info("image", TensorProto.FLOAT,
                                                      ["n", 3, size, size])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["n", classes])],
        [weights, numpy_helper.from_array(np.array(scale, np.float32), "scale")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    values = {"class_names": json.dumps(list(CLASS_NAMES)), "input_size": str(size),
              "mean": "[0.5, 0.5, 0.5]", "std": "[0.25, 0.25, 0.25]", "model_id": "tiny"}
    values.update(meta)
    helper.set_model_props(model, values)
    if external:
        stored = model.graph.initializer[0]  # make_graph copied `weights`
        stored.data_location = TensorProto.EXTERNAL
        stored.ClearField("raw_data")
        stored.external_data.add(key="location", value=external)
        stored.external_data.add(key="length", value=str(3 * classes * 4))
    path.write_bytes(model.SerializeToString())
    return path


def test_a_well_formed_model_loads_and_classifies(tmp_path):
    clf = CrackClassifier(_model(tmp_path / "ok.onnx"))
    probabilities = clf.probabilities([np.zeros((40, 50, 3), np.uint8)])
    assert probabilities.shape == (1, len(CLASS_NAMES))
    assert np.isclose(probabilities.sum(), 1)


@pytest.mark.parametrize("meta,message", [
    ({"std": "[0, 1, 1]"}, "std above 0"),
    ({"mean": "[NaN, 0.5, 0.5]"}, "must be finite"),
    ({"mean": "[0.5, 0.5]"}, "malformed model metadata"),
    ({"input_size": "big"}, "malformed model metadata"),
    ({"input_size": "0"}, "input_size 0 is not"),
    ({"class_names": "{\"a\": 1}"}, "class_names must be a list"),
    ({"class_names": "not json"}, "malformed model metadata"),
])
def test_malformed_metadata_is_refused(tmp_path, meta, message):
    with pytest.raises(ModelError, match=message):
        CrackClassifier(_model(tmp_path / "m.onnx", **meta))


def test_input_size_and_output_count_must_match_the_metadata(tmp_path):
    with pytest.raises(ModelError, match=r"takes .* not images of 3 x 64 x 64"):
        CrackClassifier(_model(tmp_path / "size.onnx", input_size="64"))
    with pytest.raises(ModelError, match="not 6 class scores per frame"):
        CrackClassifier(_model(tmp_path / "count.onnx", classes=4))


def test_nan_outputs_are_refused_on_load(tmp_path):
    with pytest.raises(ModelError, match="non-finite scores"):
        CrackClassifier(_model(tmp_path / "nan.onnx", scale=float("nan")))


@pytest.mark.parametrize("location", ["../secret.bin", "ABSOLUTE"])
def test_external_data_outside_the_model_folder_is_refused(tmp_path, location):
    """onnxruntime>=1.24 (pyproject) validates external data paths; this checks the one here."""
    secret = tmp_path / "secret.bin"
    secret.write_bytes(np.ones(18, np.float32).tobytes())
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "inside.bin").write_bytes(secret.read_bytes())
    assert CrackClassifier(_model(folder / "in.onnx", external="inside.bin")).model_id == "tiny"
    location = str(secret) if location == "ABSOLUTE" else location
    with pytest.raises(ModelError, match="not an ONNX model ONNX Runtime can load"):
        CrackClassifier(_model(folder / "ext.onnx", external=location))
