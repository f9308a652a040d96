"""Training configuration: typed defaults, then a YAML file, then command-line flags."""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from ml.presets import DEFAULT_IMAGE_SIZE

MODES = ("teacher", "student", "distill", "finetune")
BALANCE = ("none", "weights", "sampler")
KD_METHODS = ("kd", "dkd", "dist")  # the keys of ml.training.distill.KD_METHODS (no torch here)


@dataclass
class TrainConfig:
    mode: str = "student"  # teacher | student (CE only) | distill | finetune (from init_from)
    arch: str = "cmi"
    data: str = ""  # ImageFolder tree or CSV manifest; several joined with ','
    out: str = "runs/run"
    epochs: int = 10
    batch_size: int = 32
    lr: float = 2e-3
    weight_decay: float = 5e-4
    warmup_epochs: int = 1
    image_size: int = DEFAULT_IMAGE_SIZE
    seed: int = 0  # initialisation and batch order
    split_seed: int = 0  # train/val/test split; keep it fixed across seeds and with the teacher
    device: str = "auto"  # auto | cpu | cuda
    amp: bool = True  # bf16 autocast on CUDA
    bf16_cpu: bool = False  # bf16 autocast on CPU too (AVX-512 BF16/AMX); see docs/adr/0005
    freeze_front: bool = False  # cmi_v3: keep the pretrained front, cache its features per flip
    channels_last: bool = False  # NHWC weights and batches (faster convolutions on CPU oneDNN)
    val_fraction: float = 0.15
    test_fraction: float = 0.15
    init_weights: str = ""  # optional local state dict for the backbone
    teacher: str = ""  # teacher checkpoint(s) for distill; several joined with ','
    teacher_weights: str = ""  # one weight per teacher, joined with ','; empty: equal
    kd_method: str = "kd"  # kd | dkd | dist (ml.training.distill.KD_METHODS)
    temperature: float = 4.0
    alpha: float = 0.9  # weight of the soft term in KD
    dkd_beta: float = 8.0
    dkd_warmup_epochs: int = 3
    dist_beta: float = 1.0  # DIST inter-class (per image) relation weight
    dist_gamma: float = 1.0  # DIST intra-class (per class over the batch) relation weight
    dist_temperature: float = 1.0  # DIST's own temperature (the paper's default is 1)
    threads: int = 0  # torch CPU threads; 0 leaves torch's default
    progress: str = "text"  # text | json (one JSON object per line, read by the GUI wizard)
    resume: bool = False
    init_from: str = ""  # student checkpoint to start from (ml/training/finetune.py format)
    split_by: str = "frame"  # frame (stratified) | group (whole inspections or videos)
    train_extra: str = ""  # added to the training part only (synthetic: keeps what it knew)
    balance: str = "none"  # none | weights (class-weighted loss) | sampler (balanced batches)
    feature_anchor: str = ""  # "imagenet" or a student .pt: ml/training/feature_anchor.py
    feature_anchor_weight: float = 1.0  # weight of its cosine term beside the class loss
    photometric: float = 0.0  # colour, exposure, blur and noise jitter of training, 0..1

    def validate(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        if self.mode == "distill" and not self.teacher:
            raise ValueError("distill needs --teacher CHECKPOINT")
        if not self.data:
            raise ValueError("no training data given (--data)")
        if self.mode == "finetune" and not self.init_from:
            raise ValueError("finetune needs --init-from CHECKPOINT")
        if self.balance not in BALANCE:
            raise ValueError(f"balance must be one of {', '.join(BALANCE)}")
        if self.split_by not in ("frame", "group"):
            raise ValueError("split_by must be frame or group")
        if self.kd_method not in KD_METHODS:
            raise ValueError(f"kd_method must be one of {', '.join(KD_METHODS)}")
        if self.teacher_weights and len(self.teacher_weights.split(",")) != len(
                self.teacher.split(",")):
            raise ValueError("teacher_weights needs one weight per teacher")
        if not 0 <= self.photometric <= 1:
            raise ValueError("photometric must be within 0..1")
        if self.photometric and (self.mode == "distill" or self.freeze_front):
            raise ValueError("photometric jitter needs each jittered image through the whole "
                             "network: not with distill (cached teacher logits) or freeze_front")
        if not 0 <= self.alpha <= 1:
            raise ValueError("alpha must be within 0..1")
        if min(self.temperature, self.dist_temperature) <= 0 or self.epochs < 1 or self.batch_size < 1:
            raise ValueError("temperature, epochs and batch size must be positive")

    def save(self, path: Path) -> None:
        Path(path).write_text(yaml.safe_dump(dataclasses.asdict(self), sort_keys=False),
                              encoding="utf-8")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One flag per field; None defaults so that only given flags override the YAML."""
    parser.add_argument("--config", help="YAML file with any of the options below")
    for f in fields(TrainConfig):
        flag = "--" + f.name.replace("_", "-")
        if f.type in ("bool", bool):
            parser.add_argument(flag, dest=f.name, action=argparse.BooleanOptionalAction,
                                default=None)
        else:
            kind = {"int": int, "float": float}.get(str(f.type), str)
            parser.add_argument(flag, dest=f.name, type=kind, default=None)


def resolve(args: argparse.Namespace, **fixed: object) -> TrainConfig:
    config = TrainConfig()
    if getattr(args, "config", None):
        data = yaml.safe_load(Path(args.config).read_text(encoding="utf-8")) or {}
        known = {f.name for f in fields(TrainConfig)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"{args.config}: unknown option(s) {', '.join(sorted(unknown))}")
        config = dataclasses.replace(config, **data)
    flags = {f.name: getattr(args, f.name) for f in fields(TrainConfig)
             if getattr(args, f.name, None) is not None}
    config = dataclasses.replace(config, **flags, **fixed)
    config.validate()
    return config


# What a resumed run must share with the stopped one: the model, the loss and its parameters.
_RESUME_KEYS = ("arch", "mode", "kd_method", "freeze_front", "feature_anchor",
                "feature_anchor_weight", "photometric")


def check_resumable(path: Path, stopped: dict, config: TrainConfig) -> None:
    """A stopped run resumed with another model or loss would fail deep in torch (a wizard
    folder of an older version, or a changed setting): say which setting differs."""
    defaults = TrainConfig()
    for key in _RESUME_KEYS:
        # Older checkpoints lack newer keys: they ran with the default. The arch is always there.
        was = stopped.get(key, getattr(config if key == "arch" else defaults, key))
        now = getattr(config, key)
        if was != now:
            raise ValueError(f"{path}: a stopped run with {key}={was!r}, but this run asks "
                             f"for {key}={now!r}; remove it to start again")
