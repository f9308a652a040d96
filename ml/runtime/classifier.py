"""The crack classifier on ONNX Runtime and numpy only: what the app and the scanner use."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

from ml.classes import CrackClass, class_for_label
from ml.runtime.shrink import shrink

REQUIRED_METADATA = ("class_names", "input_size", "mean", "std", "model_id")


class ModelError(Exception):
    """A model file that cannot be used; the message names the file and the reason."""


@dataclass(frozen=True)
class Prediction:
    probabilities: np.ndarray  # over `classes`
    classes: tuple[CrackClass, ...]

    @property
    def best(self) -> tuple[CrackClass, float]:
        i = int(self.probabilities.argmax())
        return self.classes[i], float(self.probabilities[i])

    def ranked(self) -> list[tuple[CrackClass, float]]:
        order = np.argsort(-self.probabilities)
        return [(self.classes[i], float(self.probabilities[i])) for i in order]


class CrackClassifier:
    """Batched, thread-safe (ONNX Runtime sessions are) classification of BGR frames."""

    def __init__(self, path: Path, threads: int = 0) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise ModelError(f"{self.path}: no such model file")
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self._session = ort.InferenceSession(str(self.path), options,
                                                 providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001 - ORT raises several unrelated types
            raise ModelError(f"{self.path}: not an ONNX model ONNX Runtime can load "
                             f"({str(exc).splitlines()[0][:160]})") from exc
        meta = self._session.get_modelmeta().custom_metadata_map
        missing = [k for k in REQUIRED_METADATA if k not in meta]
        if missing:
            raise ModelError(f"{self.path}: not a crack model made by sewer-ml "
                             f"(metadata missing: {', '.join(missing)})")
        names, self.input_size, self._mean, self._std = _checked_metadata(self.path, meta)
        classes = [class_for_label(str(n)) for n in names]
        unknown = [n for n, c in zip(names, classes, strict=True) if c is None]
        if unknown:
            raise ModelError(f"{self.path}: classes {unknown} do not map onto PACP crack codes")
        self.classes: tuple[CrackClass, ...] = tuple(c for c in classes if c is not None)
        self.model_id = meta["model_id"]
        self.metadata = dict(meta)
        self._input = self._session.get_inputs()[0].name
        self._lock = threading.Lock()  # guards nothing in ORT; keeps stats consistent
        self.frames_classified = 0
        self._check_shapes()

    def _check_shapes(self) -> None:
        """One grey frame through the model: the input it takes and the outputs it gives must
        match its metadata, and the outputs must be finite."""
        inputs = self._session.get_inputs()
        declared = inputs[0].shape if len(inputs) == 1 else None
        expected = [None, 3, self.input_size, self.input_size]
        if declared is None or len(declared) != 4 or any(
                isinstance(d, int) and e is not None and d != e
                for d, e in zip(declared, expected, strict=True)):
            raise ModelError(f"{self.path}: the model takes {declared if inputs else 'no input'},"
                             f" not images of 3 x {self.input_size} x {self.input_size} "
                             "as its metadata says")
        try:
            self.probabilities([np.full((self.input_size, self.input_size, 3), 128, np.uint8)])
        except ModelError:
            raise
        except Exception as exc:  # noqa: BLE001 - ORT raises several unrelated types
            raise ModelError(f"{self.path}: the model fails on a test frame "
                             f"({str(exc).splitlines()[0][:160]})") from exc

    def preprocess(self, frames: list[np.ndarray]) -> np.ndarray:
        size = self.input_size
        batch = np.empty((len(frames), 3, size, size), np.float32)
        for i, frame in enumerate(frames):
            if frame.ndim != 3 or frame.shape[2] != 3:
                raise ValueError("frames must be BGR images of shape (H, W, 3)")
            small = shrink(frame, size, size)
            batch[i] = cv2.cvtColor(small, cv2.COLOR_BGR2RGB).transpose(2, 0, 1)
        batch /= 255.0
        return (batch - self._mean) / self._std

    def probabilities(self, frames: list[np.ndarray]) -> np.ndarray:
        if not frames:
            return np.zeros((0, len(self.classes)), np.float32)
        logits = self._session.run(None, {self._input: self.preprocess(frames)})[0]
        if logits.shape != (len(frames), len(self.classes)):
            raise ModelError(f"{self.path}: the model gives outputs of shape {logits.shape}, "
                             f"not {len(self.classes)} class scores per frame")
        if not np.isfinite(logits).all():
            raise ModelError(f"{self.path}: the model gave non-finite scores (NaN or infinity)")
        logits = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        with self._lock:
            self.frames_classified += len(frames)
        return exp / exp.sum(axis=1, keepdims=True)

    def predict(self, frames: list[np.ndarray]) -> list[Prediction]:
        return [Prediction(p, self.classes) for p in self.probabilities(frames)]


def _checked_metadata(path: Path, meta: dict[str, str]) -> tuple[list, int, np.ndarray, np.ndarray]:
    """(class names, input size, mean, std) from the model's metadata, or a ModelError."""
    try:
        names = json.loads(meta["class_names"])
        size = int(meta["input_size"])
        mean = np.array(json.loads(meta["mean"]), np.float64).reshape(1, 3, 1, 1)
        std = np.array(json.loads(meta["std"]), np.float64).reshape(1, 3, 1, 1)
    except (ValueError, TypeError) as exc:
        raise ModelError(f"{path}: malformed model metadata ({exc})") from exc
    if not isinstance(names, list) or not names or len(set(map(str, names))) != len(names):
        raise ModelError(f"{path}: malformed model metadata (class_names must be a list of "
                         "distinct names)")
    if not 8 <= size <= 2048:
        raise ModelError(f"{path}: malformed model metadata (input_size {size} is not 8-2048)")
    if not (np.isfinite(mean).all() and np.isfinite(std).all() and (std > 0).all()):
        raise ModelError(f"{path}: malformed model metadata (mean and std must be finite and "
                         "std above 0)")
    return names, size, mean.astype(np.float32), std.astype(np.float32)
