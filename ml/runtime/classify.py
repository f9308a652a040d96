"""`sewer-ml classify`: what the app would say about each picture, through the app's own rule.

Each picture is judged alone, as the app judges a frame it jumped to; live playback and the
scan also smooth over neighbouring frames.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from ml.runtime.classifier import CrackClassifier
from ml.runtime.decision import DecisionPolicy, FrameQuality, calibrate, decide

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}


def image_files(paths: list[Path]) -> Iterator[Path]:
    """The files given, and the images inside the folders given (sorted, recursively)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES
                              and p.is_file())
        else:
            yield path


def policy_for(classifier: CrackClassifier, threshold: float | None = None) -> DecisionPolicy:
    """The model's own decision policy (from its metadata), with an optional threshold override."""
    return DecisionPolicy.from_metadata(classifier.metadata).with_threshold(threshold)


def classify_files(paths: list[Path], classifier: CrackClassifier,
                   policy: DecisionPolicy, batch: int = 16) -> Iterator[dict]:
    """One JSON-ready record per image; unreadable files get an "error" instead of a verdict."""
    pending: list[tuple[Path, np.ndarray]] = []
    for path in image_files(paths):
        frame = cv2.imread(str(path), cv2.IMREAD_COLOR) if path.is_file() else None
        if frame is None:
            yield from _verdicts(pending, classifier, policy)  # keep the order of the input
            pending = []
            yield {"file": str(path), "error": "not a readable image" if path.exists()
                   else "no such file"}
            continue
        pending.append((path, frame))
        if len(pending) >= batch:
            yield from _verdicts(pending, classifier, policy)
            pending = []
    yield from _verdicts(pending, classifier, policy)


def _verdicts(pending: list[tuple[Path, np.ndarray]], classifier: CrackClassifier,
              policy: DecisionPolicy) -> Iterator[dict]:
    if not pending:
        return
    # Calibrated probabilities: the numbers the decision was taken on.
    probs = calibrate(classifier.probabilities([frame for _p, frame in pending]),
                      policy.temperature)
    for (path, frame), row in zip(pending, probs, strict=True):
        decision = decide(row, classifier.classes, policy, FrameQuality.of(frame),
                          calibrated=True)
        yield {"file": str(path),
               "probabilities": {c.value: round(float(p), 4)
                                 for c, p in zip(classifier.classes, row, strict=True)},
               "suggestion": decision.suggestion, "outcome": decision.outcome.value,
               "crack_probability": round(decision.crack_probability, 4),
               "reason": decision.reason}
