"""The window opens damaged, locked and re-opened projects with a message, never a traceback."""

import sqlite3

import pytest

from sewer_gui.app_settings import AppSettings
from sewer_gui.pacp.examples import sample_inspection
from sewer_gui.storage.project_store import ProjectStore
from sewer_gui.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, code_table):
    w = MainWindow(AppSettings(live_suggestions=False), code_table)
    w.confirm_discard = lambda: True
    qtbot.addWidget(w)
    yield w
    w.shutdown()


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "p.sewerproj"
    store = ProjectStore.create(path)
    store.save_inspection(sample_inspection())
    store.close()
    return path


@pytest.mark.parametrize("sql", ["UPDATE inspection SET header_json='{oops'",
                                 "UPDATE inspection SET units='parsecs'",
                                 "UPDATE observation SET clock_from=99",
                                 "UPDATE inspection SET calibration_json='[[\"a\", 1]]'"])
def test_damaged_project_gives_a_message_and_keeps_the_open_one(window, project, tmp_path,
                                                                sql):
    good = tmp_path / "good.sewerproj"
    ProjectStore.create(good).close()
    assert window.open_project(good)
    conn = sqlite3.connect(project)
    conn.execute(sql)
    conn.commit()
    conn.close()
    assert not window.open_project(project)
    assert "p.sewerproj" in window.last_error and "cannot be read" in window.last_error
    assert window.session.store is not None and window.session.store.is_same_file(good)
    ProjectStore.open(project, read_only=True).close()
    ProjectStore.create(tmp_path / "again.sewerproj").close()


def test_reopening_the_open_project_works_and_a_locked_one_is_explained(window, project):
    assert window.open_project(project)
    assert window.open_project(project)  # File > Open of the same file, or a recent entry
    assert len(window.session.inspection.observations) == 8
    window.session.close()
    holder = ProjectStore.open(project)
    try:
        assert not window.open_project(project)
        assert "open in another window or program" in window.last_error
    finally:
        holder.close()
