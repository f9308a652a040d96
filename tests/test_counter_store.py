"""Counter tracks stored in the project: round trip, invalidation by a changed video, damaged
rows refused with a message, older files migrated, and tracks read before the first save."""

from __future__ import annotations

import os
import sqlite3

import pytest

from ml.ocr.video_counter import CounterTrack
from sewer_gui.pacp.examples import sample_inspection
from sewer_gui.session import CodingSession
from sewer_gui.storage.counter_tracks import DamagedTrackError, VideoStamp
from sewer_gui.storage.project_store import SCHEMA_VERSION, ProjectStore

TRACK = CounterTrack("v.mp4", "ft", (10, 200, 90, 220), points=[(0.0, 0.0), (2.0, 1.5),
                                                                 (4.0, 3.25)], rejected=1)


def _project(tmp_path):
    video = tmp_path / "v.mp4"
    video.write_bytes(b"not really a video")
    store = ProjectStore.create(tmp_path / "p.sewerproj")
    inspection = sample_inspection()
    inspection.video_path = store.relative_video_path(video)
    store.save_inspection(inspection, calibration=[(0.0, 0.0), (10.0, 4.2)])
    return store, inspection, video


def _stamp(video, inspection):
    return VideoStamp.of(video, inspection.video_path)


def test_round_trip(tmp_path):
    store, inspection, video = _project(tmp_path)
    store.counter_tracks.save(inspection.id, _stamp(video, inspection), TRACK)
    store.close()
    again = ProjectStore.open(tmp_path / "p.sewerproj")
    loaded = again.counter_tracks.load(inspection.id, _stamp(video, inspection))
    assert (loaded.unit, loaded.region, loaded.points, loaded.rejected) == \
        ("ft", (10, 200, 90, 220), TRACK.points, 1)
    assert loaded.readable
    again.close()


def test_a_changed_or_other_video_has_no_stored_track(tmp_path):
    store, inspection, video = _project(tmp_path)
    store.counter_tracks.save(inspection.id, _stamp(video, inspection), TRACK)
    assert store.counter_tracks.load(inspection.id, VideoStamp.of(video, "other.mp4")) is None
    video.write_bytes(b"a different video, longer")
    assert store.counter_tracks.load(inspection.id, _stamp(video, inspection)) is None
    stat = video.stat()
    store.counter_tracks.save(inspection.id, _stamp(video, inspection), TRACK)
    os.utime(video, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))  # same size
    assert store.counter_tracks.load(inspection.id, _stamp(video, inspection)) is None
    store.close()


@pytest.mark.parametrize("stored", [
    "{not json", "[1, 2]", '{"unit": "yd", "region": null, "points": []}',
    '{"unit": "m", "region": [1, 2], "points": []}',
    '{"unit": "m", "region": null, "points": [[0, 1], [1, "x"]]}',
    '{"unit": "m", "region": null, "points": [[0, 1], [0, 2]]}',
    '{"unit": "m", "region": null, "points": [[0, NaN], [1, 2]]}'])
def test_a_damaged_track_is_refused_with_a_message_and_nothing_else_is_lost(tmp_path, stored):
    store, inspection, video = _project(tmp_path)
    store.counter_tracks.save(inspection.id, _stamp(video, inspection), TRACK)
    store._conn.execute("UPDATE counter_track SET track_json=?", (stored,))
    with pytest.raises(DamagedTrackError, match=f"counter track of inspection {inspection.id}"):
        store.counter_tracks.load(inspection.id, _stamp(video, inspection))
    [loaded] = store.inspections()  # the rest of the project is intact
    assert loaded.header == inspection.header and len(loaded.observations) == \
        len(inspection.observations)
    assert store.calibration(inspection.id) == [(0.0, 0.0), (10.0, 4.2)]
    store.counter_tracks.save(inspection.id, _stamp(video, inspection), TRACK)  # read again
    assert store.counter_tracks.load(inspection.id, _stamp(video, inspection)).points == \
        TRACK.points
    store.close()


def test_a_version_2_file_is_migrated(tmp_path):
    store, inspection, video = _project(tmp_path)
    store._conn.executescript("DROP TABLE counter_track; "
                              "ALTER TABLE observation DROP COLUMN ai_code; "
                              "PRAGMA user_version=2;")
    store.close()
    old = ProjectStore.open(tmp_path / "p.sewerproj", read_only=True)
    assert old.counter_tracks.load(inspection.id, _stamp(video, inspection)) is None
    old.close()
    store = ProjectStore.open(tmp_path / "p.sewerproj")
    store.counter_tracks.save(inspection.id, _stamp(video, inspection), TRACK)
    store.close()
    conn = sqlite3.connect(tmp_path / "p.sewerproj")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
    conn.close()


def test_deleting_an_inspection_deletes_its_track(tmp_path):
    store, inspection, video = _project(tmp_path)
    store.counter_tracks.save(inspection.id, _stamp(video, inspection), TRACK)
    store.delete_inspection(inspection.id)
    assert store._conn.execute("SELECT COUNT(*) FROM counter_track").fetchone()[0] == 0
    store.close()


def test_a_track_read_before_the_first_save_is_stored_by_it(tmp_path, code_table):
    video = tmp_path / "v.mp4"
    video.write_bytes(b"not really a video")
    session = CodingSession(code_table)
    session.inspection.video_path = str(video.resolve())
    stamp = VideoStamp.of(video, session.inspection.video_path)
    session.keep_counter_track(session.inspection, video.resolve(), stamp, TRACK)
    session.save(tmp_path / "p.sewerproj")
    assert session.stored_counter_track().points == TRACK.points
    session.save(tmp_path / "copy.sewerproj")  # Save As carries it into the new file
    session.close()
    reopened = CodingSession(code_table)
    reopened.open_project(tmp_path / "copy.sewerproj")
    assert reopened.stored_counter_track().points == TRACK.points
    reopened.close()
