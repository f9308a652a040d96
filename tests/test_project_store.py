import sqlite3

import pytest

from sewer_gui.pacp.examples import sample_inspection
from sewer_gui.pacp.model import Observation, Origin, ReviewState
from sewer_gui.storage.project_store import (
    SCHEMA_VERSION,
    ProjectFileError,
    ProjectSaveError,
    ProjectStore,
)


def test_round_trip_keeps_everything(tmp_path, tiny_jpeg):
    path = tmp_path / "p.sewerproj"
    store = ProjectStore.create(path)
    inspection = sample_inspection(snapshot_jpeg=tiny_jpeg)
    inspection.observations.append(Observation(33, "CC", clock_from=1, clock_to=12,
                                               origin=Origin.AI_SUGGESTED,
                                               review=ReviewState.REJECTED, confidence=0.4,
                                               model_id="m1", snapshot_jpeg=tiny_jpeg))
    store.save_inspection(inspection, calibration=[(0.0, 0.0), (10.0, 4.2)])
    store.close()
    again = ProjectStore.open(path)
    [loaded] = again.inspections()
    assert loaded.header == inspection.header
    assert [(o.code, o.distance, o.continuous, o.clock_from, o.clock_to, o.review, o.origin)
            for o in loaded.observations] == \
        [(o.code, o.distance, o.continuous, o.clock_from, o.clock_to, o.review, o.origin)
         for o in inspection.observations]
    assert loaded.observations[2].snapshot_jpeg == tiny_jpeg
    assert loaded.observations[-1].confidence == 0.4
    assert again.calibration(loaded.id) == [(0.0, 0.0), (10.0, 4.2)]
    again.close()


def _store_with_edited_rows(path) -> ProjectStore:
    """A project holding an AI-edited row and an older relabelled one, both with the model's
    own code; left open for the caller."""
    store = ProjectStore.create(path)
    inspection = sample_inspection()
    inspection.observations = [
        Observation(12, "FL", origin=Origin.AI_EDITED, confidence=0.91, model_id="m1",
                    ai_code="CL"),
        Observation(20, "CC", origin=Origin.AI_SUGGESTED, review=ReviewState.RELABELLED,
                    confidence=0.7, model_id="m1", ai_code="CS")]
    store.save_inspection(inspection)
    return store


def test_the_models_own_code_is_kept_beside_the_coders(tmp_path):
    path = tmp_path / "p.sewerproj"
    store = _store_with_edited_rows(path)
    store.close()
    again = ProjectStore.open(path, read_only=True)
    edited, relabelled = again.inspections()[0].observations
    again.close()
    assert (edited.code, edited.ai_code) == ("FL", "CL")
    # The model's confidence was in its code, so the row names that code beside it.
    assert edited.source_text() == "AI-edited (AI: CL 91%)"
    assert relabelled.source_text() == "AI CS 70% rejected: coder's code CC"


def test_a_version_3_file_reads_and_migrates_without_the_models_code(tmp_path):
    path = tmp_path / "p.sewerproj"
    store = _store_with_edited_rows(path)
    store._conn.executescript("ALTER TABLE observation DROP COLUMN ai_code; "
                              "PRAGMA user_version=3;")
    store.close()
    old = ProjectStore.open(path, read_only=True)  # not migrated: the column is missing
    edited, relabelled = old.inspections()[0].observations
    old.close()
    assert edited.ai_code == "" and edited.source_text() == "AI-edited 91%"
    assert relabelled.source_text() == "AI 70% rejected: coder's code CC"
    store = ProjectStore.open(path)
    [loaded] = store.inspections()
    loaded.observations[0].ai_code = "CL"
    store.save_inspection(loaded)
    store.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
    assert conn.execute("SELECT code, ai_code FROM observation ORDER BY position").fetchall() \
        == [("FL", "CL"), ("CC", "")]
    conn.close()


def test_edits_update_in_place_and_deletions_are_saved(tmp_path):
    store = ProjectStore.create(tmp_path / "p.sewerproj")
    inspection = sample_inspection()
    store.save_inspection(inspection)
    first_ids = [o.id for o in inspection.observations]
    inspection.observations[2].code = "FL"
    del inspection.observations[3]
    store.save_inspection(inspection)
    [loaded] = store.inspections()
    assert [o.id for o in loaded.observations] == first_ids[:3] + first_ids[4:]
    assert loaded.observations[2].code == "FL"
    store.close()


