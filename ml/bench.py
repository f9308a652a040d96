"""Latency of the student (fp32, int8) and the teacher on ONNX Runtime, and scan speed.

Latency does not depend on the weights, so when no teacher ONNX is at hand an untrained ResNet50
of the same input size is exported for timing (needs torch).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort


def _session(path: Path, threads: int) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def time_model(path: Path, size: int, batch: int, repeats: int, threads: int) -> dict:
    session = _session(path, threads)
    name = session.get_inputs()[0].name
    data = np.random.default_rng(0).standard_normal((batch, 3, size, size)).astype(np.float32)
    for _ in range(3):
        session.run(None, {name: data})
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        session.run(None, {name: data})
        times.append((time.perf_counter() - start) * 1000)
    median = statistics.median(times)
    return {"batch": batch, "size": size, "median_ms": round(median, 3),
            "per_frame_ms": round(median / batch, 3),
            "p90_ms": round(sorted(times)[int(0.9 * (len(times) - 1))], 3)}


def _teacher_onnx(models: Path, size: int, tmp: Path) -> Path | None:
    existing = models / "resnet50_teacher.onnx"
    if existing.exists():
        return existing
    try:
        import torch

        from ml.training.models import build_model
    except ImportError:
        return None
    model = build_model("resnet50", 6).eval()
    out = tmp / "resnet50_untrained.onnx"
    torch.onnx.export(model, (torch.zeros(1, 3, size, size),), str(out), input_names=["image"],
                      output_names=["logits"], opset_version=17, dynamo=False,
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    return out


def run_bench(models: Path, video: Path | None, repeats: int, threads: int,
              front_size: int = 0) -> dict:
    """Shipped models' latency; with `front_size`, every architecture too (1 thread, batch 1)."""
    from ml.runtime.classifier import CrackClassifier

    student = models / "cmi_student.onnx"
    native = CrackClassifier(student).input_size
    result: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cpus, {threads} threads",
                    "onnxruntime": ort.__version__, "latency": {}}
    with tempfile.TemporaryDirectory() as tmp:
        candidates = {"student_fp32": student, "student_int8": models / "cmi_student_int8.onnx",
                      "teacher_fp32": _teacher_onnx(models, 224, Path(tmp))}
        for name, path in candidates.items():
            if path is None or not Path(path).exists():
                continue
            result["latency"][name] = [time_model(Path(path), 224, b, repeats, threads)
                                       for b in (1, 8)]
        for name, path in (("student_fp32_native", student),
                           ("student_int8_native", models / "cmi_student_int8.onnx")):
            if path.exists():  # the size the app runs it at: the 1 ms target
                result["latency"][name] = [time_model(path, native, b, repeats, threads)
                                           for b in (1, 8)]
    lat = result["latency"]
    if "teacher_fp32" in lat:
        result["teacher_over_student_b1_224"] = round(
            lat["teacher_fp32"][0]["median_ms"] / lat["student_fp32"][0]["median_ms"], 2)
    if front_size:
        try:
            from ml.arch_bench import architecture_front

            result["front"] = architecture_front(size=front_size, repeats=max(repeats, 100))
        except ImportError as error:  # an app install without torch cannot export them
            result["front"] = {"skipped": str(error)}
    if video is not None:
        from ml.runtime.scan import run_scan

        scan = run_scan(video, CrackClassifier(student, threads=threads))
        result["scan"] = {"video_seconds": round(scan.video_seconds, 1),
                          "wall_seconds": round(scan.wall_seconds, 2),
                          "realtime_factor": round(scan.realtime_factor, 1),
                          "frames_classified": scan.frames_classified}
    return result


if __name__ == "__main__":
    print(json.dumps(run_bench(Path("resources/models"), None, 20, 2), indent=1))
