"""`sewer-ml counter`: the counter of each picture, or the distance track of each video."""

from __future__ import annotations

from pathlib import Path

import cv2

from ml.ocr.counter import read_counter
from ml.ocr.engines import OcrEngine
from ml.ocr.video_counter import read_counter_track
from ml.runtime.video import VIDEO_SUFFIXES


class CounterFileError(ValueError):
    """A file that is neither a readable picture nor a video; the message names it."""


def read_picture_counter(path: Path, engine: OcrEngine, default_unit: str | None) -> dict:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR) if path.is_file() else None
    if image is None:
        why = "no such file" if not path.exists() else "not a picture OpenCV can read"
        raise CounterFileError(f"{path}: {why}")
    return {"file": str(path), **read_counter(image, engine, default_unit).to_json()}


def read_counter_files(paths: list[Path], engine: OcrEngine, every_s: float = 2.0,
                       default_unit: str | None = None) -> list[dict]:
    results = []
    for path in paths:
        if path.suffix.lower() in VIDEO_SUFFIXES:
            results.append(read_counter_track(path, engine, every_s, default_unit).to_json())
        else:
            results.append(read_picture_counter(path, engine, default_unit))
    return results
