"""A tiny hand-built ONNX classifier (no torch) for tests of model loading and scanning."""

from __future__ import annotations

import json

import numpy as np

from ml.classes import CLASS_NAMES

CLASSES = len(CLASS_NAMES)


def linear_onnx(path, *, classes=CLASSES, size=32, scale=1.0, external=None, **meta):
    """A tiny real ONNX classifier: image [N,3,size,size] -> mean colour -> linear layer ->
    `classes` logits (times scale); `meta` overrides its metadata, `external` stores the weights
    as external data at that location."""
    from onnx import TensorProto, helper, numpy_helper

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
