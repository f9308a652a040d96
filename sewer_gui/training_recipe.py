"""What the training wizard runs and how it reads the results, without Qt or torch.

Every step is a `python -m ml.cli ...` child process. A run lives in its own folder under the
application's data folder (`wizard.json` holds its settings), so it can be resumed after the
wizard or the app was closed: finished steps are skipped by their output files, and training
steps with a `last.pt` continue from it.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from platformdirs import user_data_dir

from ml.classes import CLASS_NAMES
from ml.datasets import MIN_SPLIT_GROUPS
from ml.runtime.model_files import int8_twin
from sewer_gui.distill_choices import DEFAULT_TEACHER, KD_DEFAULTS, TEACHERS, kd_args

METHODS = {
    "finetune": "Fine-tune the model in use on these frames (recommended)",
    "scratch": "Train a new student (ImageNet front kept, new blocks behind it)",
    "distill": "Train a new student and distil a teacher into it",
}
# A new student, trained alone or distilled, is CMI v3 with its ImageNet front frozen (its output
# computed once per flip, ml/training/frozen_front.py): CMI v2 from random weights stayed at the
# class prior on the domain-randomised stills, v3 learned them, and distillation into it paid off
# (docs/results.md, "Distillation study").
NEW_STUDENT_ARCH = "cmi_v3"
OLD_STUDENT_ARCH = "cmi"  # wizard folders saved before the arch was recorded trained this


def new_student_args(arch: str) -> list[str]:
    """`ml.cli` flags of a new student of `arch` (CMI v3 keeps its pretrained front frozen)."""
    return ["--arch", arch, *(["--freeze-front"] if arch == NEW_STUDENT_ARCH else [])]
# (epochs, learning rate) per method; a new student trains only behind its frozen front, so
# epochs are cheap: the study's 24 at 4e-3.
METHOD_DEFAULTS = {"finetune": (5, 3e-4), "scratch": (24, 4e-3), "distill": (24, 4e-3)}
BALANCE = {"sampler": "Balanced batches (rare classes drawn as often as common ones)",
           "weights": "Class-weighted loss", "none": "None"}
MODEL_NAMES = {"finetune": "Fine-tuned", "student": "New student", "distilled": "Distilled",
               "teacher": "Teacher"}
IN_USE = "Model in use"
# ml.datasets.grouped_split holds whole inspections/videos out only from MIN_SPLIT_GROUPS on
# (frames without a group count one each); with fewer it splits frame by frame.
SAME_GROUPS = ("too few to hold whole ones out of training, so the test frames come from the "
               "same inspection(s) or video(s) as the training frames and the comparison with "
               "the model in use is optimistic. Frames from at least "
               f"{MIN_SPLIT_GROUPS} inspections or videos give an unseen test.")


def unseen_test_groups(split_csv: Path) -> bool | None:
    """Whether no test frame shares its inspection or video with a training or validation
    frame in a split written by ml.datasets.write_split; None when there is no split file."""
    try:
        with open(split_csv, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError:
        return None
    test = [row.get("group") or "" for row in rows if row.get("part") == "test"]
    seen = {row.get("group") or "" for row in rows if row.get("part") != "test"}
    return bool(test) and all(test) and not seen.intersection(test)


def runs_root() -> Path:
    """Training runs live here; `SEWER_DATA_DIR` redirects it (tests, portable installs)."""
    return Path(os.environ.get("SEWER_DATA_DIR") or user_data_dir("sewer-pacp-assistant")) \
        / "training"


def new_work_dir() -> Path:
    base = runs_root() / time.strftime("%Y%m%d-%H%M%S")
    work, k = base, 1
    while work.exists():
        work, k = base.with_name(f"{base.name}-{k}"), k + 1
    return work


@dataclass
class WizardSettings:
    sources: list[str] = field(default_factory=list)  # folders or manifests
    manifest: str = ""  # the checked data (CSV) written by the check page; what children read
    synthetic_per_class: int = 0  # >0: synthetic stills mixed into training only
    method: str = "finetune"
    student_arch: str = NEW_STUDENT_ARCH  # scratch and distill; kept so a resumed run matches
    start_checkpoint: str = ""  # student checkpoint to fine-tune; empty: the shipped one
    active_model: str = ""  # the ONNX model in use, compared on the team's held-out frames
    teacher_checkpoint: str = ""  # distill: reuse this teacher instead of training one
    teacher_arch: str = DEFAULT_TEACHER  # distill without a teacher checkpoint: train this one
    teacher_epochs: int = 8
    student_epochs: int = 12  # fine-tuning: 12 beat 8 epochs, +11.0 vs +8.8 (benchmarks/fine_tune.py)
    kd_method: str = KD_DEFAULTS.method  # kd | dist | dkd (sewer_gui.distill_choices)
    temperature: float = KD_DEFAULTS.temperature
    alpha: float = KD_DEFAULTS.alpha  # Hinton KD only
    bf16_cpu: bool = False  # bf16 autocast + channels_last on CPUs with native bf16
    batch_size: int = 32
    lr: float = 3e-4
    image_size: int = 112  # scratch and distill; fine-tuning keeps the checkpoint's size
    balance: str = "sampler"
    device: str = "cpu"
    work_dir: str = ""

    def data_arg(self) -> str:
        return self.manifest or ",".join(self.sources)

    def save(self) -> None:
        Path(self.work_dir).mkdir(parents=True, exist_ok=True)
        (Path(self.work_dir) / "wizard.json").write_text(json.dumps(asdict(self), indent=1),
                                                         encoding="utf-8")

    @classmethod
    def load(cls, work_dir: Path) -> WizardSettings:
        data = json.loads((Path(work_dir) / "wizard.json").read_text(encoding="utf-8"))
        known = {f.name for f in fields(cls)}
        data.setdefault("student_arch", OLD_STUDENT_ARCH)  # its student/last.pt is a CMI v2
        return cls(**{k: v for k, v in data.items() if k in known} | {"work_dir": str(work_dir)})


@dataclass(frozen=True)
class Step:
    name: str  # synthetic, finetune, student, teacher, distill, package, compare
    title: str
    args: list[str]
    run_dir: str = ""  # training steps: where last.pt is kept (Resume continues from it)
    done_when: str = ""  # this file exists once the step has finished
    epochs: int = 0

    def command(self) -> list[str]:
        return [sys.executable, "-m", "ml.cli", *self.args]

    def finished(self) -> bool:
        return bool(self.done_when) and Path(self.done_when).exists()

    def resumable(self) -> bool:
        return bool(self.run_dir) and (Path(self.run_dir) / "last.pt").exists()


def plan_steps(s: WizardSettings) -> list[Step]:
    work = Path(s.work_dir)
    synthetic = work / "synthetic"
    common = ["--data", s.data_arg(), "--batch-size", str(s.batch_size), "--device", s.device,
              "--progress", "json", "--split-by", "group", "--balance", s.balance]
    if s.synthetic_per_class > 0:
        common += ["--train-extra", str(synthetic)]
    if s.bf16_cpu and s.device == "cpu":  # on CUDA bf16 autocast is already the default
        common += ["--bf16-cpu", "--channels-last"]
    steps: list[Step] = []
    if s.synthetic_per_class > 0:
        last = synthetic / "ND" / f"ND_0_{5 * s.synthetic_per_class - 1:05d}.png"  # drawn last
        steps.append(Step("synthetic", "Generate synthetic stills (training only)",
                          ["synth", "stills", str(synthetic), "--per-class",
                           str(s.synthetic_per_class), "--size", "160"], done_when=str(last)))
    size = ["--image-size", str(s.image_size)]
    if s.method == "finetune":
        start = ["--from", s.start_checkpoint] if s.start_checkpoint else []
        steps.append(_training("finetune", "Fine-tune the model in use", work,
                               ["fine-tune", *common, *start, "--lr", str(s.lr)],
                               s.student_epochs, "package.json"))
    else:
        steps.append(_training("student", "Train a new student", work,
                               ["fine-tune", "--scratch", *common,
                                *new_student_args(s.student_arch), *size,
                                "--lr", str(s.lr)],
                               s.student_epochs, "package.json"))
    if s.method == "distill":
        extra = _distill_steps(s, work, common, size)
        if extra[0].name == "teacher":  # a failing teacher stops the run before the student
            steps.insert(len(steps) - 1, extra.pop(0))
        steps += extra
    steps.append(_compare_step(s, work, steps))
    return steps


def _distill_steps(s: WizardSettings, work: Path, common: list[str], size: list[str]
                   ) -> list[Step]:
    """Train a teacher unless one is reused, distil it (its outputs are computed once and cached
    beside its checkpoint by ml.cli), export both so that the teacher is compared too."""
    teacher = s.teacher_checkpoint or str(work / "teacher" / "best.pt")
    steps = []
    if not s.teacher_checkpoint:
        choice = TEACHERS[s.teacher_arch]
        steps.append(_training("teacher", f"Train the {choice.short} teacher", work,
                               ["train-teacher", "--arch", s.teacher_arch, *common, *size,
                                "--lr", str(choice.lr)], s.teacher_epochs))
    steps.append(_training("distill", "Distil the teacher into a new student", work,
                           ["distill", *common, *new_student_args(s.student_arch), *size,
                            "--lr", str(s.lr),
                            "--teacher", teacher,
                            *kd_args(s.kd_method, s.temperature, s.alpha)],
                           s.student_epochs, "metrics.json", "distilled"))
    steps.append(Step("package", "Export the distilled student",
                      ["package", str(work / "distilled")],
                      done_when=str(work / "distilled" / "package.json")))
    onnx = work / "teacher_onnx" / "model.onnx"
    steps.append(Step("teacher_export", "Export the teacher to compare it on the same frames",
                      ["export", teacher, str(onnx)], done_when=str(onnx)))
    return steps


def _training(name: str, title: str, work: Path, args: list[str], epochs: int,
              marker: str = "metrics.json", folder: str = "") -> Step:
    run = work / (folder or name)
    return Step(name, title, [*args, "--out", str(run), "--epochs", str(epochs)], str(run),
                str(run / marker), epochs)


def _compare_step(s: WizardSettings, work: Path, steps: list[Step]) -> Step:
    runs = [work / MODEL_FOLDERS[n] for n in MODEL_FOLDERS if any(t.name == n for t in steps)]
    first = runs[0]
    models = ([f"{IN_USE}={s.active_model}"] if s.active_model and Path(s.active_model).exists()
              else []) + [f"{MODEL_NAMES[r.name]}={int8_twin(r / 'model.onnx')}" for r in runs]
    args = ["compare", "--split", str(first / "split.csv"), "--out",
            str(work / "comparison.json"), "--json"]
    for model in models:
        args += ["--model", model]
    if s.method == "distill":
        args += ["--model", f"{MODEL_NAMES['teacher']}={work / 'teacher_onnx' / 'model.onnx'}",
                 "--pair", f"{MODEL_NAMES['distilled']}:{MODEL_NAMES['student']}"]
    return Step("compare", "Compare with the model in use on your held-out frames", args,
                done_when=str(work / "comparison.json"))


MODEL_FOLDERS = {"finetune": "finetune", "student": "student", "distill": "distilled"}


def parse_progress(line: str) -> dict | None:
    """One JSON progress object, or None for any other output line."""
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        event = json.loads(line)
    except ValueError:
        return None
    return event if isinstance(event, dict) and "event" in event else None


def _pct(value: object) -> str:
    return f"{value:.1%}" if isinstance(value, int | float) else "-"


LOG_LINES = {
    "start": lambda e: (f"Training {e.get('arch')} ({e.get('params', 0) / 1e6:.2f} M "
                        f"parameters) on {e.get('device')}: {e.get('epochs')} epochs of "
                        f"{e.get('steps_per_epoch')} steps"),
    "data": lambda e: (f"{e.get('train')} training, {e.get('val')} validation and "
                       f"{e.get('test')} test images, split by {e.get('split_by', 'frame')}"
                       + (f" ({e['groups']} groups)" if e.get("groups") else "")
                       + (f"; {e['extra_train']} synthetic in training" if e.get("extra_train")
                          else "")),
    "resumed": lambda e: f"Resumed after epoch {e.get('epoch')}",
    "teacher_cache": lambda e: (
        f"Teacher outputs for {e.get('images')} training images "
        + ("reused from its cache: the teacher is not run again" if e.get("cached") else
           "computed once and cached beside the teacher for later runs")),
    "epoch": lambda e: (f"Epoch {e.get('epoch')}: loss {e.get('train_loss', 0):.3f}, "
                        f"validation accuracy {_pct(e.get('val_accuracy'))}, "
                        f"{e.get('seconds', 0):.0f} s"),
    "done": lambda e: (f"Finished: test accuracy {_pct(e.get('test_accuracy'))}, macro-F1 "
                       f"{_pct(e.get('test_macro_f1'))}"),
    "packaged": lambda e: f"Exported {e.get('model_id')} (fp32 and int8)",
    "calibrated": lambda e: _decision_text(e),
    "compared": lambda e: str(e.get("verdict", "")),
    "cancelled": lambda e: f"Cancelled in epoch {e.get('epoch')}; the last checkpoint is kept",
    "error": lambda e: f"Error: {e.get('message')}",
}


def _decision_text(e: dict) -> str:
    """How the new model decides when to raise a code (and any fallback, never hidden)."""
    if e.get("source") == "inherited":
        return (f"Decision policy kept from the model it started from ({e.get('inherited_from')}"
                "; its int8 twin, which the app runs, has the same)")
    warnings = "; ".join(str(w) for w in e.get("warnings") or [])
    if e.get("source") == "validation":
        text = (f"Calibrated on {e.get('frames')} validation frames: crack threshold "
                f"{_pct(e.get('crack_threshold'))}, false alarms {_pct(e.get('false_alarm'))}")
        return text + (f" (warning: {warnings})" if warnings else "")
    return f"Warning: {warnings or 'not calibrated'}"


def event_text(event: dict) -> str | None:
    """A plain sentence for the wizard's log, or None for events that only move the bar."""
    render = LOG_LINES.get(event.get("event", ""))
    return render(event) if render else None


