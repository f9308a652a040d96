"""The pre-scan reads the counter of each video without a sidecar and the track is stored in
the project: reopening shows distances from it; cancelling keeps what is done."""

from __future__ import annotations

import shutil

import cv2
import pytest

from ml.synth.osd import CounterStyle
from ml.synth.video import DriveSpec, write_drive
from sewer_gui.job import next_segment
from sewer_gui.job_scan import iter_job_scan, pending_videos
from sewer_gui.pacp.examples import sample_inspection
from sewer_gui.pacp.model import Units
from sewer_gui.session import CodingSession
from sewer_gui.storage.project_store import ProjectStore

SPEC = DriveSpec(length_m=3.0, speed_mps=0.4, fps=5, width=320, height=240, defects=1,
                 pause_s=1.0)  # as tests/test_gui_counter.py: five samples, a readable track


@pytest.fixture(scope="module")
def bare_drive(tmp_path_factory):
    video = tmp_path_factory.mktemp("drive") / "bare.mp4"
    style = CounterStyle("{v:.2f} m", "m", font=cv2.FONT_HERSHEY_DUPLEX, corner="tl",
                         extras=("13.07.2024",))
    sidecar = write_drive(video, 21, SPEC, osd=style)
    video.with_suffix(".json").unlink()  # real footage comes without one
    return video, sidecar


def _job(folder, video, segments: int):
    """A saved job whose videos are already scanned by model "m": only counters are left."""
    store = ProjectStore.create(folder / "job.sewerproj")
    inspection = sample_inspection()
    for k in range(segments):
        copy = folder / f"segment{k}.mp4"
        shutil.copy(video, copy)
        inspection.video_path = store.relative_video_path(copy)
        store.save_inspection(inspection)
        store.save_candidates(inspection.id, "m", [])
        inspection = next_segment(inspection)
    store.close()
    return folder / "job.sewerproj"


def _prescan(session: CodingSession, stop_after: int | None = None) -> int:
    videos = pending_videos(session, "m")
    assert all(not v.scan and v.counter is not None for v in videos)
    stored, run = 0, iter_job_scan(videos, classifier=None, settings=None)
    for progress in run:
        assert 0.0 <= progress.overall <= 1.0
        if progress.counter is not None:
            inspection = next(i for i in session.job if i.id == progress.inspection_id)
            session.keep_counter_track(inspection, progress.job.video, progress.job.counter,
                                       progress.counter)
            stored += 1
            if stored == stop_after:
                run.close()  # what the worker's cancel does
                break
    return stored


def test_prescan_reads_and_stores_counters_and_resumes(code_table, tmp_path, bare_drive):
    video, sidecar = bare_drive
    project = _job(tmp_path, video, 2)
    session = CodingSession(code_table)
    session.open_project(project)
    assert _prescan(session, stop_after=1) == 1  # cancelled after the first video
    assert len(pending_videos(session, "m")) == 1  # the resume list
    assert _prescan(session) == 1
    assert pending_videos(session, "m") == []
    session.close()
    reopened = CodingSession(code_table)
    reopened.open_project(project)
    track = reopened.stored_counter_track()
    assert track is not None and track.readable and track.unit == "m"
    reopened.set_counter_track(track.in_metres())
    t, truth = sidecar["track"][len(sidecar["track"]) // 2]
    assert reopened.distance_source == "ocr"
    per_metre = 1.0 if reopened.inspection.units is Units.METRES else 1 / 0.3048
    assert reopened.distance_at(t) == pytest.approx(truth * per_metre, abs=0.15 * per_metre)
    reopened.close()
