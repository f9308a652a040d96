"""The shipped model for real footage, in stages that each resume where they stopped.

    python -m ml.recipes.real_model [--stage render|train|package|evaluate|install|all]
                                    [--real-frames DIR] [--device cpu|cuda]

render     domain-randomised stills (1400 per crack subtype, as many no-crack look-alikes;
           a crack still is redrawn until its crack visibly changes the picture; sharded, a
           stopped render resumes) and the hard test set
train      EfficientNet-Lite0 from its ImageNet weights (resumes from last.pt); this is the
           teacher of `ml.recipes.distill_study`, which trains the students from the same data
lookalikes more no-crack stills from today's renderer (wide rough joints, oblique openings,
           encrustation, specks: what the trained model claimed on real frames), a few crack
           stills with the same backgrounds, so that those features do not mark a class, and
           matched no-crack stills: crack scenes rendered without their crack, so that sharp,
           well-exposed, uncluttered wall is not crack evidence
tune       the trained run fine-tuned with the look-alikes added to its training part only
           (same validation and test split), every image once per epoch
refresh-render  stills from today's renderer on a seed of their own (--refresh-per-class N
           per crack subtype, default 300, and as many no-crack stills as crack stills:
           weathered walls, burnt-out lamps, glazed clay, profile PVC, corrugated steel ...)
           and as many matched no-crack stills again (--refresh-seed for another seed)
refresh    the shipped model (or --start CKPT) fine-tuned on them into W/refreshed_nN: what
           the renderer learned since the shipped model's data, without its hours of
           training; validation and test are the refresh stills' own split
package    ONNX fp32 + int8, student.pt for fine-tuning, model card; the decision policy
           (temperature, crack threshold) fitted on the run's validation split, never on test:
           at most 3 % false alarms, and with --crack-share S --min-precision P also claims
           that would be right P of the time where S of real frames show a crack
evaluate   hard synthetic test and, when given, real frames (claim rate; evaluation only)
install    copy the model, its int8 twin, student.pt and the card into resources/models and the
           figures into docs/results.json ("real_footage"); refused when the model claims a
           crack on more than 10 % of the real frames it was evaluated on (--force)

package, evaluate and install work on the tuned run (`--run DIR`: any other run).
On this 2-core machine render took about 20 min, training about 40 min (5 epochs, under load).

The shipped model was not made by today's render stage: its stills came from the renderer as
of commit 9b8b79e (see its model card, "Training data"); a run's `data_provenance.md` goes into
its card.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ml.training.calibration import PrecisionTarget

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Plan:
    work: Path = REPO / "runs" / "real_model"
    per_class: int = 1400
    size: int = 128
    seed: int = 2027
    image_size: int = 112
    threads: int = 2
    device: str = "cpu"
    teacher_arch: str = "efficientnet_lite0"
    lookalike_no_crack: int = 4000
    lookalike_per_crack: int = 300
    matched_no_crack: int = 3000
    crack_twins: bool = False  # measured: twins raise real-frame claims (docs/results.md)
    tune_epochs: int = 3
    refresh_per_class: int = 300
    refresh_seed: int = 6161
    refresh_epochs: int = 3
    start: Path = REPO / "resources" / "models" / "cmi_student.pt"
    channels_last: bool = False  # NHWC training: about 2x on AVX-512 CPUs (train_throughput.py)
    feature_anchor: str = ""  # refresh: "imagenet" or a checkpoint (ml/training/feature_anchor.py)
    feature_anchor_weight: float = 1.0
    photometric: float = 0.0  # refresh: jitter of colour, exposure ... (ml/training/photometric)
    # The threshold's rule: None keeps the false-alarm target alone; a share and a precision
    # ask that, at that share of real frames with a crack, that many claims be right.
    crack_share: float | None = None
    min_precision: float = 0.8

    def precision_target(self) -> PrecisionTarget | None:
        from ml.training.calibration import PrecisionTarget

        return None if self.crack_share is None else PrecisionTarget(self.crack_share,
                                                                     self.min_precision)

    @property
    def data(self) -> Path:
        return self.work / "data"

    @property
    def study(self):
        from ml.recipes.distill_study import Study

        return Study(data=self.data, work=self.work / "study", device=self.device,
                     threads=self.threads, image_size=self.image_size,
                     teacher_arch=self.teacher_arch)

    @property
    def run(self) -> Path:
        return self.study.teacher_run

    @property
    def lookalikes(self) -> Path:
        return self.work / "lookalikes"

    @property
    def tuned(self) -> Path:
        return self.work / "tuned"

    @property
    def refresh_data(self) -> Path:
        return self.work / "refresh_data"

    @property
    def refresh_matched(self) -> Path:
        return self.work / "refresh_matched"

    @property
    def refreshed(self) -> Path:
        """Named by N: the stills folders grow with N (one seed), the run does not."""
        anchor = (f"_anchor-{Path(self.feature_anchor).stem}{self.feature_anchor_weight:g}"
                  if self.feature_anchor else "")
        jitter = f"_photometric{self.photometric:g}" if self.photometric else ""
        return self.work / f"refreshed_n{self.refresh_per_class}{anchor}{jitter}"

    def refresh_counts(self) -> dict[str, int]:
        """Stills per class that `refresh-render` writes for this N (matched: ND only)."""
        from ml.synth.stills import class_counts  # the render's own rule (no-crack half)

        return {c.value: n for c, n in class_counts(self.refresh_per_class, 0.5).items()}


def render(plan: Plan) -> None:
    from ml.recipes.hard_test import render as render_hard

    _render_sharded(plan.data, "--per-class", str(plan.per_class), "--size", str(plan.size),
                    "--seed", str(plan.seed))
    render_hard(plan.work / "hard_test")


def train(plan: Plan) -> None:
    from ml.recipes.distill_study import train_teacher

    train_teacher(plan.study)


def _render_sharded(out: Path, *options: str) -> None:
    shards = [subprocess.Popen([sys.executable, "-m", "ml.cli", "synth", "stills", str(out),
                                *options, "--shard", f"{k}/2"], cwd=REPO) for k in range(2)]
    if any(p.wait() for p in shards):
        raise RuntimeError(f"rendering the stills in {out} failed")


def render_lookalikes(plan: Plan) -> None:
    jobs = [("--per-class", str(plan.lookalike_no_crack), "--seed", str(plan.seed + 1),
             "--only", "ND"),
            ("--per-class", str(plan.lookalike_per_crack), "--seed", str(plan.seed + 2),
             "--only", "CC,CL,CM,CS,CH"),
            ("--per-class", str(plan.matched_no_crack), "--seed", str(plan.seed + 3),
             "--only", "ND", "--matched-no-crack", *(["--crack-twins"] if plan.crack_twins
                                                      else []))]
    for job in jobs:
        _render_sharded(plan.lookalikes, "--size", str(plan.size), "--balanced", *job)


def render_refresh(plan: Plan) -> None:
    common = ("--size", str(plan.size), "--per-class", str(plan.refresh_per_class))
    _render_sharded(plan.refresh_data, *common, "--seed", str(plan.refresh_seed))
    _render_sharded(plan.refresh_matched, *common, "--seed", str(plan.refresh_seed + 1),
                    "--only", "ND", "--matched-no-crack")


def refresh(plan: Plan) -> dict:
    from ml.recipes.distill_study import _fit
    from ml.training.finetune import FINE_TUNE_DEFAULTS, load_student

    _check_refresh_stills(plan)
    _model, meta = load_student(plan.start)
    _check_start(plan)
    # Every image once per epoch (about 70 % no-crack), as in `tune`; the matched no-crack
    # stills train only, so validation keeps the refresh stills' class mix.
    return _fit(plan.refreshed, mode="finetune", arch=meta["arch"], init_from=str(plan.start),
                data=str(plan.refresh_data), train_extra=str(plan.refresh_matched),
                epochs=plan.refresh_epochs, lr=FINE_TUNE_DEFAULTS["lr"], warmup_epochs=0,
                balance="none", batch_size=plan.study.teacher_batch,
                image_size=int(meta["image_size"]), device=plan.device, threads=plan.threads,
                channels_last=plan.channels_last, feature_anchor=plan.feature_anchor,
                feature_anchor_weight=plan.feature_anchor_weight, photometric=plan.photometric)


def tune(plan: Plan) -> dict:
    from ml.recipes.distill_study import _fit
    from ml.training.finetune import FINE_TUNE_DEFAULTS, student_from_run

    start = plan.work / "trained_student.pt"
    if not start.exists():
        student_from_run(plan.run / "best.pt", start, "trained")
    # Balanced batches would show the look-alikes at a sixth of each batch; real footage is
    # mostly crack-free, so every image is seen once per epoch instead (about half no-crack).
    return _fit(plan.tuned, mode="finetune", arch=plan.study.teacher_arch, init_from=str(start),
                data=str(plan.data), train_extra=str(plan.lookalikes), epochs=plan.tune_epochs,
                lr=FINE_TUNE_DEFAULTS["lr"], warmup_epochs=0, balance="none",
                batch_size=plan.study.teacher_batch, image_size=plan.image_size,
                device=plan.device, threads=plan.threads)


def _count_stills(folder: Path) -> dict[str, int]:
    return {d.name: sum(1 for _ in d.glob("*.png")) for d in sorted(folder.iterdir())
            if d.is_dir()} if folder.is_dir() else {}


def _check_refresh_stills(plan: Plan) -> None:
    """The folders grow with N on one seed: train only on exactly the stills N asks for."""
    wanted = plan.refresh_counts()
    for folder, counts in ((plan.refresh_data, wanted), (plan.refresh_matched,
                                                          {"ND": wanted["ND"]})):
        found = {c: n for c, n in _count_stills(folder).items() if n}
        if found != counts:
            raise SystemExit(f"{folder}: holds {found or 'no stills'}, not the {counts} of "
                             f"--refresh-per-class {plan.refresh_per_class}; run --stage "
                             "refresh-render with it (a larger N: use another --work)")


def _check_start(plan: Plan) -> None:
    """A finished run is reused by name; the start model behind it must not have changed
    (install overwrites the shipped checkpoint at the same path)."""
    import hashlib

    digest = hashlib.sha256(Path(plan.start).read_bytes()).hexdigest()
    record = plan.refreshed / "start.json"
    if record.exists():
        before = json.loads(record.read_text())["sha256"]
        if before != digest:
            raise SystemExit(f"{plan.refreshed}: trained from another {plan.start} "
                             f"(sha256 {before[:12]}, now {digest[:12]}); remove the folder "
                             "to train again, or use another --work")
        return
    plan.refreshed.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"start": str(plan.start), "sha256": digest}) + "\n")


def package(plan: Plan, run: Path | None = None) -> dict:
    """ONNX fp32 + int8 and student.pt; `package_run` fits the decision policy on the run's
    validation split (never test) and stores it in both ONNX files."""
    from ml.training.finetune import package_run

    run = run or plan.tuned
    # Fitted on the run's own validation split even when it started from a model with a
    # policy: a recipe run has a thousand validation frames of the data it learned.
    packaged = package_run(run, inherit=False, precision=plan.precision_target())
    fit = {k: v for k, v in packaged["decision"].items() if k != "source"}
    (run / "decision_fit.json").write_text(json.dumps(fit, indent=1), encoding="utf-8")
    return packaged


def _measure(model: Path, plan: Plan, real_frames: Path | None, sheet: Path | None) -> dict:
    from ml.recipes.hard_test import score

    result = {"hard_synthetic": score(model, plan.work / "hard_test")}
    if real_frames:
        out = subprocess.run([sys.executable, str(REPO / "benchmarks" / "real_frames.py"),
                              str(real_frames), "--model", str(model), "--json",
                              *(["--sheet", str(sheet)] if sheet else [])],
                             check=True, capture_output=True, text=True, cwd=REPO)
        real = json.loads(out.stdout)
        result["real_frames"] = {k: real[k] for k in ("frames", "claim_rate", "claims_at_90",
                                                      "outcomes", "codes", "per_source")}
    return result


def evaluate(plan: Plan, real_frames: Path | None, run: Path | None = None) -> dict:
    """The file the app runs (the int8 twin: what `install` gates and the card shows), and
    the fp32 file beside it."""
    from ml.runtime.model_files import runtime_model

    run = run or plan.tuned
    runtime = runtime_model(run / "model.onnx")
    result = {"file": runtime.name,
              **_measure(runtime, plan, real_frames, run / "real_frames_sheet.png")}
    if runtime != run / "model.onnx":
        result["fp32"] = _measure(run / "model.onnx", plan, real_frames, None)
    (run / "evaluation.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


MAX_REAL_CLAIMS = 0.10  # the app's bar for crack claims on real crack-free footage


def install(plan: Plan, run: Path | None = None, force: bool = False) -> None:
    """Ship the run; refused when its evaluation on real frames claims too many of them."""
    run = run or plan.tuned
    from ml.training.model_card import write_model_card

    real = json.loads((run / "evaluation.json").read_text()).get("real_frames")
    if real is None:
        print(f"warning: {run} was not measured on real frames (evaluate --real-frames DIR)")
    elif real["claim_rate"] > MAX_REAL_CLAIMS and not force:
        raise SystemExit(f"{run}: claims a crack on {100 * real['claim_rate']:.1f} % of the real "
                         f"frames (at most {100 * MAX_REAL_CLAIMS:.0f} %); not installed "
                         "(--force installs it anyway)")

    from ml.recipes.real_card import card_appendix

    card = write_model_card(run)
    card.write_text(card.read_text() + card_appendix(run), encoding="utf-8")
    models = REPO / "resources" / "models"
    for src, dst in (("model.onnx", "cmi_student.onnx"), ("model_int8.onnx",
                                                          "cmi_student_int8.onnx"),
                     ("student.pt", "cmi_student.pt"), ("MODEL_CARD.md", "MODEL_CARD.md")):
        shutil.copy2(run / src, models / dst)
    results = REPO / "docs" / "results.json"
    merged = json.loads(results.read_text()) if results.exists() else {}
    merged["real_footage"] = {"model": json.loads((run / "package.json").read_text())["model_id"],
                              "decision_fit_on_validation": json.loads(
                                  (run / "decision_fit.json").read_text()),
                              **json.loads((run / "evaluation.json").read_text())}
    results.write_text(json.dumps(merged, indent=1) + "\n", encoding="utf-8")


STAGES = ("render", "train", "lookalikes", "tune", "package", "evaluate", "install")
REFRESH = ("refresh-render", "refresh")  # not in "all": an alternative to render ... tune


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", choices=(*STAGES, *REFRESH, "all"), default="all")
    parser.add_argument("--work", type=Path, default=Plan.work)
    parser.add_argument("--real-frames", type=Path, help="real frames to measure (never trained on)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--run", type=Path, help="package/evaluate/install this run instead")
    parser.add_argument("--tune-epochs", type=int, default=Plan.tune_epochs)
    parser.add_argument("--refresh-epochs", type=int, default=Plan.refresh_epochs)
    parser.add_argument("--refresh-per-class", type=int, default=Plan.refresh_per_class)
    parser.add_argument("--refresh-seed", type=int, default=Plan.refresh_seed,
                        help="another seed for a refresh that starts from a refreshed model")
    parser.add_argument("--start", type=Path, default=Plan.start,
                        help="the student checkpoint that refresh fine-tunes (default: shipped)")
    parser.add_argument("--channels-last", action="store_true",
                        help="train on NHWC batches (about 2x faster on AVX-512 CPUs)")
    parser.add_argument("--feature-anchor", default="",
                        help="refresh: keep the pooled features linearly close to this "
                             "network's ('imagenet': the wheel's Lite0; or a student .pt)")
    parser.add_argument("--feature-anchor-weight", type=float, default=Plan.feature_anchor_weight)
    parser.add_argument("--photometric", type=float, default=0.0,
                        help="refresh: jitter colour, exposure, blur and noise (0..1)")
    parser.add_argument("--per-class", type=int, default=Plan.per_class,
                        help="training stills per crack subtype (no-crack: 5x as many)")
    parser.add_argument("--seed", type=int, default=Plan.seed,
                        help="render seed; another than the shipped model's data for a study "
                             "whose teacher starts from the shipped model")
    parser.add_argument("--lookalike-scale", type=float, default=1.0,
                        help="scale the look-alike and matched no-crack counts (0.5: half)")
    parser.add_argument("--crack-share", type=float, default=Plan.crack_share,
                        help="package: fit the threshold for a precision at this share of "
                             "real frames with a crack (default: the false-alarm target only)")
    parser.add_argument("--min-precision", type=float,
                        help="package with --crack-share: the share of claims that must be "
                             f"right (default {Plan.min_precision})")
    parser.add_argument("--force", action="store_true",
                        help="install even a model that claims too many real frames")
    args = parser.parse_args(argv)
    scale = args.lookalike_scale
    plan = Plan(work=args.work, device=args.device, tune_epochs=args.tune_epochs,
                refresh_epochs=args.refresh_epochs, refresh_per_class=args.refresh_per_class,
                channels_last=args.channels_last, feature_anchor=args.feature_anchor,
                feature_anchor_weight=args.feature_anchor_weight, photometric=args.photometric,
                start=args.start, refresh_seed=args.refresh_seed,
                crack_share=args.crack_share,
                min_precision=Plan.min_precision if args.min_precision is None
                else args.min_precision,
                per_class=args.per_class, seed=args.seed,
                lookalike_no_crack=round(Plan.lookalike_no_crack * scale),
                lookalike_per_crack=round(Plan.lookalike_per_crack * scale),
                matched_no_crack=round(Plan.matched_no_crack * scale))
    if args.min_precision is not None and args.crack_share is None:
        parser.error("--min-precision needs --crack-share (the share of real frames with a crack)")
    try:
        plan.precision_target()  # a share of 10 meant as 10 % fails now, not after training
    except ValueError as exc:
        parser.error(str(exc))
    stages = STAGES if args.stage == "all" else (args.stage,)
    actions = {"render": render, "train": train, "lookalikes": render_lookalikes, "tune": tune,
               "refresh-render": render_refresh, "refresh": refresh,
               "package": lambda p: print(json.dumps(package(p, args.run), indent=1)),
               "evaluate": lambda p: print(json.dumps(evaluate(p, args.real_frames, args.run),
                                                      indent=1)),
               "install": lambda p: install(p, args.run, args.force)}
    for stage in stages:
        print(f"== {stage}", flush=True)
        actions[stage](plan)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
