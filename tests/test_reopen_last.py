"""A start without a file reopens the latest project, unless the coder turned that off."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sewer_gui.app_settings import AppSettings, read_settings
from sewer_gui.pacp.examples import sample_header
from sewer_gui.storage.lock import ProjectLock
from sewer_gui.ui.app import reopen_last_project
from sewer_gui.ui.dialogs import SettingsDialog
from sewer_gui.ui.main_window import MainWindow

NO_MODEL = "/no/model.onnx"


def _window(qtbot, code_table, settings: AppSettings) -> MainWindow:
    w = MainWindow(settings, code_table)
    w.confirm_discard = lambda: True
    qtbot.addWidget(w)
    w.show()
    return w


@pytest.fixture
def saved_project(qtbot, code_table, tmp_path):
    w = _window(qtbot, code_table, AppSettings(model_path=NO_MODEL))
    w.session.inspection.header = sample_header()
    path = tmp_path / "last.sewerproj"
    assert w.save_project(path), w.last_error
    w.shutdown()  # one writer per project: let go before the next start opens it
    return path


def test_a_start_reopens_the_latest_existing_project(qtbot, code_table, saved_project, tmp_path):
    gone = tmp_path / "deleted.sewerproj"
    settings = AppSettings(model_path=NO_MODEL,
                           recent_files=(str(gone), str(tmp_path / "a.mp4"), str(saved_project)))
    w = _window(qtbot, code_table, settings)
    assert reopen_last_project(w)
    assert w.session.project_path.resolve() == saved_project.resolve()
    assert w.session.inspection.header.pipe_segment_reference == \
        sample_header().pipe_segment_reference
    assert "Reopened the last project, last.sewerproj" in w.statusBar().currentMessage()
    w.shutdown()


def test_turned_off_in_settings_a_start_opens_nothing(qtbot, code_table, saved_project):
    settings = AppSettings(model_path=NO_MODEL, recent_files=(str(saved_project),))
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    assert dialog.reopen.isChecked()
    dialog.reopen.click()
    off = dialog.result_settings()
    assert off.reopen_last_project is False
    w = _window(qtbot, code_table, off)
    assert not reopen_last_project(w)
    assert w.session.project_path is None
    w.shutdown()


def test_a_damaged_last_project_is_named_and_the_window_stays_empty(qtbot, code_table,
                                                                     tmp_path):
    broken = tmp_path / "broken.sewerproj"
    broken.write_bytes(b"not a database at all" * 50)
    w = _window(qtbot, code_table, replace(AppSettings(model_path=NO_MODEL),
                                           recent_files=(str(broken),)))
    assert not reopen_last_project(w)
    assert "broken.sewerproj" in w.last_error
    assert w.session.project_path is None
    # Said once: it leaves the recent list, and the next start opens nothing and says nothing.
    assert read_settings()[0].recent_files == ()
    w.shutdown()
    again = _window(qtbot, code_table, read_settings()[0])
    again.last_error = ""
    assert not reopen_last_project(again) and again.last_error == ""
    again.shutdown()


def test_a_last_project_open_in_another_window_is_left_there_without_an_error(
        qtbot, code_table, saved_project):
    """A fresh-eyes review: a second window started on purpose showed "open in another
    window" as an error at every start."""
    held = ProjectLock(saved_project).acquire()
    try:
        w = _window(qtbot, code_table, AppSettings(model_path=NO_MODEL,
                                                   recent_files=(str(saved_project),)))
        w.last_error = ""
        assert not reopen_last_project(w)
        assert w.last_error == "" and w.session.project_path is None
        assert "last.sewerproj, is open in another window" in w.statusBar().currentMessage()
        assert w.settings.recent_files == (str(saved_project),)  # still there for later
        w.shutdown()
    finally:
        held.release()