def test_full_disk_keeps_last_save_and_says_so(tmp_path, tiny_jpeg):
    path = tmp_path / "p.sewerproj"
    store = ProjectStore.create(path)
    inspection = sample_inspection()
    store.save_inspection(inspection)
    # SQLite reports SQLITE_FULL exactly as for a full disk once the page cap is reached.
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count={pages + 1}")
    big = [Observation(d, "CC", clock_from=1, clock_to=12, snapshot_jpeg=tiny_jpeg * 50)
           for d in range(20, 40)]
    inspection.observations.extend(big)
    with pytest.raises(ProjectSaveError, match=r"p\.sewerproj: the disk is full.*intact"):
        store.save_inspection(inspection)
    assert all(o.id is None for o in big)
    store.close()
    reopened = ProjectStore.open(path)
    assert len(reopened.inspections()[0].observations) == 8
    reopened.close()


def test_read_only_project_save_fails_clearly(tmp_path):
    path = tmp_path / "p.sewerproj"
    ProjectStore.create(path).close()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    store = ProjectStore(path, conn, lock=None, writable=True)
    with pytest.raises(ProjectSaveError, match="read-only"):
        store.save_inspection(sample_inspection())
    conn.close()


def test_not_a_project_file(tmp_path):
    junk = tmp_path / "video.sewerproj"
    junk.write_bytes(b"\x00\x01 this is not sqlite" * 100)
    with pytest.raises(ProjectFileError, match=r"video\.sewerproj: the file is damaged or is not"):
        ProjectStore.open(junk)


def test_foreign_sqlite_file_is_refused(tmp_path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(ProjectFileError, match="made by another program"):
        ProjectStore.open(other)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "p.sewerproj"
    ProjectStore.create(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(ProjectFileError, match="newer version"):
        ProjectStore.open(path)


def test_missing_file(tmp_path):
    with pytest.raises(ProjectFileError, match="no such project file"):
        ProjectStore.open(tmp_path / "gone.sewerproj")


def test_crash_mid_write_loses_nothing_saved(tmp_path):
    """A process killed inside a save leaves the previous save readable."""
    import subprocess
    import sys
    import textwrap

    path = tmp_path / "p.sewerproj"
    store = ProjectStore.create(path)
    store.save_inspection(sample_inspection())
    store.close()
    script = textwrap.dedent(f"""
        import os
        from sewer_gui.storage.project_store import ProjectStore
        from sewer_gui.pacp.model import Observation
        store = ProjectStore.open({str(path)!r})
        [insp] = store.inspections()
        insp.observations.append(Observation(44, "CC", clock_from=1, clock_to=2))
        store._conn.execute("BEGIN IMMEDIATE")
        store._write_inspection(insp, None)
        os._exit(9)  # die before COMMIT
    """)
    assert subprocess.run([sys.executable, "-c", script]).returncode == 9
    reopened = ProjectStore.open(path)
    assert len(reopened.inspections()[0].observations) == 8
    reopened.close()


def test_video_paths_are_relative_to_the_project(tmp_path):
    (tmp_path / "videos").mkdir()
    video = tmp_path / "videos" / "run1.mp4"
    store = ProjectStore.create(tmp_path / "p.sewerproj")
    stored = store.relative_video_path(video)
    assert stored == "videos/run1.mp4"
    assert store.resolve_video_path(stored) == video.resolve()
    store.close()


def test_the_project_file_alone_holds_every_save_while_the_app_is_open(tmp_path):
    """A coder copies the .sewerproj (not its -wal) to a stick while the project is open."""
    import shutil

    store = ProjectStore.create(tmp_path / "p.sewerproj")
    inspection = sample_inspection()
    store.save_inspection(inspection)
    inspection.observations[0].remarks = "edited after the first save"
    store.save_inspection(inspection)
    store.save_candidates(inspection.id, "m", [{"code": "CL"}])  # a scan, then the save's end
    store.copy_into_main_file()
    copy = tmp_path / "stick" / "copy.sewerproj"
    copy.parent.mkdir()
    shutil.copy(tmp_path / "p.sewerproj", copy)  # the WAL stays behind
    assert (tmp_path / "p.sewerproj-wal").exists()  # the store is still open
    other = ProjectStore.open(copy, read_only=True)
    try:
        [loaded] = other.inspections()
        assert loaded.observations[0].remarks == "edited after the first save"
        assert len(loaded.observations) == len(inspection.observations)
        assert other.candidates(loaded.id) == ("m", [{"code": "CL"}])
    finally:
        other.close()
        store.close()
