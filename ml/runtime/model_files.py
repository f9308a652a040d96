"""Which file of a packaged model the app runs.

A packaged model is an fp32 file and its int8 twin (`model.onnx` and `model_int8.onnx`,
`cmi_student.onnx` and `cmi_student_int8.onnx`), both with the same decision policy. The app,
the scan and `sewer-ml classify` run the int8 twin: about half the latency, answers close to
fp32's (docs/results.md, "int8 in the app"); fp32 stays beside it for export and checks.
"""

from __future__ import annotations

import json
from pathlib import Path

# Written by the quantiser (ml/training/export.py) into a file's model id and a packaged run's
# package.json: 7-bit int8 files are told apart from the 8-bit ones of before 2026-12-03
# (same fp32 parent, other answers on CPUs without VNNI); "f" since 2026-12-04: pads folded
# into the convolutions and re-calibrated, so a pre-scan by an earlier file is redone.
INT8_ID_SUFFIX = "-int8w7f"
INT8_WEIGHT_BITS = 7


def int8_twin(fp32: Path) -> Path:
    """The name the packager gives the int8 twin of `fp32` (whether or not it exists yet)."""
    fp32 = Path(fp32)
    return fp32.with_name(f"{fp32.stem}_int8{fp32.suffix}")


def runtime_model(fp32: Path) -> Path:
    """The file to run for a packaged model: its int8 twin when there is one, else `fp32`."""
    twin = int8_twin(fp32)
    return twin if twin.is_file() else Path(fp32)


def read_package(run: Path) -> dict:
    """A packaged run's package.json ({} when missing or unreadable)."""
    try:
        data = json.loads((Path(run) / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def run_runtime_model(run: Path) -> Path:
    """The file to run for a packaged run: its int8 twin when packaged with 7-bit weights; a
    run packaged before them has an 8-bit int8 file, so its fp32 file runs instead."""
    fp32 = Path(run) / "model.onnx"
    return runtime_model(fp32) if read_package(run).get("int8_weight_bits") == INT8_WEIGHT_BITS \
        else fp32
