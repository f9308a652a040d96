"""Markdown for docs/results.md and the model card, from the recipe's results.json."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from ml.classes import CLASS_NAMES


def _mean_sd(values: list[float]) -> str:
    mean = statistics.mean(values) * 100
    if len(values) < 2:
        return f"{mean:.1f}"
    return f"{mean:.1f} ± {statistics.stdev(values) * 100:.1f}"


def results_table(results: dict) -> list[str]:
    lines = ["| model | seeds | params | test accuracy % | test macro-F1 % | " +
             " | ".join(f"F1 {c}" for c in CLASS_NAMES) + " |",
             "|---|---|---|---|---|" + "---|" * len(CLASS_NAMES)]
    rows = {"ResNet50 teacher": [results["teacher"]], **results["runs"]}
    for name, runs in rows.items():
        per_class = " | ".join(
            f"{statistics.mean(r['per_class_f1'][c] for r in runs) * 100:.0f}" for c in CLASS_NAMES)
        lines.append(f"| {name} | {len(runs)} | {runs[0]['params'] / 1e6:.2f} M | "
                     f"{_mean_sd([r['accuracy'] for r in runs])} | "
                     f"{_mean_sd([r['macro_f1'] for r in runs])} | {per_class} |")
    return lines


def kd_gain_lines(results: dict) -> list[str]:
    base = results["runs"]["CMI, CE only"]
    base_acc = statistics.mean(r["accuracy"] for r in base)
    base_f1 = statistics.mean(r["macro_f1"] for r in base)
    out = []
    for name, runs in results["runs"].items():
        if "KD" not in name:
            continue
        acc = statistics.mean(r["accuracy"] for r in runs) - base_acc
        f1 = statistics.mean(r["macro_f1"] for r in runs) - base_f1
        out.append(f"- {name}: accuracy {acc * 100:+.2f} points, macro-F1 {f1 * 100:+.2f} points "
                   "against CE only (means over the same seeds).")
    return out


def reading_lines(results: dict) -> list[str]:
    """What the numbers say, computed from them (so it cannot contradict the table)."""
    teacher = results["teacher"]["accuracy"]
    base = statistics.mean(r["accuracy"] for r in results["runs"]["CMI, CE only"])
    kd = {k: statistics.mean(r["accuracy"] for r in v) for k, v in results["runs"].items()
          if "KD" in k}
    best_kd, best_kd_acc = max(kd.items(), key=lambda kv: kv[1])
    lines = []
    if teacher < base:
        lines.append(
            f"The teacher ({teacher * 100:.1f} %) is weaker than the student trained alone "
            f"({base * 100:.1f} %): a ResNet50 from random initialisation on "
            f"{results['recipe']['per_class'] * 6 * 7 // 10} training images, "
            f"{results['recipe']['teacher_epochs']} epochs on 2 CPU cores, cannot match a network "
            "with 3 % of its parameters that fits this data faster. Distillation then pulls the "
            "student towards the teacher's mistakes; the larger alpha (weight on the teacher), "
            "the more. This is the situation PAPER.md warns about (a mismatched teacher can make "
            "plain KD worse than the student alone); the paper's gain came from a stronger "
            "teacher, which needs pretrained weights or a GPU-length schedule that this "
            "machine does not have.")
    gain = (best_kd_acc - base) * 100
    lines.append(f"Best distilled setting: {best_kd}, {gain:+.2f} points of accuracy against CE "
                 "only. Seed-to-seed spread is several points here, so differences below that "
                 "are noise.")
    return lines


def bench_lines(bench: dict | None) -> list[str]:
    if not bench:
        return ["Latency not measured yet: run `sewer-ml bench --json`."]
    lines = [f"Measured on {bench['machine']}, ONNX Runtime {bench['onnxruntime']} "
             "(median of repeats, milliseconds per call).", "",
             "| model | input | batch 1 | batch 8 (per frame) |", "|---|---|---|---|"]
    for name, rows in bench["latency"].items():
        b1, b8 = rows
        lines.append(f"| {name} | {b1['size']} | {b1['median_ms']:.2f} | "
                     f"{b8['median_ms']:.2f} ({b8['per_frame_ms']:.2f}) |")
    if "teacher_over_student_b1_224" in bench:
        lines += ["", f"Teacher / student latency at 224, batch 1: "
                      f"{bench['teacher_over_student_b1_224']}x."]
    if "scan" in bench:
        s = bench["scan"]
        lines += [f"Whole-video scan: {s['video_seconds']} s of video in {s['wall_seconds']} s, "
                  f"{s['realtime_factor']}x real time ({s['frames_classified']} frames "
                  "classified)."]
    return lines


def write_results_md(results: dict, path: Path, bench: dict | None = None) -> None:
    recipe = results["recipe"]
    shipped = results["shipped"]
    bench_file = Path(recipe["work"]) / "bench.json"
    if bench is None and bench_file.exists():
        bench = json.loads(bench_file.read_text())
    lines = [
        "# Results: teacher, students with and without distillation",
        "",
        "Produced by `make first-study` (`python -m ml.recipes.shipped_model`), which writes this file.",
        f"Data: synthetic CCTV stills, {recipe['per_class']} per class "
        f"({', '.join(CLASS_NAMES)}), seed {recipe['data_seed']}, split 70/15/15 stratified "
        f"(split seed 0 for every run). Training at {recipe['image_size']} px, flips only; "
        f"teacher {recipe['teacher_epochs']} epochs, students {recipe['student_epochs']} epochs, "
        f"AdamW with warm-up and cosine decay. Seeds: {list(recipe['seeds'])}. "
        "Means ± sample standard deviation over seeds, on the held-out test split.",
        "",
        *results_table(results),
        "",
        "## Did distillation pay off?",
        "",
        *kd_gain_lines(results),
        "",
        *reading_lines(results),
        "",
        "## Shipped model",
        "",
        f"`resources/models/cmi_student.onnx`: {shipped['setting']}, model id "
        f"`{shipped['model_id']}`; test accuracy {shipped['fp32']['accuracy'] * 100:.1f} %, "
        f"macro-F1 {shipped['fp32']['macro_f1'] * 100:.1f} %, "
        f"{shipped['fp32']['bytes'] / 1e6:.1f} MB.",
        f"int8 (static QDQ, per-channel): accuracy {shipped['int8']['accuracy'] * 100:.1f} %, "
        f"macro-F1 {shipped['int8']['macro_f1'] * 100:.1f} % - "
        + ("shipped as `cmi_student_int8.onnx`." if shipped["int8"]["kept"]
           else "not shipped (lost more than 1 point)."),
        "",
        "## Speed",
        "",
        *bench_lines(bench),
        "",
        "MACs (multiply-accumulates, one forward pass at 224 px, conv and linear layers): "
        "ResNet50 4.09 G, MobileNetV2 0.30 G, CMI 0.185 G.",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def write_model_card(results: dict, path: Path) -> None:
    shipped = results["shipped"]
    recipe = results["recipe"]
    lines = [
        "# Model card: CMI crack-subcategory student",
        "",
        f"- Model id: `{shipped['model_id']}`; file `cmi_student.onnx` (fp32)"
        + (", `cmi_student_int8.onnx` (int8)" if shipped["int8"]["kept"] else ""),
        f"- Classes: {', '.join(CLASS_NAMES)} (ND = no crack); suggested PACP codes CC, CL, CS, "
        "CM, CH3 (the coder chooses CH2/CH4 and fracture twins).",
        f"- Architecture: CMI (MobileNetV2 inverted residuals + Inception-style multi-branch "
        f"blocks), input {recipe['image_size']} px RGB, ImageNet mean/std (stored in the ONNX "
        "metadata).",
        f"- Recipe: {shipped['setting']}, chosen as the CMI recipe with the best mean "
        "validation macro-F1 over seeds (distilled or not), then its best seed; the teacher is a "
        "ResNet50 trained from random initialisation on the same data; see docs/results.md.",
        f"- Data: synthetic forward-looking CCTV stills ({recipe['per_class']} per class), not "
        "real footage. Expect lower accuracy on real video until it is fine-tuned on the "
        "coders' confirmed frames (the training wizard).",
        f"- Test accuracy {shipped['fp32']['accuracy'] * 100:.1f} %, macro-F1 "
        f"{shipped['fp32']['macro_f1'] * 100:.1f} % on the synthetic test split.",
        "- Intended use: suggestions that a certified coder confirms, edits or rejects; "
        "unreviewed suggestions never enter ratings or exports.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
