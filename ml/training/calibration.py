"""Fit the decision policy of an exported model on held-out frames and store it in the model.

Temperature scaling (Guo et al. 2017) makes the probabilities honest; the crack threshold is
then the lowest P(crack) whose false-alarm rate on the held-out no-crack look-alikes stays at or
under a target, because in real footage most frames have no crack and a coder's trust dies of
false alarms long before it dies of a missed hairline. Given the share of real frames that show
a crack, the threshold can instead be set for a precision: the lowest at which, at that share,
at least a target fraction of the claims would be cracks (`precision_threshold`). Both land in
the ONNX metadata ("decision"), where the app, the scan and `sewer-ml classify` read them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx

from ml.classes import CLASS_NAMES, CrackClass
from ml.datasets import read_image
from ml.runtime.decision import DecisionPolicy, calibrate

DEFAULT_MAX_FALSE_ALARM = 0.03


@dataclass(frozen=True)
class PrecisionTarget:
    """Claims that are right at least `min_precision` of the time when `crack_share` of frames
    show a crack. Validation sets hold far more crack frames than footage does, so their own
    precision flatters; re-weighting recall and false alarms by the real share does not."""

    crack_share: float
    min_precision: float

    def __post_init__(self) -> None:
        if not (0 < self.crack_share < 1 and 0 < self.min_precision < 1):
            raise ValueError(f"crack share and precision must lie strictly between 0 and 1, "
                             f"got {self.crack_share} and {self.min_precision}")

    def precision(self, recall: float, false_alarm: float) -> float:
        found = self.crack_share * recall
        wrong = (1 - self.crack_share) * false_alarm
        return found / (found + wrong) if found + wrong > 0 else 0.0


def onnx_probabilities(model: Path, samples: list) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities in CLASS_NAMES order, true class indices) through the app's runtime."""
    from ml.runtime.classifier import CrackClassifier

    clf = CrackClassifier(model)
    order = [[c.value for c in clf.classes].index(name) for name in CLASS_NAMES]
    rows = []
    for start in range(0, len(samples), 32):
        frames = [read_image(s.path) for s in samples[start:start + 32]]
        rows.append(clf.probabilities(frames)[:, order])
    truth = np.array([CLASS_NAMES.index(s.label.value) for s in samples])
    return np.concatenate(rows), truth


TEMPERATURE_GRID = np.geomspace(0.25, 8.0, 121)


class CalibrationError(ValueError):
    """Held-out frames that cannot calibrate anything (none at all)."""


def fit_temperature(probabilities: np.ndarray, truth: np.ndarray,
                    warnings: list[str] | None = None) -> float:
    """The T that minimises the negative log-likelihood (a 1-D search is exact enough).

    A minimum at either end of the search means the frames cannot pin T down (perfectly
    separated frames drive it to 0, hopeless ones to infinity): then T stays 1, the model's
    own probabilities, and the reason is appended to `warnings`.
    """
    if len(truth) == 0:
        raise CalibrationError("no held-out frames to fit a temperature on")
    nll = [-np.log(np.clip(calibrate(probabilities, t)[np.arange(len(truth)), truth], 1e-12, 1))
           .mean() for t in TEMPERATURE_GRID]
    best = int(np.argmin(nll))
    if best in (0, len(TEMPERATURE_GRID) - 1):
        if warnings is not None:
            warnings.append(f"the best temperature lies at the edge of the search "
                            f"({TEMPERATURE_GRID[best]:.2f}, searched {TEMPERATURE_GRID[0]:.2f}"
                            f"-{TEMPERATURE_GRID[-1]:.0f}): kept T=1")
        return 1.0
    return float(TEMPERATURE_GRID[best])


def choose_threshold(p_crack: np.ndarray, is_crack: np.ndarray,
                     max_false_alarm: float = DEFAULT_MAX_FALSE_ALARM) -> float:
    """The lowest threshold whose false-alarm rate on no-crack frames is <= the target."""
    negatives = np.sort(p_crack[~is_crack])
    if len(negatives) == 0:
        raise CalibrationError("no no-crack frames: the false-alarm rate cannot be measured")
    allowed = int(np.floor(max_false_alarm * len(negatives)))
    # Claims happen at p >= t: put t just above the (allowed+1)-th highest negative.
    edge = negatives[len(negatives) - allowed - 1]
    return float(np.clip(np.nextafter(edge, 1.0), 0.05, 0.99))


def stored_threshold(threshold: float) -> float:
    """The threshold as the policy stores it: rounded up, never down (down could let one more
    look-alike through), within 0.05-0.99."""
    return float(min(0.99, max(0.05, math.ceil(float(threshold) * 1e4) / 1e4)))


def precision_threshold(p_crack: np.ndarray, is_crack: np.ndarray, target: PrecisionTarget,
                        max_false_alarm: float = DEFAULT_MAX_FALSE_ALARM) -> tuple[float, bool]:
    """(threshold, met): the lowest stored threshold at or above the false-alarm one that
    meets `target`, measured at the value the policy will store.

    Candidates are the points just above each no-crack score, where the false-alarm count
    steps down (between two of them precision can only fall as the threshold rises). When no
    candidate meets the target, the one with the best precision is returned with met False.
    """
    floor = choose_threshold(p_crack, is_crack, max_false_alarm)
    negatives, positives = np.sort(p_crack[~is_crack]), p_crack[is_crack]
    steps = np.nextafter(negatives[negatives >= floor], 1.0)
    best, best_precision = stored_threshold(floor), -1.0
    for t in np.unique([stored_threshold(x) for x in np.concatenate([[floor], steps])]):
        reached = target.precision(float((positives >= t).mean()),
                                   float((negatives >= t).mean()))
        if reached >= target.min_precision:
            return float(t), True
        if reached > best_precision:
            best, best_precision = float(t), reached
    return best, False


