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


def test_a_cut_file_is_named_on_opening_and_playback_still_starts_at_the_first_frame(qtbot,
                                                                                      tmp_path):
    player, errors = _open(qtbot, _avi(tmp_path / "cut.avi", cut=1 / 3))
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    [message] = errors
    assert "cut.avi" in message and "truncated or damaged" in message and "of 20.0 s" in message
    assert player.index == 0
    player.step(1)
    qtbot.waitUntil(lambda: player.index == 1, timeout=5000)  # the probe put the reader back
    player.seek(190)  # past the break: no second message for the same file
    qtbot.wait(300)
    assert len(errors) == 1
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
