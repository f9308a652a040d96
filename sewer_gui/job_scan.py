"""Pre-scan of a job: every inspection's video scanned in turn, in the background, and the
distance counter of each video without a sidecar read. Each video's candidates and counter track
are stored in the project as soon as they are done, so that a cancelled pre-scan resumes with
what is still to do. No Qt: the window's worker runs `iter_job_scan`."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

from ml.ocr.engines import OcrEngine, OcrUnavailable, make_engine
from ml.ocr.video_counter import CounterTrack, iter_counter_track
from ml.runtime.classifier import CrackClassifier
from ml.runtime.scan import ScanResult, ScanSettings, iter_scan
from ml.runtime.track import DistanceTrack, sidecar_for
from ml.runtime.video import VideoError
from sewer_gui.session import CodingSession
from sewer_gui.storage.counter_tracks import DamagedTrackError, VideoStamp

COUNTER_EVERY_S = 2.0
# Share of a video's progress bar for the scan when its counter is read too (OCR of a sample
# every 2 s costs about as much as scanning).
SCAN_SHARE = 0.5


@dataclass(frozen=True)
class JobVideo:
    inspection_id: int
    video: Path
    track: DistanceTrack | None  # the coder's anchors, in the inspection's units
    scan: bool = True  # no candidates stored from this model yet
    counter: VideoStamp | None = None  # read the counter of the file as it was then


@dataclass(frozen=True)
class JobScanProgress:
    done: int  # videos finished (scanned or failed)
    total: int
    video: str  # name of the video being scanned
    fraction: float  # of that video (0 once it counts as done)
    result: ScanResult | None = None  # set once, when that video's scan is done
    inspection_id: int | None = None
    error: str = ""
    counter: CounterTrack | None = None  # set once, when that video's counter is read
    job: JobVideo | None = None  # with `result`, `counter` or `error`

    @property
    def overall(self) -> float:
        return min(1.0, (self.done + self.fraction) / max(self.total, 1))


def _counter_stamp(session: CodingSession, inspection, video: Path) -> VideoStamp | None:
    """The video as it is now, when its counter is still to be read (no sidecar, no track)."""
    if sidecar_for(video) is not None:
        return None
    try:
        if session.stored_counter_track(inspection) is not None:
            return None
    except DamagedTrackError:
        pass  # read again; the new track replaces the damaged one
    return VideoStamp.of(video, inspection.video_path)


def pending_videos(session: CodingSession, model_id: str) -> list[JobVideo]:
    """Stored inspections with a video that this model has not scanned yet or whose counter
    is still to be read (the resume list)."""
    store = session.store
    if store is None:
        return []
    pending = []
    for inspection in session.job:
        video = session.video_path(inspection)
        if inspection.id is None or video is None:
            continue
        stored = store.candidates(inspection.id)
        scan = stored is None or stored[0] != model_id
        counter = _counter_stamp(session, inspection, video)
        if not scan and counter is None:
            continue
        anchors = store.calibration(inspection.id)
        pending.append(JobVideo(inspection.id, video,
                                DistanceTrack(anchors=anchors) if anchors else None,
                                scan, counter))
    return pending


def iter_job_scan(videos: list[JobVideo], classifier: CrackClassifier, settings: ScanSettings,
                  engine_factory: Callable[[], OcrEngine] = make_engine
                  ) -> Generator[JobScanProgress, None, int]:
    """Scan each video and read its counter; a video that cannot be read is reported and the
    job goes on. The OCR engine is made here, in the worker, when a counter is first read."""
    total = len(videos)
    engine: list[OcrEngine | None] = []  # made once; [None] when no OCR is installed
    for done, job in enumerate(videos):
        name, ok = job.video.name, True
        share = SCAN_SHARE if job.scan and job.counter else 1.0
        if job.scan:
            ok = yield from _scan_one(done, total, job, classifier, settings, share)
        if job.counter and ok:
            if not engine:
                try:
                    engine.append(engine_factory())
                except OcrUnavailable as exc:
                    engine.append(None)
                    yield JobScanProgress(done, total, name, share, error=str(exc))
            if engine[0] is not None:
                yield from _read_one(done, total, job, engine[0], 1.0 - share)
                continue
        if not job.scan or not ok:
            continue
        yield JobScanProgress(done + 1, total, name, 0.0)  # the scan tick did not count it
    return total


def _scan_one(done: int, total: int, job: JobVideo, classifier: CrackClassifier,
              settings: ScanSettings, share: float) -> Generator[JobScanProgress, None, bool]:
    name = job.video.name
    scan = iter_scan(job.video, classifier, settings, job.track)
    try:
        while True:
            progress = next(scan)
            yield JobScanProgress(done, total, name, share * progress.fraction)
    except StopIteration as end:
        yield JobScanProgress(done, total, name, share, end.value, job.inspection_id, job=job)
        return True
    except VideoError as exc:
        yield JobScanProgress(done + 1, total, name, 0.0, None, job.inspection_id, str(exc),
                              job=job)
        return False
    finally:
        scan.close()  # cancelled: stop this video's decoding thread


def _read_one(done: int, total: int, job: JobVideo, engine: OcrEngine,
              share: float) -> Generator[JobScanProgress, None, None]:
    name, start = job.video.name, 1.0 - share
    reading = iter_counter_track(job.video, engine, COUNTER_EVERY_S)
    try:
        while True:
            yield JobScanProgress(done, total, name, start + share * next(reading))
    except StopIteration as end:
        yield JobScanProgress(done + 1, total, name, 0.0, inspection_id=job.inspection_id,
                              counter=end.value, job=job)
    except VideoError as exc:
        yield JobScanProgress(done + 1, total, name, 0.0, None, job.inspection_id, str(exc),
                              job=job)
    finally:
        reading.close()  # cancelled: release the video
