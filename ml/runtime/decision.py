"""What the app says about a frame: a crack code, no crack, "not sure", or "cannot judge this".

One place for the rule, used by the live suggestions, the scan and `sewer-ml classify`, so the
command line says exactly what the app would. The rule:
1. Frames a model cannot judge (black, burnt out, title cards and blank screens) are "out of
   scope" whatever the network says: it was never meant to read them.
2. Probabilities are calibrated by temperature scaling (T fitted on validation, stored in the
   model's metadata), then P(crack) = 1 - P(no crack).
3. A crack is claimed only at P(crack) >= the model's threshold, which is chosen on validation
   look-alikes for a low false-alarm rate, because real footage is mostly crack-free: at a 10 %
   crack share even a 5 % false-alarm rate makes a third of all suggestions wrong (a recipe
   can also ask for a precision at a stated share, `ml.training.calibration.PrecisionTarget`).
4. Just under the threshold the answer is "not sure" and no code is raised; above it, when two
   subtypes share the mass, the leading code is raised with the reason naming both.
"""

from __future__ import annotations

import collections
import enum
import json
from dataclasses import dataclass

import cv2
import numpy as np

from ml.classes import SUGGESTED_CODE, CrackClass
from ml.runtime.shrink import shrink


class Outcome(enum.StrEnum):
    CRACK = "crack"
    NO_CRACK = "no_crack"
    NOT_SURE = "not_sure"
    OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class DecisionPolicy:
    temperature: float = 1.0
    crack_threshold: float = 0.5  # calibrated P(crack) that raises a suggestion
    # P(crack) >= threshold * this, below the threshold: "not sure". A wide band said "not
    # sure" on two thirds of real frames (0.6: 142 of 223); a card that always doubts is ignored.
    unsure_below: float = 0.85
    subtype_share: float = 0.45  # the top subtype's share of P(crack) needed to name it

    @classmethod
    def from_metadata(cls, metadata: dict[str, str]) -> DecisionPolicy:
        """The policy stored in a model's metadata ("decision" JSON); defaults for older models."""
        raw = metadata.get("decision")
        if not raw:
            return cls()
        try:
            values = json.loads(raw)
            policy = cls(**{k: float(v) for k, v in values.items()
                            if k in cls.__dataclass_fields__})
        except (ValueError, TypeError) as exc:
            raise ValueError(f"malformed decision metadata ({exc})") from exc
        if not (policy.temperature > 0 and 0 < policy.crack_threshold < 1):
            raise ValueError("decision metadata out of range (temperature > 0, 0 < threshold < 1)")
        return policy

    def with_threshold(self, threshold: float | None) -> DecisionPolicy:
        """This policy with another crack threshold; None or 0 keep the model's own."""
        if not threshold:
            return self
        if not 0 < threshold < 1:
            raise ValueError(f"a crack threshold is a probability between 0 and 1, not {threshold}")
        from dataclasses import replace

        return replace(self, crack_threshold=float(threshold))

    def to_json(self) -> str:
        return json.dumps({k: getattr(self, k) for k in self.__dataclass_fields__})


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    label: CrackClass | None  # the subtype claimed (CRACK) or leading (NOT_SURE)
    code: str | None  # the PACP code the app raises; only for CRACK
    confidence: float  # calibrated P(label) for a crack, P(no crack) otherwise
    crack_probability: float
    reason: str
    doubt: str = ""  # what a coder must know about a raised code (an unclear subtype)

    @property
    def suggestion(self) -> str | None:
        return self.code if self.outcome is Outcome.CRACK else None


