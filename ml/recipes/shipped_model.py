"""The first distillation study and its docs/results.md section: `make first-study`.

It made the first shipped student; today's shipped model comes from `ml.recipes.real_model`.

Steps (each skipped when its output exists, so an interrupted run resumes):
synthetic stills -> ResNet50 teacher -> CMI students with CE only and with KD at several
(T, alpha) over several seeds -> stock MobileNetV2 -> export of the best distilled student
(fp32 + int8) -> model card and results table.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Recipe:
    work: Path = REPO / "runs" / "recipe"
    models_out: Path = REPO / "resources" / "models"
    results_md: Path = REPO / "docs" / "results.md"
    per_class: int = 420
    still_size: int = 160
    data_seed: int = 2026
    image_size: int = 112
    teacher_epochs: int = 14
    student_epochs: int = 12
    batch_size: int = 32
    seeds: tuple[int, ...] = (0, 1, 2)
    kd_settings: tuple[tuple[float, float], ...] = ((4.0, 0.9), (4.0, 0.5), (2.0, 0.5))
    threads: int = 0
    extra: dict = field(default_factory=dict)


def quick_recipe(work: Path) -> Recipe:
    """Minutes-not-hours settings for tests: proves the commands, not the accuracy."""
    return Recipe(work=work, models_out=work / "models", results_md=work / "results.md",
                  per_class=8, still_size=64, image_size=48, teacher_epochs=1,
                  student_epochs=1, batch_size=16, seeds=(0, 1), kd_settings=((4.0, 0.9),))


def _train(recipe: Recipe, name: str, **overrides) -> dict:
    from ml.training.config import TrainConfig
    from ml.training.run import fit

    out = recipe.work / name
    metrics = out / "metrics.json"
    if metrics.exists():
        return json.loads(metrics.read_text())
    config = TrainConfig(data=str(recipe.work / "data"), out=str(out),
                         image_size=recipe.image_size, batch_size=recipe.batch_size,
                         threads=recipe.threads, **overrides)
    config.validate()
    print(f"== {name}", flush=True)
    return fit(config)


def _best_val(summary: dict) -> float:
    return max(row["val_macro_f1"] or 0.0 for row in summary["history"])


def run(recipe: Recipe) -> dict:
    from ml.synth.stills import write_stills

    recipe.work.mkdir(parents=True, exist_ok=True)
    if not (recipe.work / "data" / "CH").exists():
        write_stills(recipe.work / "data", recipe.per_class, recipe.still_size, recipe.data_seed)
    teacher = _train(recipe, "teacher", mode="teacher", arch="resnet50",
                     epochs=recipe.teacher_epochs, lr=3e-4)
    runs: dict[str, list[dict]] = {"CMI, CE only": []}
    for seed in recipe.seeds:
        runs["CMI, CE only"].append(_train(recipe, f"cmi_ce_s{seed}", mode="student", arch="cmi",
                                           epochs=recipe.student_epochs, seed=seed))
    for temperature, alpha in recipe.kd_settings:
        key = f"CMI, KD T={temperature:g} alpha={alpha:g}"
        runs[key] = [_train(recipe, f"cmi_kd_T{temperature:g}_a{alpha:g}_s{seed}",
                            mode="distill", arch="cmi", epochs=recipe.student_epochs, seed=seed,
                            teacher=teacher["checkpoint"], temperature=temperature, alpha=alpha)
                     for seed in recipe.seeds]
    runs["MobileNetV2, CE only"] = [_train(recipe, "mnv2_ce_s0", mode="student",
                                           arch="mobilenet_v2", epochs=recipe.student_epochs)]
    shipped = _ship(recipe, runs)
    results = {"recipe": {k: (str(v) if isinstance(v, Path) else v)
                          for k, v in asdict(recipe).items()},
               "teacher": _row(teacher), "runs": {k: [_row(r) for r in v] for k, v in runs.items()},
               "shipped": shipped}
    (recipe.work / "results.json").write_text(json.dumps(results, indent=1))
    return results


def _row(summary: dict) -> dict:
    test = summary["test"]
    return {"checkpoint": summary["checkpoint"], "params": summary["params"],
            "accuracy": test["accuracy"], "macro_f1": test["macro_f1"],
            "per_class_f1": {k: v["f1"] for k, v in test["per_class"].items()},
            "best_val_f1": _best_val(summary), "seed": summary["config"]["seed"],
            "arch": summary["config"]["arch"], "image_size": summary["config"]["image_size"]}


def _ship(recipe: Recipe, runs: dict[str, list[dict]]) -> dict:
    """Export the CMI recipe with the best mean validation F1 (distilled or not), its best seed.

    Selection uses the validation split only; the test split stays for reporting. Shipping a
    student without distillation when the teacher does not help is the honest default.
    """
    from ml.evaluation import calibration_images, evaluate_model
    from ml.training.export import export_onnx, quantise_int8

    cmi_keys = [k for k in runs if k.startswith("CMI")]
    best_key = max(cmi_keys, key=lambda k: statistics.mean(_best_val(r) for r in runs[k]))
    chosen = max(runs[best_key], key=_best_val)
    recipe.models_out.mkdir(parents=True, exist_ok=True)
    fp32 = recipe.models_out / "cmi_student.onnx"
    meta = export_onnx(Path(chosen["checkpoint"]), fp32, model_id="")
    int8 = quantise_int8(fp32, recipe.models_out / "cmi_student_int8.onnx",
                         calibration_images(Path(chosen["checkpoint"])))
    data = recipe.work / "data"
    fp32_eval = evaluate_model(fp32, data, "test", 0)
    int8_eval = evaluate_model(int8, data, "test", 0)
    keep_int8 = int8_eval["accuracy"] >= fp32_eval["accuracy"] - 0.01
    if not keep_int8:
        int8.unlink()
    return {"setting": best_key, "checkpoint": chosen["checkpoint"], "model_id": meta["model_id"],
            "fp32": {"accuracy": fp32_eval["accuracy"], "macro_f1": fp32_eval["macro_f1"],
                     "bytes": fp32.stat().st_size},
            "int8": {"accuracy": int8_eval["accuracy"], "macro_f1": int8_eval["macro_f1"],
                     "kept": keep_int8,
                     "bytes": int8.stat().st_size if keep_int8 else None}}


def _bench(recipe: Recipe) -> None:
    """Latency of the shipped files and the scan speed on the demo video, for results.md."""
    from ml.bench import run_bench
    from ml.recipes.demo_video import DEMO

    video = DEMO if DEMO.exists() else None
    result = run_bench(recipe.models_out, video, repeats=30, threads=2)
    (recipe.work / "bench.json").write_text(json.dumps(result, indent=1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, default=Recipe.work)
    parser.add_argument("--quick", action="store_true", help="tiny settings (tests)")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument("--no-bench", action="store_true", help="skip latency measurement")
    args = parser.parse_args(argv)
    recipe = quick_recipe(args.work) if args.quick else Recipe(work=args.work)
    recipe.threads = args.threads
    results = run(recipe)
    if not args.no_bench:
        _bench(recipe)
    if not args.no_report:
        from ml.recipes.report import write_model_card, write_results_md

        write_results_md(results, recipe.results_md)
        write_model_card(results, recipe.models_out / "MODEL_CARD.md")
    shutil.rmtree(recipe.work / "tmp", ignore_errors=True)
    print(json.dumps(results["shipped"], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
