"""Which file of a packaged model the app runs.

A packaged model is an fp32 file and its int8 twin (`model.onnx` and `model_int8.onnx`,
`cmi_student.onnx` and `cmi_student_int8.onnx`), both with the same decision policy. The app,
the scan and `sewer-ml classify` run the int8 twin: about half the latency, answers close to
fp32's (docs/results.md, "int8 in the app"); fp32 stays beside it for export and checks.
"""

from __future__ import annotations

from pathlib import Path


def int8_twin(fp32: Path) -> Path:
    """The name the packager gives the int8 twin of `fp32` (whether or not it exists yet)."""
    fp32 = Path(fp32)
    return fp32.with_name(f"{fp32.stem}_int8{fp32.suffix}")


def runtime_model(fp32: Path) -> Path:
    """The file to run for a packaged model: its int8 twin when there is one, else `fp32`."""
    twin = int8_twin(fp32)
    return twin if twin.is_file() else Path(fp32)
