"""Stored rows back into model objects, checked: a damaged file gives a message, not a traceback.

A project file may have been edited by another program or have flipped bytes. Every value is
checked for the type and range the rest of the application relies on (finite distances, clock
positions 1-12, known units, origins and review states, a header that is a JSON object of text).
"""

from __future__ import annotations

import json
import math
from dataclasses import fields

from sewer_gui.pacp.model import InspectionHeader, Observation, Origin, ReviewState, Units

OBSERVATION_COLUMNS = ("distance", "video_time", "code", "continuous", "value_1", "value_2",
                       "percent", "joint", "clock_from", "clock_to", "remarks", "origin",
                       "confidence", "model_id", "review", "ai_code")
_OPTIONAL_NUMBERS = ("video_time", "value_1", "value_2", "percent", "confidence")
_TEXTS = ("code", "continuous", "remarks", "model_id", "ai_code")


class DamagedRowError(ValueError):
    """A stored value the application cannot use; the caller adds the file and the row."""


def _number(name: str, value: object, optional: bool) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise DamagedRowError(f"{name} {value!r} is not a finite number")
    return float(value)


def _clock(name: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
        raise DamagedRowError(f"{name} {value!r} is not a clock position 1-12")
    return value


def _choice(enum_type: type, name: str, value: object):
    try:
        return enum_type(value)
    except ValueError:
        raise DamagedRowError(f"{name} {value!r} is not one of "
                              f"{', '.join(str(m) for m in enum_type)}") from None


def observation(row_id: int, values: tuple, snapshot: object) -> Observation:
    data = dict(zip(OBSERVATION_COLUMNS, values, strict=True))
    checked: dict[str, object] = {"distance": _number("distance", data["distance"], False)}
    checked.update({n: _number(n, data[n], True) for n in _OPTIONAL_NUMBERS})
    for name in _TEXTS:
        if not isinstance(data[name], str):
            raise DamagedRowError(f"{name} {data[name]!r} is not text")
        checked[name] = data[name]
    checked.update(clock_from=_clock("clock_from", data["clock_from"]),
                   clock_to=_clock("clock_to", data["clock_to"]),
                   joint=bool(data["joint"]),
                   origin=_choice(Origin, "origin", data["origin"]),
                   review=_choice(ReviewState, "review", data["review"]))
    if snapshot is not None and not isinstance(snapshot, bytes):
        raise DamagedRowError("the snapshot is not an image")
    return Observation(id=row_id, snapshot_jpeg=snapshot, **checked)


def stored_json(text: object, what: str, error: type[ValueError] = DamagedRowError) -> object:
    """A JSON column's value; text that is not JSON raises `error` naming `what`."""
    try:
        return json.loads(text) if isinstance(text, str | bytes) else None
    except ValueError as exc:
        raise error(f"{what} is not valid JSON ({exc})") from None


def header(text: object) -> InspectionHeader:
    data = stored_json(text, "the header")
    if not isinstance(data, dict):
        raise DamagedRowError("the header is not a JSON object")
    known = {f.name for f in fields(InspectionHeader)}
    return InspectionHeader(**{k: v if isinstance(v, str) else ("" if v is None else str(v))
                               for k, v in data.items() if k in known})


def units(value: object) -> Units:
    return _choice(Units, "units", value)


def calibration(text: object) -> list[tuple[float, float]]:
    pairs = stored_json(text, "the calibration")
    if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
        raise DamagedRowError("the calibration is not a list of (time, distance) pairs")
    return [(_number("calibration time", t, False), _number("calibration distance", d, False))
            for t, d in pairs]
