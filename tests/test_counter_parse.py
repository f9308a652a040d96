"""Counter text parsing, outlier rejection and the monotone fit: no OCR involved."""

from __future__ import annotations

import numpy as np
import pytest

from ml.ocr.counter import Candidate
from ml.ocr.parse import CounterValue, best_counter, parse_counter
from ml.ocr.video_counter import find_region, monotone_fit, reject_outliers


@pytest.mark.parametrize("text, distance, unit", [
    ("LZ1: +0004.70 m", 4.70, "m"),
    ("LZ1:-0000.45 m", -0.45, "m"),
    ("32.0m", 32.0, "m"),
    ("10.28 m", 10.28, "m"),
    ("D: 3.20M", 3.20, "m"),
    ("0066.4'", 66.4, "ft"),
    ("  12.3 ft  MH-17 > MH-18", 12.3, "ft"),
    ("149.11FT", 149.11, "ft"),
    ("0O66.4'", 66.4, "ft"),  # O read for 0
    ("19.85mm", 19.85, "m"),  # PP-OCR repeats a line's last letter
    ("335.2ftt", 335.2, "ft"),
    ("27.5ft:", 27.5, "ft"),
    ("D: 79.24M1", 79.24, "m"),  # a stray character after the unit at the end of the line
    ("0066.4", 66.4, None),
    ("LZ1:+0115.27/mm", 115.27, "m"),  # a stray mark between the number and its unit
    ("LZ1:+0100.33-m", 100.33, "m"),
    ("0100.33.mm", 100.33, "m"),
    ("2:1.0m", 21.0, "m"),  # a thin gap inside the number read as a colon
    ("08:1.42M", 81.42, "m"),
])
def test_counter_formats_parse_to_distance_and_unit(text, distance, unit):
    value = best_counter(text)
    assert value is not None and value.distance == pytest.approx(distance) and value.unit == unit


@pytest.mark.parametrize("text", [
    "07/13/10", "2024-05-17", "13.07.2024", "10:42:07", "10:42:07.5", "300mm PVC", "DN300",
    "P: O.00PSI", "Z: 1X", "1.5X", "12.5%", "MH 3-182H > MH 3-183", "D:__:__M", "ID:W12", "",
    "10:42:07.5m", "13.07.2024 m", "7/13.5", "300/mm",
])
def test_competing_numbers_are_not_distances(text):
    assert parse_counter(text) == []


def test_labelled_number_wins_over_bare_number():
    value = best_counter("0012.40  LZ1: +0004.70 m")
    assert value is not None and value.distance == pytest.approx(4.70) and value.labelled
    assert value.metres() == pytest.approx(4.70)
    assert CounterValue(10.0, "ft", "10.0 ft").metres() == pytest.approx(3.048)


def test_outliers_far_from_their_neighbours_are_rejected():
    times = np.arange(10.0)
    values = times * 0.25
    values[4] = 40.0  # "+" read as "4"
    keep = reject_outliers(times, values, tolerance=0.5)
    assert keep.tolist() == [k != 4 for k in range(10)]


def test_monotone_fit_pools_violators_and_follows_a_falling_counter():
    fitted = monotone_fit(np.array([0.0, 1.0, 0.8, 2.0, 3.0]))
    assert np.all(np.diff(fitted) >= 0)
    assert fitted[1] == pytest.approx(0.9) and fitted[2] == pytest.approx(0.9)
    falling = monotone_fit(np.array([5.0, 4.0, 4.2, 3.0]))
    assert np.all(np.diff(falling) <= 0)


def _cand(value: float, box: tuple[int, int, int, int], unit: str | None = "m") -> Candidate:
    return Candidate(CounterValue(value, unit, f"{value}"), box, 0.9)


def test_region_is_the_place_whose_number_changes():
    constant = (200, 10, 300, 30)  # a number that stays: e.g. a pipe length in the title
    moving = (10, 200, 80, 220)
    probes = [[_cand(12.5, constant), _cand(d, (moving[0] + k, 200, 80 + k, 220))]
              for k, d in enumerate([0.5, 2.0, 4.1])]
    region = find_region(probes, 320, 240)
    assert region is not None
    x0, y0, x1, y1 = region
    assert x0 <= moving[0] and x1 >= moving[2] + 2 and y0 <= 200 and y1 >= 220 and y1 < 240
    assert not (x0 <= constant[0] and x1 >= constant[2])
    assert find_region([[], []], 320, 240) is None


def test_anchors_override_the_counter_only_where_they_disagree():
    from ml.ocr.merge import corrected_track
    from ml.runtime.track import DistanceTrack

    counter = DistanceTrack([(0.0, 0.0), (10.0, 5.0), (20.0, 10.0)])
    agreeing = corrected_track(counter, [(10.0, 5.1)], tolerance=0.3)
    assert agreeing.distance_at(10.0) == pytest.approx(5.0)
    fixed = corrected_track(counter, [(10.0, 6.0), (20.0, 10.0)], tolerance=0.3)
    assert fixed.distance_at(10.0) == pytest.approx(6.0)
    assert fixed.distance_at(20.0) == pytest.approx(10.0)
    assert fixed.distance_at(15.0) == pytest.approx(7.5 + 0.5)  # the correction fades out
    assert fixed.distance_at(0.0) == pytest.approx(1.0)  # held before the first anchor
    assert corrected_track(counter, [], 0.3) is counter


def test_readings_of_a_moving_counter_are_kept_at_the_ends():
    times = np.array([0.0, 2.0, 4.0, 6.0])
    values = np.array([0.0, 0.8, 1.6, 2.4])  # 0.4 m/s: the first is not an outlier
    assert reject_outliers(times, values, tolerance=0.5).all()


def test_tesseract_words_join_into_lines_and_a_missing_engine_is_named(monkeypatch, capsys):
    from ml.cli import main as ml_main
    from ml.ocr import engines

    tsv = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight"
           "\tconf\ttext\n"
           "5\t1\t1\t1\t1\t1\t20\t10\t40\t12\t90\t0066.4'\n"
           "5\t1\t1\t1\t1\t2\t70\t10\t30\t12\t70\tft\n"
           "5\t1\t2\t1\t1\t1\t200\t300\t60\t12\t-1\t07/13/10\n")
    lines = engines._tsv_lines(tsv, factor=2.0)
    assert [b.text for b in lines] == ["0066.4' ft", "07/13/10"]
    assert lines[0].box == (10, 5, 50, 11) and lines[0].score == pytest.approx(0.8)
    assert lines[1].score == 0.0
    with pytest.raises(ValueError, match="unknown OCR engine"):
        engines.make_engine("easyocr")
    monkeypatch.setattr(engines.shutil, "which", lambda _name: None)
    assert ml_main(["counter", "x.png", "--engine", "tesseract"]) == 2
    assert "Tesseract is not installed" in capsys.readouterr().err
