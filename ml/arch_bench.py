"""The accuracy-latency front's latency half: every registered architecture on ONNX Runtime.

Each architecture is exported untrained (latency does not depend on the weights) at one input
size and timed at batch 1 on one thread, the way the app classifies frames. The sessions are
timed round-robin, one run of each per round, so that load from other processes on a shared
machine hits every model alike and the ratios stay meaningful even when the absolute figures
drift. Also counted: NCHWc layout reorders in ORT's optimised graph, the cost that v1 of CMI paid
for its branch concatenations (docs/adr/0005).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

FRONT_ARCHS = ("cmi", "cmi_v3", "cmi_v1", "mobilenet_v3_small", "shufflenet_v2", "mobilenet_v2",
               "efficientnet_lite0_scratch", "resnet50")
REORDERS = ("ReorderInput", "ReorderOutput")


def export_untrained(arch: str, size: int, out: Path) -> dict:
    """Write `out` (opset 17, batch 1) and return params and multiply-accumulates."""
    import torch

    from ml.training.models import build_model, count_macs, count_parameters

    model = build_model(arch, 6).eval()
    torch.onnx.export(model, (torch.zeros(1, 3, size, size),), str(out), input_names=["image"],
                      output_names=["logits"], opset_version=17, dynamo=False)
    return {"params": count_parameters(model), "macs": count_macs(model, size)}


def optimised_session(path: Path, threads: int) -> tuple[ort.InferenceSession, dict[str, int]]:
    """A session with every graph optimisation, and the op counts of its optimised graph."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    optimised = path.with_suffix(".optimised.onnx")
    options.optimized_model_filepath = str(optimised)
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    ops: dict[str, int] = {}
    for node in onnx.load(str(optimised)).graph.node:
        ops[node.op_type] = ops.get(node.op_type, 0) + 1
    return session, ops


def architecture_front(archs: tuple[str, ...] = FRONT_ARCHS, size: int = 112, threads: int = 1,
                       repeats: int = 200) -> dict:
    from ml.training.models import ARCHITECTURES

    archs = tuple(arch for arch in archs if arch in ARCHITECTURES)
    rows: dict[str, dict] = {}
    sessions: dict[str, ort.InferenceSession] = {}
    image = np.random.default_rng(0).standard_normal((1, 3, size, size)).astype(np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        for arch in archs:
            path = Path(tmp) / f"{arch}.onnx"
            rows[arch] = export_untrained(arch, size, path)
            sessions[arch], ops = optimised_session(path, threads)
            rows[arch]["reorder_nodes"] = sum(ops.get(op, 0) for op in REORDERS)
            rows[arch]["graph_nodes"] = sum(ops.values())
        for session in sessions.values():
            for _ in range(5):
                session.run(None, {"image": image})
        times: dict[str, list[float]] = {arch: [] for arch in archs}
        for _ in range(repeats):
            for arch, session in sessions.items():
                start = time.perf_counter()
                session.run(None, {"image": image})
                times[arch].append((time.perf_counter() - start) * 1000)
    for arch, values in times.items():
        ordered = sorted(values)
        rows[arch]["median_ms"] = round(statistics.median(values), 3)
        rows[arch]["p90_ms"] = round(ordered[int(0.9 * (len(ordered) - 1))], 3)
        rows[arch]["min_ms"] = round(ordered[0], 3)  # the least disturbed run, on a busy machine
    reference = rows.get("mobilenet_v3_small", {}).get("median_ms")
    if reference:
        for row in rows.values():
            row["vs_mobilenet_v3_small"] = round(row["median_ms"] / reference, 2)
    return {"size": size, "threads": threads, "batch": 1, "repeats": repeats,
            "onnxruntime": ort.__version__, "archs": rows}


def markdown_table(front: dict) -> str:
    lines = ["| Architecture | Params (M) | MMACs | ms/frame median (min) | vs MNv3-small | "
             "Reorder nodes |", "|---|---:|---:|---:|---:|---:|"]
    for arch, row in front["archs"].items():
        lines.append(f"| {arch} | {row['params'] / 1e6:.2f} | {row['macs'] / 1e6:.0f} | "
                     f"{row['median_ms']:.3f} ({row['min_ms']:.3f}) | {row.get('vs_mobilenet_v3_small', '')} | "
                     f"{row['reorder_nodes']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table(architecture_front()))
