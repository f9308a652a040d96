"""Fold zero Pad nodes into the convolution that follows them, before int8 quantisation.

EfficientNet-Lite's TensorFlow-style "same" padding exports as an explicit, often asymmetric,
Pad before every stride-2 convolution. ONNX Runtime fuses such a Pad into its Conv in fp32
graphs, but in a QDQ graph the Pad sits between a DequantizeLinear and a QuantizeLinear, so
the int8 model ran each one in float with a quantise/dequantise pair around it: 5 Pads, 6 Q
and 6 DQ nodes, about a quarter of the int8 model's time. ONNX Conv takes separate begin and
end pads, so a constant zero pad on the spatial axes moves into the Conv's `pads` exactly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper


def _attribute(node: onnx.NodeProto, name: str, default: object) -> object:
    for attr in node.attribute:
        if attr.name == name:
            return helper.get_attribute_value(attr)
    return default


def _spatial_zero_pads(pad: onnx.NodeProto, constants: dict[str, np.ndarray]) -> list[int] | None:
    """The Pad's (h_begin, w_begin, h_end, w_end) when it pads only H and W with zeros."""
    mode = _attribute(pad, "mode", b"constant")
    if mode not in (b"constant", "constant") or len(pad.input) < 2 or pad.input[1] not in constants:
        return None
    if len(pad.input) > 2 and pad.input[2]:
        value = constants.get(pad.input[2])
        if value is None or np.any(value != 0):
            return None
    if len(pad.input) > 3 and pad.input[3]:
        return None  # an axes input: rare, and not what the exporter writes
    pads = constants[pad.input[1]].astype(int).tolist()
    if len(pads) != 8 or pads[0] or pads[1] or pads[4] or pads[5] or min(pads) < 0:
        return None
    return [pads[2], pads[3], pads[6], pads[7]]


def fold_pads(model: onnx.ModelProto) -> int:
    """Fold every foldable Pad into its only consumer, a 2-D Conv; returns how many."""
    graph = model.graph
    constants = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant":
            constants[node.output[0]] = numpy_helper.to_array(_attribute(node, "value", None))
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    outputs = {o.name for o in graph.output}
    folded = []
    for pad in [n for n in graph.node if n.op_type == "Pad"]:
        spatial = _spatial_zero_pads(pad, constants)
        users = consumers.get(pad.output[0], [])
        if spatial is None or len(users) != 1 or pad.output[0] in outputs:
            continue
        conv = users[0]
        if conv.op_type != "Conv" or conv.input[0] != pad.output[0]:
            continue
        if _attribute(conv, "auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            continue
        old = list(_attribute(conv, "pads", [0, 0, 0, 0]))
        if len(old) != 4:
            continue
        new = [a + b for a, b in zip(old, spatial, strict=True)]
        kept = [a for a in conv.attribute if a.name != "pads"]
        del conv.attribute[:]
        conv.attribute.extend(kept + [helper.make_attribute("pads", new)])
        conv.input[0] = pad.input[0]
        folded.append(pad)
    for pad in folded:
        graph.node.remove(pad)
    return len(folded)


def fold_pads_file(source: Path, out: Path) -> int:
    model = onnx.load(str(source))
    count = fold_pads(model)
    onnx.save(model, str(out))
    return count