def printed_result_text(step: Step, printed: str) -> str | None:
    """The log line of an export step, which prints one JSON object and no progress events:
    what it wrote and the model id (`ml.cli package` and `ml.cli export`)."""
    if step.name not in ("package", "teacher_export"):
        return None
    try:
        result = json.loads(printed) if printed else {}
    except ValueError:
        result = {}
    if not isinstance(result, dict) or not result.get("model_id"):
        return f"Done: {step.done_when}" if step.done_when else None
    if "int8" in result:  # a packaged run: fp32, int8 and the student checkpoint
        return (f"Exported {result['model_id']}: {result['onnx']} (fp32) and "
                f"{result['int8']} (int8)")
    return f"Exported {result['model_id']} to {step.args[-1]}"


def estimate_seconds(steps: list[Step], estimate: dict, extra_images: int = 0) -> float:
    """The whole plan's time from `sewer-ml estimate`'s timed batches (plus fixed costs);
    `extra_images` are synthetic stills not generated yet when the estimate ran."""
    per_step = estimate["seconds_per_step"]
    student = next(iter(per_step.values()))
    # A frozen front's output is computed once for the run folder; later steps reuse it.
    frozen = [st for st in steps if "--freeze-front" in st.args and not st.finished()]
    front = 0.0
    if frozen and not any((Path(frozen[0].run_dir).parent / "front_cache").glob("front_*.pt")):
        front = estimate.get("front_seconds", 0.0) + extra_images * estimate.get(
            "front_seconds_per_train_image", 0.0)
    batches = estimate["steps_per_epoch"] + extra_images * estimate["steps_per_epoch"] / max(
        estimate["train_images"], 1)
    total = 0.0
    for step in steps:
        if step.finished():
            continue
        if step.epochs:
            rate = _teacher_rate(step, per_step) if step.name == "teacher" else student
            total += step.epochs * batches * rate * 1.15  # + validation
            total += estimate["load_seconds"]
        elif step.name == "synthetic":  # about 30 ms a still on one core
            total += 0.03 * len(CLASS_NAMES) * int(step.args[step.args.index(
                "--per-class") + 1])
        else:
            total += 20.0  # export, int8 calibration or comparison
    return total + front


