"""Reading burnt-in counters with the shipped OCR on a handful of small rendered frames."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from ml.cli import main as ml_main
from ml.ocr.counter import read_counter
from ml.ocr.engines import make_engine
from ml.ocr.video_counter import read_counter_track
from ml.synth.osd import CounterStyle, burn_osd, burn_text, pipe_picture
from ml.synth.video import DriveSpec, write_drive


@pytest.fixture(scope="module")
def engine():
    return make_engine("rapidocr")


def _frame(style: CounterStyle, metres: float, size: tuple[int, int], seed: int) -> np.ndarray:
    image = pipe_picture(np.random.default_rng(seed), *size)
    burn_osd(image, style, metres)
    return image


LABELLED_M = CounterStyle("LZ1: {s}{v:07.2f} m", "m", corner="tl", start=-0.5,
                          extras=("13.07.2024", "DN300"))
FEET_YELLOW = CounterStyle("{v:06.1f}'", "ft", font=cv2.FONT_HERSHEY_DUPLEX,
                           colour=(0, 255, 255), corner="br", scale=1.3,
                           extras=("07/13/10", "MH 3-182H > MH 3-183"))


@pytest.mark.parametrize("style, metres, size", [
    (LABELLED_M, 4.95, (320, 240)),  # a negative start: reads +0004.45
    (LABELLED_M, 0.2, (320, 240)),  # reads -0000.30
    (FEET_YELLOW, 20.0, (480, 360)),
])
def test_counter_is_read_among_dates_and_pipe_sizes(engine, style, metres, size):
    reading = read_counter(_frame(style, metres, size, seed=3), engine)
    tolerance = 0.1 if style.unit == "m" else 0.3
    assert reading.unit == style.unit
    assert reading.distance == pytest.approx(style.value(metres), abs=tolerance)
    assert 0 < reading.confidence <= 1


def test_frame_without_counter_gives_no_distance(engine):
    image = pipe_picture(np.random.default_rng(4), 320, 240)
    for text, corner in (("07/13/10", "tl"), ("300mm PVC", "tr"), ("10:42:07", "bl")):
        burn_text(image, text, LABELLED_M, corner)
    reading = read_counter(image, engine)
    assert reading.distance is None and reading.unit is None


def test_counter_command_reads_a_picture_and_names_a_bad_file(tmp_path, capsys):
    picture = tmp_path / "frame.png"
    cv2.imwrite(str(picture), _frame(FEET_YELLOW, 20.0, (480, 360), seed=5))
    assert ml_main(["counter", str(picture), "--json"]) == 0
    [result] = json.loads(capsys.readouterr().out)
    assert result["file"] == str(picture) and result["unit"] == "ft"
    assert result["distance"] == pytest.approx(FEET_YELLOW.value(20.0), abs=0.3)
    assert set(result) == {"file", "distance", "unit", "text", "confidence"}
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a picture")
    assert ml_main(["counter", str(broken)]) == 2
    assert f"{broken}: not a picture" in capsys.readouterr().err


def test_drive_track_follows_the_sidecar(tmp_path, engine):
    video = tmp_path / "drive.mp4"
    style = CounterStyle("{v:.2f} m", "m", font=cv2.FONT_HERSHEY_TRIPLEX, colour=(0, 255, 0),
                         corner="tr", extras=("2024-05-17", "Main St 14"))
    spec = DriveSpec(length_m=4.0, speed_mps=0.4, fps=5, width=320, height=240, defects=1,
                     pause_s=1.0)
    sidecar = write_drive(video, 11, spec, osd=style)
    track = read_counter_track(Path(video), engine, every_s=2.0)
    assert track.unit == "m" and track.readable and track.region is not None
    assert track.region[1] < 120  # found at the top, where the counter is
    truth = np.array(sidecar["track"])
    errors = [abs(d - np.interp(t, truth[:, 0], truth[:, 1])) for t, d in track.points]
    assert len(track.points) >= 3 and float(np.median(errors)) <= 0.1
    assert all(b >= a for (_t, a), (_u, b) in zip(track.points, track.points[1:], strict=False))
