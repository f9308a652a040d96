"""Concurrent and careless use of project files never costs saved work."""

import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from sewer_gui.cli import main
from sewer_gui.pacp.codes import default_code_table
from sewer_gui.pacp.examples import sample_inspection
from sewer_gui.pacp.model import Observation
from sewer_gui.session import CodingSession
from sewer_gui.storage.lock import ProjectLock
from sewer_gui.storage.project_store import (
    ProjectFileError,
    ProjectLockedError,
    ProjectSaveError,
    ProjectStore,
)


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "p.sewerproj"
    store = ProjectStore.create(path)
    store.save_inspection(sample_inspection())
    second = sample_inspection()
    second.header.pipe_segment_reference = "SEG-0500"
    store.save_inspection(second)
    store.close()
    return path


def _count(path) -> int:
    store = ProjectStore.open(path, read_only=True)
    try:
        return sum(len(i.observations) for i in store.inspections())
    finally:
        store.close()


def test_second_writer_is_told_and_readers_are_not_blocked(project):
    first = ProjectStore.open(project)
    with pytest.raises(ProjectLockedError, match=rf"open in another window or program "
                                                 rf"\(process {os.getpid()} on "):
        ProjectStore.open(project)
    with pytest.raises(ProjectLockedError):
        ProjectStore.create(project)
    assert _count(project) == 16  # read-only opening works while the writer holds it
    first.close()
    ProjectStore.open(project).close()  # free again once closed


