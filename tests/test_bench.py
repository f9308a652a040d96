"""`sewer-ml bench`: the shipped files timed at the size the app runs them at."""

import shutil
from pathlib import Path

from ml.bench import run_bench
from ml.runtime.classifier import CrackClassifier

MODELS = Path(__file__).resolve().parents[1] / "resources" / "models"


def test_both_shipped_files_are_timed_at_their_native_size(tmp_path):
    for name in ("cmi_student.onnx", "cmi_student_int8.onnx"):
        shutil.copy(MODELS / name, tmp_path / name)
    (tmp_path / "resnet50_teacher.onnx").symlink_to(MODELS / "cmi_student.onnx")  # no export
    latency = run_bench(tmp_path, None, repeats=2, threads=1)["latency"]
    native = CrackClassifier(MODELS / "cmi_student.onnx").input_size
    for name in ("student_fp32_native", "student_int8_native"):
        assert [(r["batch"], r["size"]) for r in latency[name]] == [(1, native), (8, native)]
        assert all(r["median_ms"] > 0 for r in latency[name])


def test_a_folder_without_the_int8_file_is_timed_without_it(tmp_path):
    shutil.copy(MODELS / "cmi_student.onnx", tmp_path / "cmi_student.onnx")
    (tmp_path / "resnet50_teacher.onnx").symlink_to(MODELS / "cmi_student.onnx")
    latency = run_bench(tmp_path, None, repeats=2, threads=1)["latency"]
    assert "student_fp32_native" in latency and "student_int8_native" not in latency