def _teacher_rate(step: Step, per_step: dict[str, float]) -> float:
    """The teacher's timed rate; an older estimate timed only the ResNet50."""
    arch = step.args[step.args.index("--arch") + 1] if "--arch" in step.args else "resnet50"
    return per_step.get(arch) or per_step.get("resnet50") or next(iter(per_step.values()))


@dataclass
class RunResults:
    comparison: dict  # `sewer-ml compare` output ({} when the step did not finish)
    distillation: str  # the distillation verdict, "" when there was no distillation
    trained: dict[str, Path]  # model name -> run folder holding model.onnx and its card
    unseen: bool | None = None  # test frames from inspections training never saw; None: unknown

    @property
    def offer(self) -> list[str]:
        """Models that beat the one in use on the team's frames: the only ones to activate."""
        return list(self.comparison.get("offer", []))

    def test_frames_text(self) -> str:
        """Where the test frames came from, never claiming an unseen inspection it was not."""
        c = self.comparison
        if not c:
            return ""
        frames = f"{c['frames']} test frames from {c['groups']} inspection(s) or video(s)"
        if self.unseen is False:
            return (f"{frames}, the same inspection(s) or video(s) as the training frames: there "
                    "were too few to hold whole ones out of training, so this comparison is "
                    "optimistic. Each model's card carries these figures.")
        unseen = " that training never saw" if self.unseen else ""
        return f"{frames}{unseen}. Each model's card carries these figures."


