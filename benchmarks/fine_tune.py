"""Does fine-tuning the shipped student on a team's own frames pay off, and is the guard safe?

A team-like data set the shipped model has never seen: stills from `ml.synth.stills` pushed into
a shifted domain (a sodium-orange lamp with a steeper fall-off, a stronger fisheye lens and a
hue-rotated wall, a combination outside the renderer's ranges), rendered as "drives" (one seed
each) and split by drive. Three models on the same held-out drives, through the ONNX runtime:
the shipped model, the shipped student fine-tuned within a time budget, and the same student
trained from scratch for the same budget (macro-F1 with paired bootstrap intervals); each as
the file the app runs (its int8 twin). Then, with
30 frames per class, several repetitions check that the wizard's guard never offers a model
that is worse than the shipped one on a large independent test set.

Writes docs/results.json key "fine_tune" (other keys kept).

    python benchmarks/fine_tune.py [--per-class 300] [--epochs 12] [--work runs/fine_tune]
"""

from __future__ import annotations

import argparse
import csv
import inspect
import json
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
MODELS = REPO / "resources" / "models"
sys.path.insert(0, str(REPO))
from ml.runtime.model_files import run_runtime_model, runtime_model  # noqa: E402


def shift_domain(image: np.ndarray) -> np.ndarray:
    """Lamp, lens and wall colour outside what the shipped model was trained on."""
    h, w = image.shape[:2]
    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
    hsv[..., 0] = (hsv[..., 0].astype(np.int32) + 12) % 180  # another wall material's hue
    image = cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR).astype(np.float32)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    nx, ny = (x - w / 2) / (w / 2), (y - h / 2) / (h / 2)
    r2 = nx * nx + ny * ny
    scale = 1 + 0.35 * r2  # strong barrel distortion (fisheye lens)
    image = cv2.remap(image, (nx / scale * w / 2 + w / 2).astype(np.float32),
                      (ny / scale * h / 2 + h / 2).astype(np.float32), cv2.INTER_LINEAR,
                      borderMode=cv2.BORDER_REFLECT)
    lamp = np.array((0.55, 0.85, 1.2), np.float32)  # sodium-orange light, BGR
    falloff = 1.0 / (1.0 + 1.6 * r2)  # a narrower beam than the renderer's lamp
    return np.clip(image * lamp * falloff[..., None] * 1.3, 0, 255).astype(np.uint8)


def render_team_set(out: Path, drives: int, per_class_per_drive: int, first_seed: int,
                    size: int = 160) -> Path:
    """Drives (seeds) of shifted stills and a manifest with the drive as group."""
    from ml.synth.stills import write_stills

    manifest = out / "manifest.csv"
    if manifest.exists():
        return manifest
    balanced = {"no_crack_share": None} if "no_crack_share" in inspect.signature(
        write_stills).parameters else {}
    rows = []
    for drive in range(drives):
        seed = first_seed + drive
        folder = out / f"drive{seed}"
        write_stills(folder, per_class_per_drive, size, seed, **balanced)
        for path in sorted(folder.rglob("*.png")):
            cv2.imwrite(str(path), shift_domain(cv2.imread(str(path))))
            rows.append((str(path), path.parent.name, f"drive{seed}"))
    with open(manifest, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([("path", "code", "group"), *rows])
    return manifest


def sewer_ml(*args: str) -> float:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "ml.cli", *args], cwd=REPO, text=True,
                          capture_output=True)
    if done.returncode != 0:
        raise SystemExit(f"sewer-ml {args[0]} failed:\n{done.stderr[-3000:]}")
    return round(time.monotonic() - started, 1)


