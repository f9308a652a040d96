"""Pre-scan of a job: every inspection's video scanned in the background, candidates stored in
the project as each video is done, cancel keeps what is done and a new run resumes."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from sewer_gui.app_settings import AppSettings
from sewer_gui.job import next_segment
from sewer_gui.pacp.examples import sample_inspection
from sewer_gui.storage.project_store import ProjectStore
from sewer_gui.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, code_table, tiny_onnx):
    w = MainWindow(AppSettings(model_path=str(tiny_onnx), threshold=0.01, live_suggestions=False),
                   code_table)
    w.confirm_discard = lambda: True
    qtbot.addWidget(w)
    w.show()
    yield w
    w.shutdown()


def _job_project(code_table, folder, short_video, segments: int):
    """A saved project whose inspections each have their own copy of the drive."""
    store = ProjectStore.create(folder / "job.sewerproj")
    inspection = sample_inspection()
    for k in range(segments):
        video = folder / f"segment{k}.mp4"
        shutil.copy(short_video, video)
        # With its sidecar: these tests are about candidates; counter reading by the pre-scan
        # is tested in test_job_scan_counter.py.
        shutil.copy(short_video.with_suffix(".json"), video.with_suffix(".json"))
        inspection.video_path = store.relative_video_path(video)
        store.save_inspection(inspection)
        inspection = next_segment(inspection)
    store.close()
    return folder / "job.sewerproj"


def _stored(path) -> list:
    store = ProjectStore.open(path, read_only=True)
    try:
        return [store.candidates(i.id) for i in store.inspections()]
    finally:
        store.close()


def test_prescan_stores_candidates_that_reopening_shows(qtbot, window, code_table, tmp_path,
                                                         short_video):
    w = window
    project = _job_project(code_table, tmp_path, short_video, 3)
    assert w.open_project(project)
    panel = w.inspections.panel
    with qtbot.waitSignal(w.inspections.prescan.finished, timeout=120000) as done:
        qtbot.mouseClick(panel.scan_all_button, Qt.MouseButton.LeftButton)
        assert panel.scan_progress.isVisible() and not panel.scan_all_button.isEnabled()
    assert done.args == [3] and not panel.scan_progress.isVisible()
    stored = _stored(project)
    assert all(s is not None and s[0] == "tiny-test" for s in stored)
    assert len(w.session.candidates) == len(stored[0][1])  # the one on screen shows them
    assert w.open_project(project)  # reopening shows the first inspection's candidates
    assert len(w.session.candidates) == len(stored[0][1]) > 0
    qtbot.mouseClick(panel.scan_all_button, Qt.MouseButton.LeftButton)  # nothing left to do
    assert not w.inspections.prescan.running
    assert "Every video of the job is scanned" in w.statusBar().currentMessage()


def test_cancelled_prescan_resumes_with_the_videos_left(qtbot, window, code_table, tmp_path,
                                                        short_video):
    w = window
    project = _job_project(code_table, tmp_path, short_video, 3)
    assert w.open_project(project)
    prescan = w.inspections.prescan
    with qtbot.waitSignal(prescan.finished, timeout=120000) as first:
        prescan.start()
        qtbot.waitUntil(lambda: prescan.scanned >= 1, timeout=60000)
        qtbot.mouseClick(w.inspections.panel.cancel_scan_button, Qt.MouseButton.LeftButton)
    assert 1 <= first.args[0] < 3
    assert sum(s is not None for s in _stored(project)) == first.args[0]
    with qtbot.waitSignal(prescan.finished, timeout=120000) as second:
        prescan.start()
    assert first.args[0] + second.args[0] == 3
    assert all(s is not None for s in _stored(project))