def read_results(s: WizardSettings) -> RunResults:
    from ml.comparison import Interval, distillation_verdict

    work = Path(s.work_dir)
    path = work / "comparison.json"
    comparison = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    # Named by folder ("distilled"), as the compare step names them; not by step ("distill").
    trained = {MODEL_NAMES[folder]: work / folder for folder in MODEL_FOLDERS.values()
               if (work / folder / "model.onnx").exists()}
    pair = comparison.get("pairs", {}).get(f"{MODEL_NAMES['distilled']}:{MODEL_NAMES['student']}")
    verdict = ""
    if pair:
        models = comparison["models"]
        # The teacher's figures on these very frames; its own metrics.json (another split
        # when reused) only when the comparison lacks it.
        teacher_test = models.get(MODEL_NAMES["teacher"]) or _teacher_metrics(s, work)
        verdict = distillation_verdict(models[MODEL_NAMES["student"]],
                                       models[MODEL_NAMES["distilled"]], teacher_test,
                                       Interval(pair["value"], pair["low"], pair["high"]))
    splits = [work / folder / "split.csv" for folder in MODEL_FOLDERS.values()]
    split = next((p for p in splits if p.exists()), None)  # the compare step's (runs[0])
    return RunResults(comparison, verdict, trained,
                      unseen_test_groups(split) if split else None)


def _teacher_metrics(s: WizardSettings, work: Path) -> dict | None:
    teacher = Path(s.teacher_checkpoint).parent if s.teacher_checkpoint else work / "teacher"
    metrics = teacher / "metrics.json"
    return json.loads(metrics.read_text(encoding="utf-8"))["test"] if metrics.exists() else None
