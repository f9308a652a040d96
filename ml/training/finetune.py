"""Fine-tune the shipped student on a team's own frames, then package what came out.

`sewer-ml fine-tune --data DIR_OR_CSV --out RUN [--from CKPT] [--active MODEL.onnx]` starts
from a student checkpoint (by default the one shipped beside the ONNX model), trains a few
epochs at a low learning rate on a split grouped by inspection or video, optionally with
synthetic frames mixed into training so that it does not forget, and with balanced batches or a
class-weighted loss for imbalanced frames. `--scratch` trains the same student from random
weights instead. Every run is packaged (`package_run`): ONNX fp32 and int8 with a unique model
id and a decision policy (inherited from the start model, else fitted on the run's validation
split), a student checkpoint in the format below, and a model card carrying its figures; with
`--active` the model in use and the new one are compared on the same held-out frames
(`ml.comparison`).

Student checkpoint format (`resources/models/cmi_student.pt` and `RUN/student.pt`): a plain
dict that `torch.load(path, weights_only=True)` reads::

    {"arch": "cmi",                          # a name in ml.training.models.ARCHITECTURES
     "classes": ["ND", "CC", "CL", "CS", "CM", "CH"],  # output order (ml.classes.CLASS_NAMES)
     "image_size": 112,                      # the input size it was trained at (square)
     "mean": [0.485, 0.456, 0.406],          # RGB normalisation (ml.presets)
     "std": [0.229, 0.224, 0.225],
     "state_dict": {...},                    # model.state_dict(): tensors only
     "model_id": "cmi-student-s2-20261125"}  # the id of the ONNX model exported from it

`student_from_run(RUN/best.pt, OUT.pt, model_id)` writes one from a training run's checkpoint.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import replace
from pathlib import Path

import torch

from ml.classes import CLASS_NAMES
from ml.presets import MEAN, STD
from ml.runtime.model_files import INT8_WEIGHT_BITS, run_runtime_model
from ml.training.config import TrainConfig
from ml.training.model_card import write_model_card
from ml.training.models import build_model

SHIPPED = Path(__file__).resolve().parents[2] / "resources" / "models" / "cmi_student.pt"
CHECKPOINT_KEYS = ("arch", "classes", "image_size", "mean", "std", "state_dict", "model_id")
# Measured defaults for starting from a trained model: a low learning rate keeps what the shipped
# model knows while adapting it to the team's camera and pipes; 12 epochs beat 8 by 2 points of
# macro-F1 on benchmarks/fine_tune.py's shifted domain, in about 5 minutes on 2 cores.
FINE_TUNE_DEFAULTS = {"epochs": 12, "lr": 3e-4, "warmup_epochs": 0, "split_by": "group",
                      "balance": "sampler"}


def load_student(path: Path, device: str = "cpu") -> tuple[torch.nn.Module, dict]:
    """(model in eval mode, metadata without the weights); errors name the file."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such checkpoint (fine-tuning starts from a student "
                         "checkpoint; use --scratch to train from random weights)")
    try:
        ckpt = torch.load(path, map_location=device, weights_only=True)
    except Exception as exc:  # noqa: BLE001 - pickle, zip and torch errors alike
        raise ValueError(f"{path}: not a student checkpoint ({str(exc).splitlines()[0][:160]})"
                         ) from exc
    missing = [k for k in CHECKPOINT_KEYS if not isinstance(ckpt, dict) or k not in ckpt]
    if missing:
        raise ValueError(f"{path}: not a student checkpoint (missing {', '.join(missing)})")
    if list(ckpt["classes"]) != list(CLASS_NAMES):
        raise ValueError(f"{path}: classes {ckpt['classes']} differ from {list(CLASS_NAMES)}")
    model = build_model(str(ckpt["arch"]), len(CLASS_NAMES))
    try:
        model.load_state_dict(ckpt["state_dict"])
    except RuntimeError as exc:
        raise ValueError(f"{path}: weights do not fit the {ckpt['arch']} architecture "
                         f"({str(exc).splitlines()[0][:160]})") from exc
    meta = {k: ckpt[k] for k in CHECKPOINT_KEYS if k != "state_dict"}
    return model.to(device).eval(), meta


def save_student(model: torch.nn.Module, path: Path, arch: str, image_size: int,
                 model_id: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"arch": arch, "classes": list(CLASS_NAMES), "image_size": int(image_size),
                "mean": list(MEAN), "std": list(STD),
                "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
                "model_id": model_id}, path)
    return path


def student_from_run(run_checkpoint: Path, out: Path, model_id: str) -> Path:
    """A training run's best.pt as a student checkpoint (what ships beside the ONNX)."""
    from ml.training.run import load_checkpoint_model

    model, ckpt = load_checkpoint_model(Path(run_checkpoint))
    return save_student(model, out, ckpt["config"]["arch"], ckpt["config"]["image_size"],
                        model_id)


def unique_model_id(arch: str, mode: str) -> str:
    """Two runs never share an id, even within one second."""
    return f"{arch}-{mode}-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(6)}"


def fine_tune_config(config: TrainConfig, start: Path | None, scratch: bool,
                     given: set[str]) -> TrainConfig:
    """The run's configuration: the starting checkpoint sets the architecture and input size;
    fine-tuning defaults apply to every option the user did not give."""
    defaults = {k: v for k, v in FINE_TUNE_DEFAULTS.items() if k not in given}
    if scratch:
        defaults = {k: v for k, v in defaults.items() if k in ("split_by", "balance")}
        return replace(config, mode="student", init_from="", **defaults)
    start = Path(start) if start else SHIPPED
    _model, meta = load_student(start)
    fixed = {"arch": meta["arch"]} | ({} if "image_size" in given
                                      else {"image_size": int(meta["image_size"])})
    return replace(config, mode="finetune", init_from=str(start), **fixed, **defaults)


