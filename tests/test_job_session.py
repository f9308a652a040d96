"""The coding session holds every inspection of a project: switch, add, remove, save them."""

from __future__ import annotations

import pytest

from sewer_gui.job import next_segment
from sewer_gui.pacp.examples import sample_inspection
from sewer_gui.pacp.model import Observation
from sewer_gui.session import CodingSession
from sewer_gui.storage.project_store import ProjectStore


def _job(code_table, segments: int = 3) -> CodingSession:
    session = CodingSession(code_table)
    session.new_project()
    first = sample_inspection()
    session.job[0] = session.inspection = first
    session.set_calibration_anchor(10.0, 3.0)
    for k in range(1, segments):
        segment = next_segment(session.inspection)
        segment.header.pipe_segment_reference = f"SEG-{k}"
        segment.header.downstream_mh = f"MH-{30 + k}"
        session.insert_inspection(k, segment)
        session.set_calibration_anchor(5.0, float(k))
    return session


def test_each_inspection_keeps_its_own_anchors_while_switching(code_table):
    session = _job(code_table)
    assert [i.header.upstream_mh for i in session.job] == ["MH-17", "MH-18", "MH-31"]
    assert session.job_index() == 2
    session.switch_inspection(0)
    assert session.calibration_anchors() == [(10.0, 3.0)] and session.inspection.id is None
    session.switch_inspection(1)
    assert session.calibration_anchors() == [(5.0, 1.0)]
    assert session.distance_at(5.0) == 1.0


def test_save_as_writes_every_inspection_and_reopening_shows_them(code_table, tmp_path):
    session = _job(code_table)
    path = session.save(tmp_path / "job.sewerproj")
    session.close()
    reopened = CodingSession(code_table)
    inspections = reopened.open_project(path)
    assert len(inspections) == 3 and len(reopened.job) == 3
    assert sorted(i.header.pipe_segment_reference for i in reopened.job) == [
        "SEG-0412", "SEG-1", "SEG-2"]
    index = next(k for k, i in enumerate(reopened.job)
                 if i.header.pipe_segment_reference == "SEG-2")
    reopened.switch_inspection(index)
    assert reopened.calibration_anchors() == [(5.0, 2.0)]
    reopened.close()


def test_switching_saves_the_edited_inspection_first(code_table, tmp_path):
    session = _job(code_table, segments=2)
    path = session.save(tmp_path / "job.sewerproj")
    session.inspection.observations.append(Observation(3.0, "CL", clock_from=12))
    session.dirty = True
    session.switch_inspection(0)
    assert not session.dirty
    store = ProjectStore.open(path, read_only=True)
    try:
        saved = {i.header.pipe_segment_reference: i for i in store.inspections()}
    finally:
        store.close()
    assert [o.code for o in saved["SEG-1"].observations] == ["CL"]
    session.close()


def test_removed_inspection_comes_back_with_its_anchors(code_table, tmp_path):
    session = _job(code_table)
    path = session.save(tmp_path / "job.sewerproj")
    removed = session.remove_inspection(1)
    assert removed.header.pipe_segment_reference == "SEG-1" and len(session.job) == 2
    store = ProjectStore.open(path, read_only=True)
    assert len(store.inspections()) == 2
    store.close()
    session.insert_inspection(1, removed)  # undo
    assert session.inspection is removed and session.calibration_anchors() == [(5.0, 1.0)]
    session.save()
    store = ProjectStore.open(path, read_only=True)
    assert len(store.inspections()) == 3
    store.close()
    for _ in range(2):
        session.remove_inspection(0)
    with pytest.raises(ValueError, match="at least one inspection"):
        session.remove_inspection(0)
    session.close()


def test_candidates_survive_in_the_project_and_older_files_gain_their_table(code_table,
                                                                             tmp_path):
    import sqlite3

    from ml.classes import CrackClass
    from ml.runtime.scan import DefectEvent

    session = _job(code_table, segments=2)
    path = session.save(tmp_path / "job.sewerproj")
    session.close()
    conn = sqlite3.connect(path)  # as a version-1 file: no candidates table
    conn.executescript("DROP TABLE candidates; DROP TABLE counter_track; "
                       "ALTER TABLE observation DROP COLUMN ai_code; PRAGMA user_version=1;")
    conn.close()
    store = ProjectStore.open(path)
    first = store.inspections()[0]
    event = DefectEvent(CrackClass.CL, "CL", 1.0, 2.0, 1.5, 22, 0.8, best_distance=0.4,
                        alternatives=[("CC", 0.1)])
    store.save_candidates(first.id, "model-a", [event.to_json(), {"class": "??"}])
    assert store._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL again
    store.close()
    reopened = CodingSession(code_table)
    reopened.open_project(path)
    assert [e.to_json() for e in reopened.candidates] == [event.to_json()]  # damaged row skipped
    reopened.switch_inspection(1)
    assert reopened.candidates == []
    reopened.switch_inspection(0)
    assert len(reopened.candidates) == 1
    reopened.close()


def test_a_single_scans_candidates_are_kept_before_and_after_the_first_save(code_table,
                                                                          tmp_path):
    """Found by a keys-only trial: Ctrl+R's candidates were gone after save and reopen."""
    from ml.classes import CrackClass
    from ml.runtime.scan import DefectEvent

    session = _job(code_table, segments=2)
    session.switch_inspection(0)  # the one a reopened project shows first
    event = DefectEvent(CrackClass.CS, "CS", 3.0, 4.0, 3.5, 52, 0.9, best_distance=1.2)
    session.keep_candidates(session.inspection, [event], "model-b")  # no file: waits
    assert session.candidates == [event]
    other = session.job[1]
    session.keep_candidates(other, [event], "model-b")  # a scan that ended after a switch
    session.switch_inspection(1)
    assert session.candidates == [event]  # waiting, shown all the same
    session.switch_inspection(0)
    path = session.save(tmp_path / "job.sewerproj")
    session.close()
    reopened = CodingSession(code_table)
    reopened.open_project(path)
    assert [e.to_json() for e in reopened.candidates] == [event.to_json()]
    later = DefectEvent(CrackClass.CL, "CL", 6.0, 7.0, 6.5, 97, 0.8)
    assert [e.to_json() for e in reopened.stored_candidates(reopened.job[1])] == \
        [event.to_json()]
    reopened.keep_candidates(reopened.inspection, [later], "model-b")  # written at once
    copy = reopened.save(tmp_path / "copy.sewerproj")  # Save As carries them
    reopened.close()
    again = CodingSession(code_table)
    again.open_project(copy)
    assert [e.to_json() for e in again.candidates] == [later.to_json()]
    again.close()


def test_a_scan_of_a_project_open_read_only_waits_without_an_error(code_table, tmp_path):
    from ml.classes import CrackClass
    from ml.runtime.scan import DefectEvent

    session = _job(code_table, segments=1)
    path = session.save(tmp_path / "job.sewerproj")
    session.close()
    viewer = CodingSession(code_table)
    viewer.open_project(path)
    viewer.store.close()
    viewer.store = ProjectStore.open(path, read_only=True)  # e.g. another writer has it
    event = DefectEvent(CrackClass.CL, "CL", 1.0, 2.0, 1.5, 22, 0.8)
    viewer.keep_candidates(viewer.inspection, [event], "model-a")  # no "Could not save"
    assert viewer.stored_candidates(viewer.inspection) == [event]
    viewer.close()
    again = CodingSession(code_table)
    again.open_project(path)
    assert again.candidates == []  # a read-only file was not written to
    again.close()