def train(kind: str, data: Path, out: Path, start: Path, epochs: int, threads: int) -> float:
    common = ["--data", str(data), "--out", str(out), "--threads", str(threads),
              "--progress", "text"]
    if kind == "finetune":
        return sewer_ml("fine-tune", *common, "--epochs", str(epochs), "--from", str(start))
    if kind == "new_student":  # what the wizard's "Train a new student" runs
        from sewer_gui.training_recipe import METHOD_DEFAULTS, NEW_STUDENT_ARCH, new_student_args

        new_epochs, lr = METHOD_DEFAULTS["scratch"]
        return sewer_ml("fine-tune", "--scratch", *common, *new_student_args(NEW_STUDENT_ARCH),
                        "--epochs", str(new_epochs), "--lr", str(lr), "--image-size", "112")
    # CMI v2 from random weights: the wizard's new student until 2026-12
    return sewer_ml("fine-tune", "--scratch", *common, "--epochs", str(epochs), "--lr", "2e-3",
                    "--image-size", "112")


def compare(split: Path, models: dict[str, Path], test_manifest: Path | None = None) -> dict:
    from ml.comparison import compare as run_compare
    from ml.datasets import index_manifest, read_split

    samples = index_manifest(test_manifest).samples if test_manifest else \
        read_split(split, "test")
    return run_compare(samples, models, "shipped")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", default=str(REPO / "runs" / "fine_tune"))
    parser.add_argument("--per-class", type=int, default=300)
    parser.add_argument("--drives", type=int, default=30)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--small-repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--from", dest="start", default=str(MODELS / "cmi_student.pt"))
    parser.add_argument("--results", default=str(REPO / "docs" / "results.json"))
    args = parser.parse_args()
    work, start = Path(args.work).resolve(), Path(args.start)  # manifests hold whole paths
    if not start.is_file():
        raise SystemExit(f"{start}: the shipped student checkpoint is missing (see the format "
                         "in ml/training/finetune.py)")
    # The files the app runs (int8 twins where packaged with 7-bit weights), not fp32.
    shipped = runtime_model(MODELS / "cmi_student.onnx")
    big = render_team_set(work / "team300", args.drives, args.per_class // args.drives, 5000)
    seconds = {k: train(k, big, work / k, start, args.epochs, args.threads)
               for k in ("finetune", "scratch", "new_student")}
    result = compare(work / "finetune" / "split.csv",
                     {"shipped": shipped, "fine-tuned": run_runtime_model(work / "finetune"),
                      "from scratch": run_runtime_model(work / "scratch"),
                      "new student (CMI v3)": run_runtime_model(work / "new_student")})
    figures = {name: {k: m[k] for k in ("accuracy", "macro_f1", "chance_level")}
               for name, m in result["models"].items()}
    small = []
    for k in range(args.small_repeats):  # 30 frames per class: is the guard safe?
        data = render_team_set(work / f"team30_{k}", 10, 3, 7000 + 100 * k)
        run = work / f"small_{k}"
        train("finetune", data, run, start, args.epochs, args.threads)
        tuned = run_runtime_model(run)
        own = compare(run / "split.csv", {"shipped": shipped, "fine-tuned": tuned})
        held = compare(None, {"shipped": shipped, "fine-tuned": tuned}, big)
        offered = "fine-tuned" in own["offer"]
        worse = held["differences"]["fine-tuned"]["macro_f1"]["high"] < 0
        small.append({"offered": offered, "own_split": own["differences"]["fine-tuned"],
                      "large_test": held["differences"]["fine-tuned"],
                      "offered_a_worse_model": offered and worse})
    entry = {"data": {"per_class": args.per_class, "drives": args.drives, "split": "by drive",
                      "domain": "sodium lamp, steep fall-off, strong fisheye, hue +24 deg"},
             "epochs": args.epochs, "threads": args.threads, "train_seconds": seconds,
             "within_10_min": seconds["finetune"] <= 600, "test_frames": result["frames"],
             "models": figures, "differences": result["differences"],
             "small_30_per_class": small,
             "never_offered_a_worse_model": not any(s["offered_a_worse_model"] for s in small)}
    path = Path(args.results)
    results = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    results["fine_tune"] = entry
    path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(entry, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