def inherit_decision(start: Path, models: list[Path]) -> bool:
    """Give fine-tuned models the decision policy of the model they started from.

    A team's few held-out frames cannot fit a threshold for few false alarms, so the
    calibrated policy of `start`'s ONNX twin (cmi_student.pt -> cmi_student.onnx) carries
    over; without one the runtime's defaults apply. Returns whether a policy was found.
    """
    import onnx

    from ml.runtime.decision import DecisionPolicy
    from ml.training.calibration import store_policy

    twin = Path(start).with_suffix(".onnx")
    if not twin.is_file():
        return False
    props = {p.key: p.value for p in onnx.load(str(twin), load_external_data=False).metadata_props}
    if "decision" not in props:
        return False
    policy = DecisionPolicy.from_metadata(props)
    for model in models:
        store_policy(model, policy, {"inherited_from": twin.name})
    return True


def fit_or_inherit_decision(run: Path, cfg: dict, models: list[Path],
                            inherit: bool = True, precision=None) -> dict:
    """Give every packaged model a decision policy, as the shipped model has one.

    Fine-tuned from a model with a policy: that policy (`inherit_decision`). Otherwise (from
    scratch, distilled, or a start without one) it is fitted on the run's own validation
    split, never its training part. A run without validation frames keeps the default policy,
    stored with a warning so that the fallback is on record. `inherit=False` always fits (a
    recipe with thousands of validation frames); `precision` (a `PrecisionTarget`) sets the
    fitted threshold for a precision at a real crack share. Returns how it was decided.
    """
    from ml.datasets import DatasetError, read_split
    from ml.runtime.decision import DecisionPolicy
    from ml.training.calibration import CalibrationError, calibrate_model, store_policy

    start = cfg.get("init_from")
    if inherit and start and inherit_decision(Path(start), models):
        return {"source": "inherited", "inherited_from": Path(start).with_suffix(".onnx").name}
    try:
        fit = calibrate_model(models[0], read_split(run / "split.csv", "val"), models[1:],
                              precision=precision)
        return {"source": "validation", **fit}
    except (DatasetError, CalibrationError) as exc:
        fit = {"warnings": [f"not calibrated ({exc}): the default policy applies"]}
    for model in models:
        store_policy(model, DecisionPolicy(), fit)
    return {"source": "default", **fit}


def package_run(run: Path, model_id: str = "", report=None, inherit: bool = True,
                precision=None) -> dict:
    """RUN/model.onnx, RUN/model_int8.onnx and RUN/student.pt from RUN/best.pt."""
    from ml.evaluation import calibration_images
    from ml.training.export import export_onnx, quantise_int8
    from ml.training.run import load_checkpoint_model

    run = Path(run)
    best = run / "best.pt"
    model, ckpt = load_checkpoint_model(best)
    cfg = ckpt["config"]
    model_id = model_id or unique_model_id(cfg["arch"], cfg["mode"])
    meta = export_onnx(best, run / "model.onnx", model_id)
    quantise_int8(run / "model.onnx", run / "model_int8.onnx", calibration_images(best))
    # Fitted on the int8 file, the one the app runs; the fp32 file gets the same policy.
    decision = fit_or_inherit_decision(run, cfg, [run / "model_int8.onnx", run / "model.onnx"],
                                       inherit, precision)
    if report is not None:
        report("calibrated", **decision)
    save_student(model, run / "student.pt", cfg["arch"], cfg["image_size"], model_id)
    out = {"model_id": model_id, "onnx": str(run / "model.onnx"),
           "int8": str(run / "model_int8.onnx"), "student": str(run / "student.pt"),
           "parity_max_abs_diff": meta["parity_max_abs_diff"], "decision": decision,
           "int8_weight_bits": INT8_WEIGHT_BITS}
    (run / "package.json").write_text(json.dumps(out, indent=1), encoding="utf-8")
    if report is not None:
        report("packaged", **out)
    write_model_card(run)
    return out


def compare_with_active(run: Path, active: Path, report=None) -> dict:
    """The new model against the model in use on the run's held-out frames."""
    from ml.comparison import compare, verdict_text
    from ml.datasets import read_split

    run = Path(run)
    samples = read_split(run / "split.csv", "test")
    # The file the app would run (int8), against the one it runs now.
    result = compare(samples, {"model in use": Path(active),
                               "new model": run_runtime_model(run)},
                     "model in use")
    result["verdict"] = verdict_text(result)
    (run / "comparison.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    if report is not None:
        report("compared", verdict=result["verdict"], offer=result["offer"])
    write_model_card(run)
    return result


def run_fine_tune(config: TrainConfig, active: Path | None, model_id: str = "") -> int:
    """Train (or resume), then package and compare; the exit code the wizard reads."""
    from ml.training.run import Reporter, main_guard

    code = main_guard(config)
    if code != 0:
        return code
    report = Reporter(config.progress)
    try:
        package_run(Path(config.out), model_id, report)
        if active is not None:
            compare_with_active(Path(config.out), active, report)
    except Exception as exc:  # noqa: BLE001 - the child's last word to the wizard
        report("error", message=f"{type(exc).__name__}: {exc}")
        if config.progress != "json":
            raise
        return 1
    return 0
