"""Checkpoint to ONNX with the metadata the runtime needs, checked and compared with PyTorch."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import onnx
import torch

from ml.presets import MEAN, STD
from ml.training.run import load_checkpoint_model

OPSET = 17


def model_id_for(ckpt: dict, path: Path) -> str:
    cfg = ckpt["config"]
    return f"{cfg['arch']}-{cfg['mode']}-s{cfg['seed']}-{time.strftime('%Y%m%d')}"


def export_onnx(checkpoint: Path, out: Path, model_id: str = "") -> dict:
    """Write `out` and return its metadata; raises if the checker or the parity check fails."""
    model, ckpt = load_checkpoint_model(checkpoint, "cpu")
    size = int(ckpt["config"]["image_size"])
    dummy = torch.randn(2, 3, size, size)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(model, (dummy,), str(out), input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch", 2: "height", 3: "width"},
                                    "logits": {0: "batch"}},
                      opset_version=OPSET, dynamo=False)
    metadata = {
        "model_id": model_id or model_id_for(ckpt, checkpoint),
        "class_names": json.dumps(ckpt["class_names"]),
        "input_size": str(size),
        "mean": json.dumps(list(MEAN)),
        "std": json.dumps(list(STD)),
        "channel_order": "RGB",
        "arch": ckpt["config"]["arch"],
        "training_mode": ckpt["config"]["mode"],
        "kd": json.dumps({k: ckpt["config"][k] for k in ("kd_method", "temperature", "alpha")}
                         if ckpt["config"]["mode"] == "distill" else {}),
    }
    proto = onnx.load(str(out))
    for key, value in metadata.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(proto)
    onnx.save(proto, str(out))
    parity = parity_check(model, out, size)
    return {**metadata, "parity_max_abs_diff": parity}


def parity_check(model: torch.nn.Module, onnx_path: Path, size: int, tolerance: float = 1e-3) -> float:
    import onnxruntime as ort

    images = torch.randn(4, 3, size, size, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        expected = model(images).numpy()
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    got = session.run(None, {"image": images.numpy()})[0]
    diff = float(np.abs(expected - got).max())
    if diff > tolerance:
        raise AssertionError(f"{onnx_path}: ONNX output differs from PyTorch by {diff:.2e}")
    return diff


def quantise_int8(fp32: Path, out: Path, calibration: np.ndarray) -> Path:
    """Static QDQ int8 with per-channel weights, calibrated on real (normalised) images."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self._batches = iter([calibration[i:i + 8] for i in range(0, len(calibration), 8)])

        def get_next(self):
            batch = next(self._batches, None)
            return None if batch is None else {"image": batch}

    prepared = out.with_suffix(".pre.onnx")
    quant_pre_process(str(fp32), str(prepared))
    quantize_static(str(prepared), str(out), Reader(), quant_format=QuantFormat.QDQ,
                    per_channel=True, activation_type=QuantType.QUInt8,
                    weight_type=QuantType.QInt8)
    prepared.unlink(missing_ok=True)
    proto = onnx.load(str(out))
    source = onnx.load(str(fp32), load_external_data=False)
    del proto.metadata_props[:]
    for entry in source.metadata_props:
        copy = proto.metadata_props.add()
        copy.key = entry.key
        copy.value = entry.value + "-int8" if entry.key == "model_id" else entry.value
    onnx.save(proto, str(out))
    return out