def test_lock_of_a_killed_process_is_released(project):
    script = textwrap.dedent(f"""
        import os, sys
        from sewer_gui.storage.project_store import ProjectStore
        store = ProjectStore.open({str(project)!r})
        print("locked", flush=True)
        sys.stdin.readline()
        os._exit(9)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "locked"
        with pytest.raises(ProjectLockedError, match=f"process {child.pid} "):
            ProjectStore.open(project)
        assert main(["sample", str(project)]) == 2  # import/sample refuse too
        child.kill()  # kill -9: the OS drops the lock
        child.wait()
    finally:
        child.kill()
    ProjectStore.open(project).close()
    assert _count(project) == 16


def test_saves_never_delete_rows_another_writer_added(project):
    store = ProjectStore.open(project)
    first = store.inspections()[0]
    other = sqlite3.connect(project)  # e.g. an older version of the app without the lock
    other.execute("INSERT INTO observation (inspection_id, position, distance, code, origin, "
                  "review) VALUES (?, 99, 44.0, 'CC', 'manual', 'accepted')", (first.id,))
    other.commit()
    other.close()
    del first.observations[1]  # a deletion of our own row is saved
    store.save_inspection(first)
    store.close()
    reopened = ProjectStore.open(project, read_only=True)
    codes = [o.code for o in reopened.inspections()[0].observations]
    reopened.close()
    assert "CC" in codes and "MWL" not in codes and len(codes) == 8


def test_failed_import_keeps_the_old_project(project, tmp_path, capsys):
    exchange = tmp_path / "exchange"
    assert main(["export", str(project), "--exchange", str(exchange)]) == 0
    conditions = exchange / "PACP_Conditions.csv"
    conditions.write_text(conditions.read_text().replace("12.3,", "nan,"))
    assert main(["import", str(exchange), "--project", str(project)]) == 2
    err = capsys.readouterr().err
    assert "Distance 'nan' is not a finite number" in err and "intact" not in err
    assert _count(project) == 16
    with pytest.raises(RuntimeError), ProjectStore.replacing(project) as store:
        store.save_inspection(sample_inspection())
        raise RuntimeError("import failed half-way")
    assert _count(project) == 16
    assert not [p.name for p in project.parent.iterdir() if p.name.startswith(".p.sewerproj.")]


def test_import_replaces_atomically_on_success(project, tmp_path):
    exchange = tmp_path / "exchange"
    assert main(["export", str(project), "--exchange", str(exchange)]) == 0
    assert main(["import", str(exchange), "--project", str(project)]) == 0
    assert _count(project) == 16  # the accepted rows of both inspections, nothing doubled


def test_save_as_to_the_same_file_spelled_differently_keeps_other_inspections(project):
    session = CodingSession(default_code_table())
    session.open_project(project)
    session.inspection.observations.append(Observation(30.0, "CL", clock_from=3))
    spelled = project.parent / "." / ".." / project.parent.name / project.name
    session.save(spelled)
    session.close()
    assert _count(project) == 17


def test_save_as_onto_a_project_open_elsewhere_is_refused(project, tmp_path):
    holder = ProjectStore.open(project)
    session = CodingSession(default_code_table())
    session.new_project()
    with pytest.raises(ProjectLockedError):
        session.save(project)
    holder.close()
    assert _count(project) == 16


def test_unlockable_folder_opens_read_only_and_saving_says_so(project, monkeypatch):
    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(ProjectLock, "acquire", refuse)
    store = ProjectStore.open(project)
    assert store.read_only and len(store.inspections()) == 2
    with pytest.raises(ProjectSaveError, match="open read-only.*intact"):
        store.save_inspection(store.inspections()[0])
    store.close()


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="root ignores permissions")
def test_read_only_project_in_read_only_folder_can_be_read(project):
    os.chmod(project, 0o444)
    os.chmod(project.parent, 0o555)
    try:
        assert _count(project) == 16
        assert main(["validate", str(project)]) == 0
    finally:
        os.chmod(project.parent, 0o755)


def _damage(path, sql, *params):
    conn = sqlite3.connect(path)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


@pytest.mark.parametrize("sql,params,reason", [
    ("UPDATE inspection SET header_json=?", ("{not json",), "header is not valid JSON"),
    ("UPDATE inspection SET header_json=?", ("[1, 2]",), "header is not a JSON object"),
    ("UPDATE inspection SET units=?", ("furlongs",), "units 'furlongs' is not one of"),
    ("UPDATE observation SET origin=?", ("alien",), "origin 'alien'"),
    ("UPDATE observation SET review=?", ("maybe",), "review 'maybe'"),
    ("UPDATE observation SET distance=?", ("far",), "distance 'far' is not a finite number"),
    ("UPDATE observation SET distance=?", (float("inf"),), "distance inf is not a finite"),
    ("UPDATE observation SET clock_from=?", (13,), "clock_from 13 is not a clock position"),
    ("UPDATE observation SET code=?", (b"\x00",), "code b'.x00' is not text"),
    ("UPDATE inspection SET calibration_json=?", ("[[1]]",), "calibration is not a list"),
])
def test_damaged_values_give_messages_in_every_command(project, tmp_path, capsys, sql, params,
                                                       reason):
    _damage(project, sql, *params)
    with pytest.raises(ProjectFileError, match=reason):
        store = ProjectStore.open(project)
        try:
            store.calibration(store.inspections()[0].id)
        finally:
            store.close()
    for argv in (["validate", str(project)], ["report", str(project), "--pdf",
                                              str(tmp_path / "r.pdf")],
                 ["export", str(project), "--exchange", str(tmp_path / "x")]):
        if "calibration" in sql:
            continue  # only the GUI reads the calibration
        assert main(argv) == 2
        assert reason.split("'")[0] in capsys.readouterr().err


def test_flipped_bytes_give_a_message(project, capsys):
    data = bytearray(project.read_bytes())
    for offset in range(200, len(data), 97):
        data[offset] ^= 0x5A
    project.write_bytes(bytes(data))
    for argv in (["validate", str(project)], ["export", str(project), "--exchange", "x"]):
        assert main(argv) == 2
        assert "damaged" in capsys.readouterr().err


def test_unexpected_errors_end_in_a_message_and_debug_shows_the_traceback(project, capsys,
                                                                          monkeypatch):
    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("sewer_gui.cli.validate", broken)
    assert main(["validate", str(project)]) == 3
    err = capsys.readouterr().err
    assert "unexpected ZeroDivisionError: a bug (run with --debug" in err
    assert "Traceback" not in err
    assert main(["--debug", "validate", str(project)]) == 3
    assert "Traceback" in capsys.readouterr().err
