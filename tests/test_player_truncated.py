"""A truncated video says so when it is opened, not when playback silently stops (a trial)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ml.runtime.video import VideoReader
from sewer_gui.ui.player import VideoPlayer


def _avi(path, frames: int = 200, cut: float | None = None):
    """An MJPEG AVI at 10 fps; with `cut` the file keeps only that share of its bytes."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    rng = np.random.default_rng(0)
    for _ in range(frames):
        writer.write(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8))
    writer.release()
    if cut is not None:
        whole = path.read_bytes()
        path.write_bytes(whole[: int(len(whole) * cut)])
    return path


def _open(qtbot, path):
    player = VideoPlayer()
    errors: list[str] = []
    player.errorOccurred.connect(errors.append)
    with VideoReader(path) as reader:
        info = reader.info
    player.open(path, info)
    qtbot.waitUntil(lambda: player.frame is not None, timeout=5000)
    return player, errors


def _decodable(path) -> int:
    with VideoReader(path) as reader:
        count = 0
        while reader.read() is not None:
            count += 1
    return count


def test_a_cut_file_is_named_on_opening_with_where_decoding_stops(qtbot, tmp_path):
    path = _avi(tmp_path / "cut.avi", cut=1 / 3)
    player, errors = _open(qtbot, path)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    [message] = errors
    # Where it stops (6.2 s for this file), not where the probe looked (17.9 s).
    stops = _decodable(path) / 10
    assert 3 < stops < 10
    assert f"frames from {stops:.1f} s on (of 20.0 s)" in message
    assert "cut.avi" in message and "truncated or damaged" in message
    assert player.index == 0
    player.step(1)
    qtbot.waitUntil(lambda: player.index == 1, timeout=5000)  # the probe did not move playback
    player.close()


def test_a_seek_past_the_break_shows_the_last_frame_that_decodes(qtbot, tmp_path):
    """A fresh-eyes review: such a seek showed nothing and left the position on 190 for
    good, so every later step counted from a frame that never came."""
    path = _avi(tmp_path / "cut.avi", cut=1 / 3)
    last = _decodable(path) - 1
    player, errors = _open(qtbot, path)
    player.seek(190)
    qtbot.waitUntil(lambda: player.index == last and player.target is None, timeout=5000)
    assert player.position() == last
    player.step(-1)
    qtbot.waitUntil(lambda: player.index == last - 1, timeout=5000)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert len(errors) == 1  # the probe and the seek found the same break: said once
    player.close()


@pytest.mark.parametrize("cut", [0.97, None])
def test_a_file_short_by_less_than_the_margin_is_not_called_damaged(qtbot, tmp_path, cut):
    """Header frame counts are estimates: a few frames short of the end is not damage."""
    path = _avi(tmp_path / "nearly.avi", cut=cut)
    assert 190 <= _decodable(path) <= 200
    player, errors = _open(qtbot, path)
    player.seek(199)  # past the last frame of the short one: it shows its last frame
    qtbot.waitUntil(lambda: player.target is None and player.index >= 190, timeout=5000)
    player.play()
    qtbot.waitUntil(lambda: not player.is_playing, timeout=5000)
    qtbot.wait(300)
    assert errors == []
    player.close()


def test_a_whole_file_opens_without_a_warning(qtbot, tmp_path):
    player, errors = _open(qtbot, _avi(tmp_path / "whole.avi"))
    player.seek(195)
    qtbot.waitUntil(lambda: player.index == 195, timeout=5000)
    assert errors == []
    player.close()


@pytest.mark.parametrize("frames", [5])
def test_a_clip_shorter_than_the_probe_is_not_probed(qtbot, tmp_path, frames):
    player, errors = _open(qtbot, _avi(tmp_path / "clip.avi", frames=frames))
    qtbot.wait(200)
    assert errors == [] and player.index == 0
    player.close()
