"""Live suggestions: a worker thread classifies the newest frame, smooths, and proposes a code.

Only one frame waits at a time (the newest replaces an older one), so inference can never fall
behind playback or queue without bound.
"""

from __future__ import annotations

import collections
import threading

import numpy as np
from PySide6.QtCore import QThread, Signal

from ml.classes import SUGGESTED_CODE, CrackClass
from ml.runtime.classifier import CrackClassifier
from sewer_gui.session import Suggestion


class InferenceWorker(QThread):
    predicted = Signal(int, object)  # frame index, smoothed probabilities (ndarray)
    suggested = Signal(object)  # Suggestion, or None when the crack is gone
    failed = Signal(str)

    def __init__(self, classifier: CrackClassifier, fps: float, threshold: float,
                 window: int) -> None:
        super().__init__()
        self.classifier = classifier
        self.fps = fps
        self.threshold = threshold
        self._history: collections.deque[np.ndarray] = collections.deque(maxlen=max(window, 1))
        self._mailbox: tuple[int, np.ndarray] | None = None
        self._cond = threading.Condition()
        self._stop = False
        self._last_index = -1
        self._showing: CrackClass | None = None
        self.frames_done = 0

    def submit(self, index: int, frame: np.ndarray) -> None:
        with self._cond:
            self._mailbox = (index, frame)  # replaces a frame not yet taken: it is stale
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        self.wait(5000)

    def run(self) -> None:
        while True:
            with self._cond:
                while self._mailbox is None and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                index, frame = self._mailbox
                self._mailbox = None
            try:
                probs = self.classifier.probabilities([frame])[0]
            except Exception as exc:  # noqa: BLE001 - report, keep the app alive
                self.failed.emit(f"{self.classifier.path}: inference failed ({exc})")
                return
            self.frames_done += 1
            if abs(index - self._last_index) > self.fps * 2:
                self._history.clear()  # a seek: old frames say nothing about this place
            self._last_index = index
            self._history.append(probs)
            smooth = np.mean(self._history, axis=0)
            self.predicted.emit(index, smooth)
            self._maybe_suggest(index, smooth)

    def _maybe_suggest(self, index: int, smooth: np.ndarray) -> None:
        classes = self.classifier.classes
        crack = [i for i, c in enumerate(classes) if c is not CrackClass.ND]
        best = max(crack, key=lambda i: smooth[i])
        if smooth[best] >= self.threshold and len(self._history) >= min(2, self._history.maxlen):
            label = classes[best]
            order = np.argsort(-smooth)
            alternatives = tuple((classes[i].value, float(smooth[i])) for i in order
                                 if i != best)[:3]
            self._showing = label
            self.suggested.emit(Suggestion(label, SUGGESTED_CODE[label], float(smooth[best]),
                                           alternatives, self.classifier.model_id, index,
                                           index / self.fps))
        elif self._showing is not None and smooth[best] < self.threshold * 0.8:
            self._showing = None  # hysteresis: the banner does not flicker at the threshold
            self.suggested.emit(None)