def fit_policy(probabilities: np.ndarray, truth: np.ndarray,
               max_false_alarm: float = DEFAULT_MAX_FALSE_ALARM,
               precision: PrecisionTarget | None = None) -> tuple[DecisionPolicy, dict]:
    """The policy and what it does on these frames (recall, false alarms, subtype accuracy).

    With `precision`, the threshold also meets that target (`precision_threshold`); the
    false-alarm target stays a ceiling. No frames at all is a CalibrationError. Otherwise every
    figure that cannot be fitted falls back to the runtime default (T=1; threshold 0.5 without
    no-crack frames) and `figures["warnings"]` says why, so a fallback is never silent.
    """
    probabilities, truth = np.asarray(probabilities, float), np.asarray(truth, int)
    if len(truth) == 0:
        raise CalibrationError("no held-out frames to calibrate on")
    nd = CLASS_NAMES.index(CrackClass.ND.value)
    is_crack = truth != nd
    warnings: list[str] = []
    if is_crack.all() or not is_crack.any():
        # One side only: the likelihood just rewards confidence in that side.
        present = "crack" if is_crack.any() else "no-crack"
        warnings.append(f"only {present} frames among the {len(truth)} held out: kept T=1")
        temperature = 1.0
    else:
        temperature = fit_temperature(probabilities, truth, warnings)
    q = calibrate(probabilities, temperature)
    p_crack = 1 - q[:, nd]
    met = None  # whether the precision target was met; None: it was not applied
    if is_crack.all():
        threshold = DecisionPolicy().crack_threshold
        warnings.append(f"no no-crack frames, so false alarms cannot be measured: kept the "
                        f"default threshold {threshold}")
    elif precision is not None and is_crack.any():
        threshold, met = precision_threshold(p_crack, is_crack, precision, max_false_alarm)
    else:
        threshold = choose_threshold(p_crack, is_crack, max_false_alarm)
    policy = DecisionPolicy(temperature=round(temperature, 4),
                            crack_threshold=stored_threshold(threshold))
    claimed = p_crack >= policy.crack_threshold
    subtype = q.copy()
    subtype[:, nd] = -1
    right = subtype.argmax(1) == truth
    figures = {"temperature": policy.temperature, "crack_threshold": policy.crack_threshold,
               "max_false_alarm": max_false_alarm, "frames": int(len(truth)),
               "crack_recall": float(claimed[is_crack].mean()) if is_crack.any() else 0.0,
               "false_alarm": float(claimed[~is_crack].mean()) if (~is_crack).any() else 0.0,
               "subtype_accuracy_of_found": float(right[claimed & is_crack].mean())
               if (claimed & is_crack).any() else 0.0}
    if met is not None:
        reached = precision.precision(figures["crack_recall"], figures["false_alarm"])
        figures.update(crack_share=precision.crack_share, min_precision=precision.min_precision,
                       precision_at_share=round(reached, 4))
        if not met:
            warnings.append(f"precision {reached:.1%} at a {precision.crack_share:.1%} crack "
                            f"share is under the {precision.min_precision:.1%} target at every "
                            "threshold: kept the threshold with the best precision")
    elif precision is not None:
        warnings.append("crack and no-crack frames are both needed to measure precision: the "
                        "precision target was not applied")
    if not is_crack.any():
        warnings.append("no crack frames: crack recall was not measured")
    if figures["false_alarm"] > max_false_alarm:
        warnings.append(f"false alarms {figures['false_alarm']:.1%} exceed the "
                        f"{max_false_alarm:.1%} target even at the highest threshold (0.99)")
    figures["warnings"] = warnings
    return policy, figures


def store_policy(model: Path, policy: DecisionPolicy, figures: dict) -> None:
    """Write the policy (and how it was fitted) into the model's metadata, in place."""
    proto = onnx.load(str(model))
    keep = [(p.key, p.value) for p in proto.metadata_props
            if p.key not in ("decision", "decision_fit")]
    del proto.metadata_props[:]
    for key, value in keep + [("decision", policy.to_json()),
                              ("decision_fit", json.dumps(figures))]:
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(proto, str(model))


def calibrate_model(model: Path, samples: list, others: list[Path] = (),
                    max_false_alarm: float = DEFAULT_MAX_FALSE_ALARM,
                    precision: PrecisionTarget | None = None) -> dict:
    """Fit `model` on `samples` (held-out, never the training part) and store the policy in
    it and in `others` (a packaged model: fitted on its int8 file, the one the app runs, and
    given to its fp32 twin too). No samples: CalibrationError;
    other degenerate sets store the documented fallbacks of `fit_policy`, with its warnings."""
    if not samples:
        raise CalibrationError(f"{Path(model).name}: no held-out frames to calibrate on")
    probabilities, truth = onnx_probabilities(Path(model), samples)
    policy, figures = fit_policy(probabilities, truth, max_false_alarm, precision)
    for path in (Path(model), *map(Path, others)):
        store_policy(path, policy, figures)
    return figures
