"""Is a new model better than the one in use? Paired bootstrap on the same held-out frames.

Every model is run through the ONNX runtime the app uses (same pre-processing as live
suggestions) on the test part of one split. The difference in macro-F1 and accuracy gets a 95 %
interval from a paired bootstrap that resamples whole groups (inspections or videos) when there
are enough of them, because frames of one video are not independent. A model is "better" only
when the whole interval lies above zero; an interval that spans zero means no measurable
difference, and a model whose accuracy cannot be told apart from always answering the largest
class is at chance level, whatever its difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml.classes import CLASS_NAMES
from ml.datasets import Sample, read_image

BOOTSTRAPS = 2000
MIN_GROUPS = 10  # fewer groups than this: resample frames instead


@dataclass(frozen=True)
class Interval:
    value: float
    low: float
    high: float

    @property
    def verdict(self) -> str:
        return "better" if self.low > 0 else "worse" if self.high < 0 else "same"

    def text(self) -> str:
        return (f"{self.value * 100:+.1f} points (95 % interval {self.low * 100:+.1f} to "
                f"{self.high * 100:+.1f})")

    def to_json(self) -> dict:
        return {"value": round(self.value, 5), "low": round(self.low, 5),
                "high": round(self.high, 5), "verdict": self.verdict}


def macro_f1(truth: np.ndarray, pred: np.ndarray, n: int = len(CLASS_NAMES)) -> float:
    """Macro-F1 over the classes present in `truth` (as `ml.metrics.summarise`)."""
    tp = np.bincount(truth[truth == pred], minlength=n).astype(float)
    actual = np.bincount(truth, minlength=n).astype(float)
    predicted = np.bincount(pred, minlength=n).astype(float)
    denominator = actual + predicted
    f1 = np.divide(2 * tp, denominator, out=np.zeros(n), where=denominator > 0)
    return float(f1[actual > 0].mean()) if (actual > 0).any() else 0.0


def accuracy(truth: np.ndarray, pred: np.ndarray) -> float:
    return float((truth == pred).mean()) if len(truth) else 0.0


METRICS = {"macro_f1": macro_f1, "accuracy": accuracy}


def _resamples(groups: np.ndarray, count: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    names, inverse = np.unique(groups, return_inverse=True)
    if len(names) < MIN_GROUPS:
        return [rng.integers(0, len(groups), len(groups)) for _ in range(count)]
    members = [np.flatnonzero(inverse == g) for g in range(len(names))]
    return [np.concatenate([members[g] for g in rng.integers(0, len(names), len(names))])
            for _ in range(count)]


def paired_difference(truth: np.ndarray, new: np.ndarray, old: np.ndarray, groups: np.ndarray,
                      metric: str = "macro_f1", count: int = BOOTSTRAPS,
                      seed: int = 0) -> Interval:
    """`metric(new) - metric(old)` with a 95 % percentile interval over paired resamples."""
    fn = METRICS[metric]
    diffs = np.array([fn(truth[i], new[i]) - fn(truth[i], old[i])
                      for i in _resamples(groups, count, seed)])
    low, high = np.percentile(diffs, [2.5, 97.5])
    return Interval(fn(truth, new) - fn(truth, old), float(low), float(high))


def chance_level(confusion: list[list[int]] | np.ndarray) -> bool:
    """True when accuracy is not clearly above always answering the most frequent class."""
    cm = np.asarray(confusion, float)
    n = cm.sum()
    if n == 0:
        return True
    acc = np.trace(cm) / n
    majority = cm.sum(axis=1).max() / n
    return bool(acc - 1.96 * np.sqrt(acc * (1 - acc) / n) <= majority)


def onnx_predictions(model: Path, samples: list[Sample], batch: int = 32) -> tuple[np.ndarray, str]:
    """Class indices (in CLASS_NAMES order) predicted by an ONNX model, and its model id."""
    from ml.runtime.classifier import CrackClassifier

    clf = CrackClassifier(Path(model))
    order = [CLASS_NAMES.index(c.value) for c in clf.classes]
    preds: list[int] = []
    for start in range(0, len(samples), batch):
        frames = [read_image(s.path) for s in samples[start:start + batch]]
        preds.extend(order[i] for i in clf.probabilities(frames).argmax(1))
    return np.array(preds, np.int64), clf.model_id


def compare(samples: list[Sample], models: dict[str, Path], baseline: str,
            pairs: list[tuple[str, str]] = (), seed: int = 0) -> dict:
    """Every model against `baseline` (the model in use) on the same frames.

    Returns per-model figures, each difference with its interval, and `offer`: the models that
    beat the baseline on macro-F1 (interval above zero) without being at chance level.
    `pairs` (new, old) are compared with each other too (distilled against plain student).
    """
    from ml.metrics import confusion_matrix

    truth = np.array([CLASS_NAMES.index(s.label.value) for s in samples], np.int64)
    groups = np.array([s.group or f"#{k}" for k, s in enumerate(samples)])
    preds, figures = {}, {}
    for name, path in models.items():
        preds[name], model_id = onnx_predictions(path, samples)
        cm = confusion_matrix(truth, preds[name], len(CLASS_NAMES))
        figures[name] = {"path": str(path), "model_id": model_id,
                         "accuracy": round(accuracy(truth, preds[name]), 5),
                         "macro_f1": round(macro_f1(truth, preds[name]), 5),
                         "chance_level": chance_level(cm), "confusion": cm.tolist()}
    differences, offer = {}, []
    for name in models:
        if name == baseline:
            continue
        diff = {m: paired_difference(truth, preds[name], preds[baseline], groups, m, seed=seed)
                for m in METRICS}
        differences[name] = {m: d.to_json() for m, d in diff.items()}
        if diff["macro_f1"].verdict == "better" and not figures[name]["chance_level"]:
            offer.append(name)
    paired = {f"{new}:{old}": paired_difference(truth, preds[new], preds[old], groups,
                                                "macro_f1", seed=seed).to_json()
              for new, old in pairs}
    return {"frames": len(samples), "groups": len(set(groups.tolist())), "pairs": paired,
            "resampled": "groups" if len(set(groups.tolist())) >= MIN_GROUPS else "frames",
            "baseline": baseline, "models": figures, "differences": differences,
            "offer": offer}


def verdict_text(result: dict) -> str:
    """One plain sentence per new model, in the words the results page and model card use."""
    base = result["baseline"]
    lines = []
    for name, diff in result["differences"].items():
        f1 = Interval(diff["macro_f1"]["value"], diff["macro_f1"]["low"], diff["macro_f1"]["high"])
        if result["models"][name]["chance_level"]:
            lines.append(f"{name} is at chance level on these frames; do not use it.")
        elif f1.verdict == "better":
            lines.append(f"{name} beats {base}: macro-F1 {f1.text()}.")
        elif f1.verdict == "worse":
            lines.append(f"{name} is worse than {base}: macro-F1 {f1.text()}.")
        else:
            lines.append(f"No measurable difference between {name} and {base}: macro-F1 "
                         f"{f1.text()}.")
    if result["models"][base]["chance_level"]:
        frames = f"these {result['frames']} frames" if result.get("frames") else "these frames"
        lines.append(f"{base} itself is not clearly above always answering the commonest "
                     f"class on {frames} (chance level).")
    return " ".join(lines)


def distillation_verdict(plain: dict, distilled: dict, teacher: dict | None,
                         f1_interval: Interval) -> str:
    """Whether distillation paid off: only when the distilled student beats the same student
    trained alone (interval above zero) and neither it nor the teacher is at chance level.

    `plain`, `distilled` and `teacher` are the `test` figures of each run's metrics.json.
    """
    if teacher is not None and chance_level(teacher["confusion"]):
        return ("Distillation cannot pay off here: the teacher is at chance level on the "
                "held-out frames.")
    if chance_level(distilled["confusion"]) or chance_level(plain["confusion"]):
        return "No verdict on distillation: the students are at chance level on these frames."
    if f1_interval.verdict == "better":
        return f"Distillation paid off: macro-F1 {f1_interval.text()} against the plain student."
    if f1_interval.verdict == "worse":
        return (f"Distillation made the student worse: macro-F1 {f1_interval.text()} against "
                "the plain student.")
    return (f"No measurable difference from distillation: macro-F1 {f1_interval.text()} "
            "against the plain student.")


def compare_cli(split: Path, models: list[str], baseline: str | None,
                pairs: list[str]) -> dict:
    """`sewer-ml compare`: NAME=PATH models on the test part of a split file."""
    from ml.datasets import read_split

    named: dict[str, Path] = {}
    for entry in models:
        name, sep, path = entry.rpartition("=")
        if not sep or not name:
            raise ValueError(f"--model {entry!r}: write NAME=MODEL.onnx")
        named[name] = Path(path)
    baseline = baseline or next(iter(named))
    wanted = [tuple(p.split(":", 1)) for p in pairs]
    unknown = [n for n in [baseline, *(n for p in wanted for n in p)] if n not in named]
    if unknown or any(len(p) != 2 for p in wanted):
        raise ValueError(f"unknown model name(s) {unknown} in --baseline/--pair")
    result = compare(read_split(split, "test"), named, baseline, wanted)
    result["verdict"] = verdict_text(result)
    return result
