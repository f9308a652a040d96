"""Live suggestions: a worker thread classifies the newest frame, smooths, and proposes a code.

Only one frame waits at a time (the newest replaces an older one), so inference can never fall
behind playback or queue without bound.
"""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QThread, Signal

from ml.classes import SUGGESTED_CODE, CrackClass
from ml.runtime.classifier import CrackClassifier
from ml.runtime.decision import Decision, DecisionPolicy, FrameQuality, LiveDecider
from sewer_gui.session import Suggestion

VERDICT_STEP = 0.03  # crack probability change (3 points) that updates the card's figure

class InferenceWorker(QThread):
    predicted = Signal(int, object)  # frame index, the frame's raw probabilities (ndarray)
    suggested = Signal(object)  # Suggestion, or None when the crack is gone
    failed = Signal(str)
    decided = Signal(object)  # the Decision on this frame, when its verdict or figure moves

    def __init__(self, classifier: CrackClassifier, fps: float, threshold: float,
                 window: int) -> None:
        super().__init__()
        self.classifier = classifier
        self.fps = fps
        policy = DecisionPolicy.from_metadata(getattr(classifier, "metadata", {}))
        # 0 (the default setting) keeps the model's own calibrated threshold.
        # Agreement and hold in seconds of video: alike at 25 or 60 fps and at 2x playback.
        self.decider = LiveDecider(classifier.classes, policy.with_threshold(threshold or None),
                                   window=window, confirm_s=0.25, hold_s=0.8, fps=fps)
        self._mailbox: tuple[int, np.ndarray, bool] | None = None
        self._cond = threading.Condition()
        self._stop = False
        self._last_index = -1
        self._showing: CrackClass | None = None
        self.frames_done = 0
        self.last_decision: Decision | None = None
        self._told: Decision | None = None  # the last decision the card was sent
        self._held_decision: Decision | None = None

    @property
    def threshold(self) -> float:
        return self.decider.policy.crack_threshold

    @threshold.setter
    def threshold(self, value: float) -> None:
        model = DecisionPolicy.from_metadata(getattr(self.classifier, "metadata", {}))
        self.decider.policy = model.with_threshold(value or None)

    def submit(self, index: int, frame: np.ndarray, still: bool = False) -> None:
        """`still`: the frame stays on screen (paused, stepped): no next frame will come to
        agree, so it is decided on its own, as after a seek."""
        with self._cond:
            # Replaces a frame not yet taken: it is stale.
            self._mailbox = (index, frame, still)
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
                index, frame, still = self._mailbox
                self._mailbox = None
            try:
                probs = self.classifier.probabilities([frame])[0]
            except Exception as exc:  # noqa: BLE001 - report, keep the app alive
                self.failed.emit(f"{self.classifier.path}: inference failed ({exc})")
                return
            self.frames_done += 1
            jumped = abs(index - self._last_index) > self.fps * 2
            if jumped:
                self.decider.reset()  # a seek: old frames say nothing about this place
            self._last_index = index
            now, shown = self.decider.update(probs, FrameQuality.of(frame),
                                             at_once=jumped or still,
                                             time_s=index / self.fps)
            if self._worth_telling(now):
                self._told = now
                self.decided.emit(now)
            self.last_decision = now
            self.predicted.emit(index, probs)
            self._maybe_suggest(index, shown)

    def _worth_telling(self, now: Decision) -> bool:
        """A new verdict, or its crack probability moved by VERDICT_STEP: the card's figure
        stays current (a trial saw '10 %' frozen for a whole video) without a signal per frame."""
        told = self._told
        return told is None or (now.outcome, now.label) != (told.outcome, told.label) or \
            abs(now.crack_probability - told.crack_probability) >= VERDICT_STEP

    def _maybe_suggest(self, index: int, shown: Decision | None) -> None:
        """Raise the held suggestion, or clear the banner once nothing is held."""
        if shown is not None:
            if shown is self._held_decision:
                return  # the same held suggestion: nothing new for the card
            self._held_decision = shown
            label = shown.label
            probs = self.decider.smoothed()
            classes = self.classifier.classes
            alternatives = tuple((classes[i].value, float(probs[i])) for i in np.argsort(-probs)
                                 if classes[i] is not label)[:3]
            self._showing = label
            self.suggested.emit(Suggestion(label, SUGGESTED_CODE[label], shown.confidence,
                                           alternatives, self.classifier.model_id, index,
                                           index / self.fps, shown.doubt))
        elif self._showing is not None:
            self._showing, self._held_decision = None, None
            self.suggested.emit(None)
