"""Checkpoint to ONNX with the metadata the runtime needs, checked and compared with PyTorch."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import onnx
import torch

from ml.presets import MEAN, STD
from ml.runtime.model_files import INT8_ID_SUFFIX
from ml.training.fold_pads import fold_pads_file
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
    """Static QDQ int8 with per-channel 7-bit weights, calibrated on (normalised) images.

    7 bits (reduce_range): without VNNI, ONNX Runtime's x86 u8s8 kernels add pairs of products
    in 16 bits, which full 8-bit weights overflow; the same file then answers differently by
    CPU (the 2026-12-03 model, 8-bit: 10 real-frame claims on AVX-512 VNNI, 19 on AVX2).
    """
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
    fold_pads_file(prepared, prepared)  # or each Pad runs in float between a DQ and a Q
    quantize_static(str(prepared), str(out), Reader(), quant_format=QuantFormat.QDQ,
                    per_channel=True, reduce_range=True, activation_type=QuantType.QUInt8,
                    weight_type=QuantType.QInt8)
    prepared.unlink(missing_ok=True)
    proto = onnx.load(str(out))
    source = onnx.load(str(fp32), load_external_data=False)
    del proto.metadata_props[:]
    for entry in source.metadata_props:
        copy = proto.metadata_props.add()
        copy.key = entry.key
        copy.value = entry.value + INT8_ID_SUFFIX if entry.key == "model_id" else entry.value
    onnx.save(proto, str(out))
    return out


def calibration_from_folder(fp32: Path, folder: Path, count: int = 64,
                            seed: int = 0) -> np.ndarray:
    """Up to `count` images of `folder` (rendered stills, never the real evaluation frames),
    preprocessed as the app preprocesses frames for `fp32`."""
    import cv2

    from ml.runtime.classifier import CrackClassifier
    from ml.runtime.classify import image_files

    files = list(image_files([Path(folder)]))
    if not files:
        raise ValueError(f"{folder}: no images to calibrate on")
    chosen = [files[i] for i in np.random.default_rng(seed).permutation(len(files))[:count]]
    frames = [cv2.imread(str(f), cv2.IMREAD_COLOR) for f in chosen]
    unreadable = [str(f) for f, frame in zip(chosen, frames, strict=True) if frame is None]
    if unreadable:
        raise ValueError(f"{unreadable[0]}: not a readable image")
    return CrackClassifier(Path(fp32)).preprocess(frames)


def int8_weight_range(model: Path) -> tuple[int, int]:
    """Smallest and largest int8 weight in a quantised file (7-bit weights: within -64..64)."""
    from onnx import numpy_helper

    values = [numpy_helper.to_array(t) for t in onnx.load(str(model)).graph.initializer
              if t.data_type == onnx.TensorProto.INT8]
    if not values:
        raise ValueError(f"{model}: no int8 weights")
    return int(min(v.min() for v in values)), int(max(v.max() for v in values))


def main(argv: list[str] | None = None) -> int:
    """Re-quantise a packaged fp32 model whose training data is gone (the shipped one)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("fp32", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--calibration", type=Path, required=True,
                        help="a folder of rendered stills (sewer-ml synth stills)")
    parser.add_argument("--count", type=int, default=64)
    args = parser.parse_args(argv)
    quantise_int8(args.fp32, args.out,
                  calibration_from_folder(args.fp32, args.calibration, args.count))
    low, high = int8_weight_range(args.out)
    print(json.dumps({"int8": str(args.out), "weights": [low, high]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
