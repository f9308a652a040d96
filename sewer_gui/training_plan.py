"""The training wizard's plan without Qt: which `sewer-ml` child processes to run, and how to
read their JSON progress. Training runs in a child so the app itself never imports torch.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sewer_gui.decisions import export_decisions
from sewer_gui.pacp.model import Inspection


@dataclass
class WizardSettings:
    sources: list[str] = field(default_factory=list)  # folders or manifests
    synthetic_per_class: int = 0  # >0: generate a synthetic set and add it
    teacher_checkpoint: str = ""  # empty: train a new teacher
    teacher_epochs: int = 8
    student_epochs: int = 12
    temperature: float = 4.0
    alpha: float = 0.9
    batch_size: int = 32
    lr: float = 2e-3
    image_size: int = 112
    device: str = "auto"
    work_dir: str = ""

    def data_arg(self) -> str:
        sources = list(self.sources)
        if self.synthetic_per_class > 0:
            sources.append(str(Path(self.work_dir) / "synthetic"))
        return ",".join(sources)


@dataclass(frozen=True)
class Step:
    name: str  # "synthetic", "teacher", "student", "distill", "export"
    title: str
    args: list[str]
    run_dir: str = ""

    def command(self) -> list[str]:
        return [sys.executable, "-m", "ml.cli", *self.args]


def plan_steps(s: WizardSettings) -> list[Step]:
    work = Path(s.work_dir)
    common = ["--data", s.data_arg(), "--batch-size", str(s.batch_size), "--image-size",
              str(s.image_size), "--device", s.device, "--progress", "json"]
    steps: list[Step] = []
    if s.synthetic_per_class > 0:
        steps.append(Step("synthetic", "Generate synthetic stills",
                          ["synth", "stills", str(work / "synthetic"), "--per-class",
                           str(s.synthetic_per_class), "--size", "160"]))
    teacher = s.teacher_checkpoint or str(work / "teacher" / "best.pt")
    if not s.teacher_checkpoint:
        steps.append(Step("teacher", "Train the ResNet50 teacher",
                          ["train-teacher", *common, "--out", str(work / "teacher"), "--epochs",
                           str(s.teacher_epochs), "--lr", "3e-4"], str(work / "teacher")))
    steps.append(Step("student", "Train the CMI student without distillation",
                      ["train-student", *common, "--out", str(work / "student"), "--epochs",
                       str(s.student_epochs), "--lr", str(s.lr)], str(work / "student")))
    steps.append(Step("distill", "Distil the teacher into the CMI student",
                      ["distill", *common, "--out", str(work / "distilled"), "--epochs",
                       str(s.student_epochs), "--lr", str(s.lr), "--teacher", teacher,
                       "--temperature", str(s.temperature), "--alpha", str(s.alpha)],
                      str(work / "distilled")))
    return steps


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


def torch_available() -> bool:
    """Whether this installation can train (the frozen app and `make run` cannot)."""
    if getattr(sys, "frozen", False):
        return False
    probe = subprocess.run([sys.executable, "-c", "import torch, torchvision"],
                           capture_output=True, timeout=120)
    return probe.returncode == 0


def export_project_frames(inspections: list[Inspection], out: Path) -> dict[str, int]:
    """Coders' decisions as an ImageFolder tree (see `sewer_gui.decisions`)."""
    return export_decisions(inspections, out)
