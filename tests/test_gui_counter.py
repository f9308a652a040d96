"""A video without a sidecar gets its distances from the burnt-in counter, read in the
background; the coder's anchors override it where they disagree."""

from __future__ import annotations

import cv2
import pytest
from PySide6.QtCore import Qt

from ml.synth.osd import CounterStyle
from ml.synth.video import DriveSpec, write_drive
from sewer_gui.app_settings import AppSettings
from sewer_gui.ui.main_window import MainWindow

SPEC = DriveSpec(length_m=3.0, speed_mps=0.4, fps=5, width=320, height=240, defects=1,
                 pause_s=1.0)


def _bare_drive(folder, style: CounterStyle):
    video = folder / "bare.mp4"
    sidecar = write_drive(video, 21, SPEC, osd=style)
    video.with_suffix(".json").unlink()  # real footage comes without one
    return video, sidecar


@pytest.fixture(scope="module")
def metre_drive(tmp_path_factory):
    style = CounterStyle("{v:.2f} m", "m", font=cv2.FONT_HERSHEY_DUPLEX, corner="tl",
                         extras=("13.07.2024",))
    return _bare_drive(tmp_path_factory.mktemp("counter"), style)


@pytest.fixture
def window(qtbot, code_table):
    w = MainWindow(AppSettings(model_path="/no/model.onnx", units="m"), code_table)
    w.confirm_discard = lambda: True
    qtbot.addWidget(w)
    w.show()
    yield w
    w.shutdown()


def test_counter_gives_distances_and_anchors_override_it(qtbot, window, metre_drive):
    video, sidecar = metre_drive
    w = window
    w.new_project()
    with qtbot.waitSignal(w.counter.finished, timeout=90000) as finished:
        assert w.open_video(video)
        assert w.counter.running and w.counter.progress.isVisible()
    assert finished.args[0].readable
    qtbot.waitUntil(lambda: not w.counter.running, timeout=5000)
    assert w.session.distance_source == "ocr" and w.video_view._distance_text.endswith("OCR")
    t, truth = sidecar["track"][3]
    assert w.session.distance_at(t) == pytest.approx(truth, abs=0.1)
    w.player.seek_time(t)
    qtbot.waitUntil(lambda: abs(w.player.time_s() - t) < 0.3, timeout=3000)
    here = w.player.time_s()
    agreeing = w.session.distance_at(here)
    w.calibration.set_anchor(agreeing + 0.1)  # within the counter's tolerance: counter stands
    assert w.session.distance_at(here) == pytest.approx(agreeing)
    w.calibration.set_anchor(agreeing + 2.0)  # the coder knows better here
    assert w.session.distance_at(here) == pytest.approx(agreeing + 2.0)
    assert w.session.distance_source == "ocr"


def test_counter_reading_can_be_cancelled(qtbot, window, metre_drive):
    w = window
    w.new_project()
    assert w.open_video(metre_drive[0])
    assert w.counter.running
    qtbot.mouseClick(w.counter.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not w.counter.running, timeout=20000)
    assert not w.counter.progress.isVisible()
    qtbot.waitUntil(lambda: "calibrate" in w.video_view._distance_text, timeout=5000)
    assert w.session.distance_source == "none"


def test_video_without_counter_falls_back_to_anchors(qtbot, window, tmp_path):
    video, _sidecar = _bare_drive(tmp_path, CounterStyle("", "m", extras=("07/13/10",)))
    w = window
    w.new_project()
    with qtbot.waitSignal(w.counter.finished, timeout=90000) as finished:
        assert w.open_video(video)
    assert not finished.args[0].readable
    qtbot.waitUntil(lambda: not w.counter.running, timeout=5000)
    assert w.session.distance_source == "none"
    assert "No readable distance counter" in w.statusBar().currentMessage()
    w.calibration.set_anchor(4.0)
    assert w.session.distance_source == "calibration"
    # The counter's verdict again (a trial saw it after undoing a segment change): with anchors
    # it says where distances come from, not "press D".
    w.counter._show_track(video, finished.args[0], "read from the on-screen counter")
    assert "distances from your calibration anchors" in w.statusBar().currentMessage()


def test_a_read_track_is_stored_and_reopening_does_not_read_again(qtbot, window, metre_drive,
                                                                   tmp_path):
    video, sidecar = metre_drive
    w = window
    w.new_project()
    with qtbot.waitSignal(w.counter.finished, timeout=90000) as read:
        assert w.open_video(video)
    qtbot.waitUntil(lambda: not w.counter.running, timeout=5000)
    project = tmp_path / "job.sewerproj"
    assert w.save_project(project)  # the track read before the first save goes in with it
    t, _truth = sidecar["track"][3]
    expected = w.session.distance_at(t)
    with qtbot.waitSignal(w.counter.finished, timeout=5000) as reopened:
        assert w.open_project(project)
    assert not w.counter.running  # no OCR: the stored track
    assert reopened.args[0].points == read.args[0].points  # JSON keeps floats exactly
    assert reopened.args[0].region == read.args[0].region
    assert w.session.distance_source == "ocr" and w.session.distance_at(t) == expected
    assert "stored with the project" in w.statusBar().currentMessage()


def test_a_damaged_stored_track_is_said_and_read_again(qtbot, window, metre_drive, tmp_path):
    import sqlite3

    w = window
    w.new_project()
    with qtbot.waitSignal(w.counter.finished, timeout=90000):
        assert w.open_video(metre_drive[0])
    qtbot.waitUntil(lambda: not w.counter.running, timeout=5000)
    w.calibration.set_anchor(7.0)
    project = tmp_path / "job.sewerproj"
    assert w.save_project(project)
    w.new_project()
    conn = sqlite3.connect(project)
    with conn:
        conn.execute("UPDATE counter_track SET track_json='{\"points\": 3'")
    conn.close()
    with qtbot.waitSignal(w.counter.finished, timeout=90000) as again:
        assert w.open_project(project)
        assert w.counter.running
        assert "counter track of inspection" in w.statusBar().currentMessage()
    assert again.args[0].readable and w.session.distance_source == "ocr"
    assert w.session.calibration_anchors()  # the rest of the project is intact
    with qtbot.waitSignal(w.counter.finished, timeout=5000):  # stored again, readable
        assert w.open_project(project)
    assert not w.counter.running
