"""Shared fixtures. Qt runs offscreen and settings go to a temporary folder."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from sewer_gui.pacp.codes import default_code_table  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory, monkeypatch):
    """Point the app's settings and data folders at a temp dir so tests never touch the user's."""
    home = tmp_path_factory.mktemp("settings")
    monkeypatch.setenv("SEWER_CONFIG_DIR", str(home))


@pytest.fixture(autouse=True)
def _no_message_box_outlives_its_test():
    """A message box a test's window left open (e.g. "no such model file") would be the next
    test's modal widget: a question that test waits for then never gets its key."""
    yield
    import sys

    if "PySide6.QtWidgets" not in sys.modules:
        return
    from PySide6.QtWidgets import QApplication, QMessageBox

    if QApplication.instance() is None:
        return
    for box in QApplication.topLevelWidgets():
        if isinstance(box, QMessageBox) and box.isVisible():
            box.close()


@pytest.fixture(scope="session")
def code_table():
    return default_code_table()


@pytest.fixture(scope="session")
def tiny_jpeg() -> bytes:
    import cv2
    import numpy as np

    image = np.zeros((48, 64, 3), np.uint8)
    image[:, :, 1] = 120
    cv2.circle(image, (32, 24), 12, (200, 200, 200), 2)
    ok, data = cv2.imencode(".jpg", image)
    assert ok
    return data.tobytes()


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory):
    from tests.ml_fixtures import tiny_stills

    return tiny_stills(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def tiny_teacher(tiny_data, tmp_path_factory):
    from tests.ml_fixtures import tiny_fit

    return tiny_fit(tiny_data, tmp_path_factory.mktemp("teacher"), mode="teacher",
                    arch="resnet50")


@pytest.fixture(scope="session")
def tiny_onnx(tiny_data, tiny_teacher, tmp_path_factory):
    """A distilled CMI student exported to ONNX (untrained in any useful sense, but real)."""
    from ml.training.export import export_onnx
    from tests.ml_fixtures import tiny_fit

    work = tmp_path_factory.mktemp("student")
    summary = tiny_fit(tiny_data, work / "run", mode="distill", arch="cmi",
                       teacher=tiny_teacher["checkpoint"])
    path = work / "student.onnx"
    export_onnx(summary["checkpoint"], path, model_id="tiny-test")
    return path


@pytest.fixture(scope="session")
def short_video(tmp_path_factory):
    """A 4 m synthetic drive (about 40 s at 8 fps, 160x120) with its sidecar."""
    from ml.synth.video import DriveSpec, write_drive

    path = tmp_path_factory.mktemp("video") / "drive.mp4"
    write_drive(path, 5, DriveSpec(length_m=4.0, defects=2, width=160, height=120, fps=8,
                                   speed_mps=0.3, pause_s=1.0))
    return path


@pytest.fixture(scope="session")
def team_data(tmp_path_factory):
    from tests.ml_fixtures import team_frames

    return team_frames(tmp_path_factory.mktemp("team"))


@pytest.fixture(scope="session")
def tiny_student(tiny_data, tmp_path_factory):
    """A student checkpoint in the shipped format (what fine-tuning starts from)."""
    from tests.ml_fixtures import tiny_student_checkpoint

    return tiny_student_checkpoint(tiny_data, tmp_path_factory.mktemp("student_ckpt"))


@pytest.fixture
def coder(qtbot, code_table, short_video):
    """The window with a video open, live suggestions off (tests offer suggestions themselves)."""
    from sewer_gui.app_settings import AppSettings
    from sewer_gui.ui.main_window import MainWindow

    w = MainWindow(AppSettings(live_suggestions=False), code_table)
    w.confirm_discard = lambda: True
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitExposed(w)
    assert w.open_video(short_video)
    qtbot.waitUntil(lambda: w.player.frame is not None, timeout=5000)
    yield w
    w.shutdown()
