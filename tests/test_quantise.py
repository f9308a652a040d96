"""int8 files answer the same on every x86 CPU: 7-bit weights, which ONNX Runtime's u8s8
kernels without VNNI cannot overflow; and a shipped model can be re-quantised from rendered
stills when its training data is gone."""

from __future__ import annotations

import json

import cv2
import numpy as np
import onnx
import pytest

from ml.runtime.classifier import CrackClassifier
from ml.runtime.model_files import INT8_ID_SUFFIX
from ml.training.export import calibration_from_folder, int8_weight_range, main


def _meta(model) -> dict[str, str]:
    return {p.key: p.value for p in onnx.load(str(model)).metadata_props}


def test_requantising_from_stills_writes_seven_bit_weights_and_keeps_the_metadata(
        tiny_onnx, tiny_data, tmp_path, capsys):
    out = tmp_path / "model_int8.onnx"
    assert main([str(tiny_onnx), str(out), "--calibration", str(tiny_data), "--count", "12"]) == 0
    printed = json.loads(capsys.readouterr().out)
    low, high = int8_weight_range(out)
    assert printed["weights"] == [low, high]
    assert -64 <= low < 0 < high <= 64  # 8-bit weights would reach -127..127
    fp32, int8 = _meta(tiny_onnx), _meta(out)
    assert int8["model_id"] == fp32["model_id"] + INT8_ID_SUFFIX
    assert {k: v for k, v in int8.items() if k != "model_id"} == \
        {k: v for k, v in fp32.items() if k != "model_id"}
    frames = [np.full((60, 80, 3), v, np.uint8) for v in (30, 200)]
    probs = CrackClassifier(out).probabilities(frames)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-4)


def test_calibration_from_an_empty_folder_names_it(tiny_onnx, tmp_path):
    with pytest.raises(ValueError, match=f"{tmp_path}: no images"):
        calibration_from_folder(tiny_onnx, tmp_path)


def test_an_unreadable_calibration_image_is_named(tiny_onnx, tmp_path):
    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((20, 20, 3), np.uint8))
    (tmp_path / "b.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match=r"b\.png: not a readable image"):
        calibration_from_folder(tiny_onnx, tmp_path)
