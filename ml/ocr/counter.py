"""The counter in one picture: every text box the OCR finds, parsed, and the likeliest kept."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ml.ocr.engines import OcrEngine, TextBox
from ml.ocr.parse import CounterValue, parse_counter

Box = tuple[int, int, int, int]
# A number without unit or label may be a counter, but less surely.
BARE_NUMBER_WEIGHT = 0.6


@dataclass(frozen=True)
class CounterReading:
    distance: float | None  # in `unit`; None when no counter is found
    unit: str | None
    text: str
    confidence: float
    box: Box | None = None

    def to_json(self) -> dict:
        return {"distance": self.distance, "unit": self.unit, "text": self.text,
                "confidence": round(self.confidence, 3)}


NO_COUNTER = CounterReading(None, None, "", 0.0)


@dataclass(frozen=True)
class Candidate:
    value: CounterValue
    box: Box
    score: float

    @property
    def weight(self) -> float:
        sure = self.value.labelled or self.value.unit is not None
        return self.score * (1.0 if sure else BARE_NUMBER_WEIGHT)


def candidates(boxes: list[TextBox], offset: tuple[int, int] = (0, 0)) -> list[Candidate]:
    dx, dy = offset
    return [Candidate(value, (b.box[0] + dx, b.box[1] + dy, b.box[2] + dx, b.box[3] + dy),
                      b.score)
            for b in boxes for value in parse_counter(b.text)]


def best_reading(found: list[Candidate], default_unit: str | None = None) -> CounterReading:
    if not found:
        return NO_COUNTER
    best = max(found, key=lambda c: (c.value.labelled or c.value.unit is not None, c.weight))
    return CounterReading(best.value.distance, best.value.unit or default_unit, best.value.text,
                          best.weight, best.box)


def read_counter(image: np.ndarray, engine: OcrEngine, default_unit: str | None = None,
                 region: Box | None = None) -> CounterReading:
    """The counter in `image` (or only inside `region`, a box found once per video)."""
    if region is None:
        return best_reading(candidates(engine.read(image)), default_unit)
    x0, y0, x1, y1 = region
    crop = image[y0:y1, x0:x1]
    if crop.size == 0:
        return NO_COUNTER
    # One line of text: enlarged to at least 64 px so that the detector keeps every digit.
    boxes = engine.read(crop, min_height=max(64, 2 * crop.shape[0]))
    return best_reading(candidates(boxes, (x0, y0)), default_unit)