def calibrate(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Temperature scaling on probabilities: softmax(log p / T), row-wise."""
    if temperature == 1.0:
        return probabilities
    logits = np.log(np.clip(probabilities, 1e-12, 1.0)) / temperature
    logits -= logits.max(axis=-1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class FrameQuality:
    mean: float  # luminance 0-255
    burnt: float  # share of pixels at or near white
    dark: float  # share of near-black pixels
    flat: float  # share of 8x8 blocks without texture (title cards, blank screens)
    few_colours: float  # share of the picture held by its three commonest colours

    @classmethod
    def of(cls, frame: np.ndarray) -> FrameQuality:
        small = shrink(frame, 128, 96)
        grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32)
        cells = grey.reshape(12, 8, 16, 8)
        # Dark voids and burnt-out walls are flat in any footage; count only mid-tone blocks.
        mid = (cells.mean(axis=(1, 3)) > 40) & (cells.mean(axis=(1, 3)) < 245)
        blocks = np.where(mid, cells.std(axis=(1, 3)), 99.0)
        coarse = (small // 24).astype(np.int32)
        keys = coarse[..., 0] * 121 + coarse[..., 1] * 11 + coarse[..., 2]
        counts = np.sort(np.bincount(keys.ravel()))[::-1]
        return cls(float(grey.mean()), float((grey >= 250).mean()), float((grey <= 8).mean()),
                   float((blocks < 3.0).mean()), float(counts[:3].sum() / keys.size))

    def problem(self) -> str | None:
        """Why this frame cannot be judged, or None."""
        if self.mean < 18 or self.dark > 0.85:
            return "frame too dark to judge"
        if self.burnt > 0.6:
            return "frame over-exposed"
        # Real pipe frames seen so far: flat <= 0.47 and three colours <= 0.76 of the picture.
        if self.flat > 0.55 or self.few_colours > 0.92:
            return "not a pipe view (title card or blank screen)"
        return None


def decide(probabilities: np.ndarray, classes: tuple[CrackClass, ...],
           policy: DecisionPolicy, quality: FrameQuality | None = None,
           calibrated: bool = False) -> Decision:
    """The app's verdict on one frame (or on probabilities already smoothed over frames)."""
    q = probabilities if calibrated else calibrate(np.asarray(probabilities, float),
                                                   policy.temperature)
    nd = classes.index(CrackClass.ND)
    p_crack = float(1.0 - q[nd])
    problem = quality.problem() if quality is not None else None
    if problem:
        return Decision(Outcome.OUT_OF_SCOPE, None, None, 0.0, p_crack, problem)
    crack_idx = [i for i, c in enumerate(classes) if i != nd]
    ranked = sorted(crack_idx, key=lambda i: -q[i])
    top, second = ranked[0], ranked[1]
    label = classes[top]
    if p_crack < policy.crack_threshold * policy.unsure_below:
        # Said as P(crack), as every other verdict is: "no crack (28 %)" read as 28 % sure.
        return Decision(Outcome.NO_CRACK, None, None, float(q[nd]), p_crack,
                        f"no crack (crack probability {100 * p_crack:.0f} %)")
    if p_crack < policy.crack_threshold:
        return Decision(Outcome.NOT_SURE, label, None, float(q[top]), p_crack,
                        f"possible crack ({100 * p_crack:.0f} %, below the "
                        f"{100 * policy.crack_threshold:.0f} % threshold)")
    if q[top] < policy.subtype_share * p_crack:  # a crack, but the code is a coin toss
        doubt = (f"subtype unclear: {classes[top].value} {100 * q[top]:.0f} % or "
                 f"{classes[second].value} {100 * q[second]:.0f} %")
        return Decision(Outcome.CRACK, label, SUGGESTED_CODE[label], float(q[top]), p_crack,
                        f"crack {100 * p_crack:.0f} %, {doubt}", doubt)
    return Decision(Outcome.CRACK, label, SUGGESTED_CODE[label], float(q[top]), p_crack,
                    f"{label.value} {100 * q[top]:.0f} % (crack {100 * p_crack:.0f} %)")


class LiveDecider:
    """Temporal consistency for live review, in seconds of video: smooth, require agreement,
    then hold.

    A code is raised once the same code has been seen on consecutive (smoothed) frames for
    `confirm_s` of video and on at least `confirm_frames` frames, whichever is longer, and it
    stays up until `hold_s` of video has passed without it. Video time rather than frame counts
    makes 25 and 60 fps footage, and 2x playback (where the worker skips frames), behave alike.
    """

    def __init__(self, classes: tuple[CrackClass, ...], policy: DecisionPolicy, window: int = 5,
                 confirm_s: float = 0.25, hold_s: float = 0.8, confirm_frames: int = 2,
                 fps: float = 25.0) -> None:
        self.classes, self.policy = classes, policy
        self._history: collections.deque[np.ndarray] = collections.deque(maxlen=max(window, 1))
        self.confirm_s, self.hold_s = float(confirm_s), float(hold_s)
        self.confirm_frames = max(int(confirm_frames), 1)
        self.fps = float(fps) if fps > 0 else 25.0  # only when a caller gives no time
        self._frames = 0
        self.reset()

    def reset(self) -> None:
        self._history.clear()
        self._streak: tuple[CrackClass | None, float, int] = (None, 0.0, 0)  # label, since, n
        self._shown: Decision | None = None
        self._raised_at = self._seen_at = 0.0
        self._last_t: float | None = None

    def smoothed(self) -> np.ndarray:
        """The calibrated probabilities averaged over the window (what decisions are taken on)."""
        return np.mean(self._history, axis=0) if self._history else np.zeros(len(self.classes))

    def update(self, probabilities: np.ndarray, quality: FrameQuality | None = None,
               at_once: bool = False, time_s: float | None = None
               ) -> tuple[Decision, Decision | None]:
        """(this moment's verdict, the suggestion to show or None).

        `time_s`: the frame's video time; without it frames are taken `1 / fps` apart.
        `at_once`: a frame on its own (a seek, a paused or stepped frame) is decided on itself
        alone, without waiting for other frames to agree, and what it shows is its own verdict:
        a crack raised at once, or nothing held over it from frames before.
        """
        self._frames += 1
        t = float(time_s) if time_s is not None else self._frames / self.fps
        if self._last_t is not None and t < self._last_t:
            self._rebase(t)  # stepped back: video time since then means nothing
        self._last_t = t
        row = calibrate(np.asarray(probabilities, float), self.policy.temperature)
        if quality is not None and quality.problem():
            # As in the scan: a frame that cannot be judged counts as no crack, and nothing
            # stays on screen over it.
            row = np.zeros(len(self.classes))
            row[self.classes.index(CrackClass.ND)] = 1.0
            self._shown = None
        if at_once:
            self._history.clear()  # its verdict is its own, not the smoothed playback's
        self._history.append(row)
        now = decide(np.mean(self._history, axis=0), self.classes, self.policy, quality,
                     calibrated=True)
        label, since, count = self._streak
        if now.outcome is not Outcome.CRACK:
            self._streak = (None, t, 0)
        elif now.label is label:
            self._streak = (label, since, count + 1)
        else:
            self._streak = (now.label, t, 1)
        label, since, count = self._streak
        # A hair under confirm_s counts: 0.25 s of 60 fps video is 15 frame steps in floats.
        agreed = count >= self.confirm_frames and t - since >= self.confirm_s - 1e-6
        if now.outcome is Outcome.CRACK and (agreed or at_once):
            shown = self._shown
            # A new code, or the same one after a hold: raised again with today's confidence.
            if shown is None or shown.label is not now.label or t - self._raised_at >= self.hold_s:
                self._shown, self._raised_at = now, t
            self._seen_at = t
        if self._shown is not None and (t - self._seen_at >= self.hold_s - 1e-6 or
                                        at_once and now.outcome is not Outcome.CRACK):
            self._shown = None
        return now, self._shown

    def _rebase(self, t: float) -> None:
        label, _since, count = self._streak
        self._streak = (label, t, count)
        self._raised_at = self._seen_at = t
