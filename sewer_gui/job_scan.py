"""Pre-scan of a job: every inspection's video scanned in turn, in the background. Each video's
candidates are stored in the project as soon as it is done, so that a cancelled pre-scan
resumes with the videos still to do. No Qt: the window's worker runs `iter_job_scan`."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

from ml.runtime.classifier import CrackClassifier
from ml.runtime.scan import ScanResult, ScanSettings, iter_scan
from ml.runtime.track import DistanceTrack
from ml.runtime.video import VideoError
from sewer_gui.session import CodingSession


@dataclass(frozen=True)
class JobVideo:
    inspection_id: int
    video: Path
    track: DistanceTrack | None  # the coder's anchors, in the inspection's units


@dataclass(frozen=True)
class JobScanProgress:
    done: int  # videos finished (scanned or failed)
    total: int
    video: str  # name of the video being scanned
    fraction: float  # of that video
    result: ScanResult | None = None  # set once, when that video is done
    inspection_id: int | None = None
    error: str = ""

    @property
    def overall(self) -> float:
        return min(1.0, (self.done + (0 if self.result or self.error else self.fraction))
                   / max(self.total, 1))


def pending_videos(session: CodingSession, model_id: str) -> list[JobVideo]:
    """Stored inspections with a video that this model has not scanned yet (the resume list)."""
    store = session.store
    if store is None:
        return []
    pending = []
    for inspection in session.job:
        video = session.video_path(inspection)
        if inspection.id is None or video is None:
            continue
        stored = store.candidates(inspection.id)
        if stored is not None and stored[0] == model_id:
            continue
        anchors = store.calibration(inspection.id)
        pending.append(JobVideo(inspection.id, video,
                                DistanceTrack(anchors=anchors) if anchors else None))
    return pending


def iter_job_scan(videos: list[JobVideo], classifier: CrackClassifier, settings: ScanSettings
                  ) -> Generator[JobScanProgress, None, int]:
    """Scan each video; a video that cannot be read is reported and the job goes on."""
    total = len(videos)
    for done, job in enumerate(videos):
        name = job.video.name
        scan = iter_scan(job.video, classifier, settings, job.track)
        try:
            while True:
                progress = next(scan)
                yield JobScanProgress(done, total, name, progress.fraction)
        except StopIteration as end:
            yield JobScanProgress(done + 1, total, name, 1.0, end.value, job.inspection_id)
        except VideoError as exc:
            yield JobScanProgress(done + 1, total, name, 1.0, None, job.inspection_id,
                                  str(exc))
        finally:
            scan.close()  # cancelled: stop this video's decoding thread
    return total
