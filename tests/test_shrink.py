"""The one downscaling every model input goes through (training, live, scan, classify)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ml.runtime.shrink import shrink


def _scene(width: int, height: int) -> np.ndarray:
    """A textured frame with hard edges, where resampling differences show most."""
    rng = np.random.default_rng(3)
    frame = cv2.GaussianBlur(rng.integers(0, 256, (height, width, 3), dtype=np.uint8), (5, 5), 0)
    cv2.line(frame, (0, height // 3), (width, height // 2), (10, 10, 10), 3)
    cv2.circle(frame, (width // 2, height // 2), height // 4, (250, 250, 250), 2)
    return frame


@pytest.mark.parametrize("size", [(128, 128), (320, 240), (400, 300)])
def test_frames_under_four_times_the_target_are_resized_exactly_as_before(size):
    frame = _scene(*size)
    expected = cv2.resize(frame, (112, 112), interpolation=cv2.INTER_AREA)
    assert np.array_equal(shrink(frame, 112, 112), expected)


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080), (720, 576)])
def test_hd_frames_halved_first_stay_within_a_grey_level_of_one_area_step(size):
    frame = _scene(*size)
    direct = cv2.resize(frame, (112, 112), interpolation=cv2.INTER_AREA).astype(int)
    got = shrink(frame, 112, 112)
    assert got.shape == (112, 112, 3) and got.dtype == np.uint8
    assert np.abs(got.astype(int) - direct).mean() < 1.0


def test_non_square_targets_and_an_exact_size_pass_through():
    frame = _scene(1280, 720)
    assert shrink(frame, 128, 96).shape == (96, 128, 3)
    small = _scene(112, 112)
    assert shrink(small, 112, 112) is small
