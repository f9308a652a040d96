"""OCR engines behind one small interface, in a registry: RapidOCR (PP-OCR models on ONNX
Runtime, shipped inside its wheel) and Tesseract (the system program), for comparison.
"""

from __future__ import annotations

import csv
import io
import logging
import shutil
import subprocess
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

# Counters on 320x240 footage are 10 px high; both engines read them better twice as large.
MIN_HEIGHT = 480


class OcrUnavailable(RuntimeError):
    """The OCR engine is not installed on this machine; the message says what to install."""


@dataclass(frozen=True)
class TextBox:
    text: str
    score: float  # engine confidence, 0-1
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in the image's pixels


class OcrEngine(Protocol):
    name: str

    def read(self, image: np.ndarray, min_height: int | None = None) -> list[TextBox]: ...


def _upscaled(image: np.ndarray, min_height: int) -> tuple[np.ndarray, float]:
    factor = max(1.0, min_height / image.shape[0])
    if factor == 1.0:
        return image, 1.0
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC), factor


def _box(points: np.ndarray, factor: float) -> tuple[int, int, int, int]:
    xs, ys = points[:, 0] / factor, points[:, 1] / factor
    return int(xs.min()), int(ys.min()), int(np.ceil(xs.max())), int(np.ceil(ys.max()))


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self, threads: int = 2, min_height: int = MIN_HEIGHT) -> None:
        try:
            from rapidocr import RapidOCR
        except ImportError as exc:
            raise OcrUnavailable("RapidOCR is not installed (pip install rapidocr)") from exc
        self.min_height = min_height
        self._ocr = RapidOCR(params={
            "Global.log_level": "error", "Global.use_cls": False,
            # By default it enlarges every picture to 736 px on its short side: 2x slower.
            "Det.limit_type": "max", "Det.limit_side_len": 960,
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1})
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)

    def read(self, image: np.ndarray, min_height: int | None = None) -> list[TextBox]:
        big, factor = _upscaled(image, min_height or self.min_height)
        result = self._ocr(big)
        if result.txts is None or result.boxes is None:
            return []
        return [TextBox(str(text), float(score), _box(np.asarray(points), factor))
                for text, score, points in zip(result.txts, result.scores, result.boxes,
                                               strict=True)]


class TesseractEngine:
    name = "tesseract"

    def __init__(self, min_height: int = MIN_HEIGHT) -> None:
        self.binary = shutil.which("tesseract")
        if self.binary is None:
            raise OcrUnavailable("Tesseract is not installed (apt-get install tesseract-ocr)")
        self.min_height = min_height

    def read(self, image: np.ndarray, min_height: int | None = None) -> list[TextBox]:
        big, factor = _upscaled(image, min_height or self.min_height)
        ok, png = cv2.imencode(".png", big)
        done = subprocess.run([self.binary, "stdin", "stdout", "--psm", "11", "tsv"],
                              input=png.tobytes(), capture_output=True, timeout=60, check=False)
        return _tsv_lines(done.stdout.decode("utf-8", "replace"), factor) if ok else []


def _tsv_lines(tsv: str, factor: float) -> list[TextBox]:
    """Tesseract's words joined into lines, each with its mean confidence and bounding box."""
    lines: dict[tuple[str, str, str], list[dict]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") == "5" and (row.get("text") or "").strip():
            lines.setdefault((row["block_num"], row["par_num"], row["line_num"]), []).append(row)
    boxes = []
    for words in lines.values():
        pts = np.array([[int(w["left"]), int(w["top"])] for w in words]
                       + [[int(w["left"]) + int(w["width"]), int(w["top"]) + int(w["height"])]
                          for w in words], dtype=float)
        score = float(np.mean([max(0.0, float(w["conf"])) for w in words])) / 100
        boxes.append(TextBox(" ".join(w["text"] for w in words), score, _box(pts, factor)))
    return boxes


ENGINES: dict[str, type] = {"rapidocr": RapidOcrEngine, "tesseract": TesseractEngine}
DEFAULT_ENGINE = "rapidocr"


def make_engine(name: str = DEFAULT_ENGINE) -> OcrEngine:
    if name not in ENGINES:
        raise ValueError(f"unknown OCR engine {name!r}; choose one of {', '.join(ENGINES)}")
    return ENGINES[name]()
