"""Counter tracks of the job's inspections between the OCR and the project file (no Qt).

A track is stored at once when its inspection is in the project file; otherwise (an unsaved
project or inspection, a read-only file) it waits here and is stored by the next save, so that
a counter read before the first save is not read again after reopening.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ml.ocr.video_counter import CounterTrack
from sewer_gui.pacp.model import Inspection
from sewer_gui.storage.counter_tracks import VideoStamp
from sewer_gui.storage.project_store import ProjectStore


@dataclass(frozen=True)
class PendingTrack:
    inspection: Inspection
    video: Path  # resolved: the inspection's stored path changes with Save As
    stamp: VideoStamp
    track: CounterTrack


class CounterStore:
    def __init__(self) -> None:
        self._pending: dict[int, PendingTrack] = {}  # by id() of the inspection

    def clear(self) -> None:
        self._pending.clear()

    @staticmethod
    def load(store: ProjectStore | None, inspection: Inspection,
             video: Path | None) -> CounterTrack | None:
        """The stored track of this very video file (DamagedTrackError if it is unusable)."""
        if store is None or inspection.id is None or video is None:
            return None
        stamp = VideoStamp.of(video, inspection.video_path)
        return store.counter_tracks.load(inspection.id, stamp) if stamp else None

    def keep(self, store: ProjectStore | None, inspection: Inspection, video: Path,
             stamp: VideoStamp, track: CounterTrack) -> None:
        """Store the track now if its inspection is in the file, else at the next save
        (ProjectSaveError: not stored, the track is kept for the next save)."""
        self._pending[id(inspection)] = PendingTrack(inspection, Path(video), stamp, track)
        self.flush(store)

    def flush(self, store: ProjectStore | None) -> None:
        """Store what waits and can be stored now; a video changed since is dropped."""
        if store is None or store.read_only:
            return
        for key, pending in list(self._pending.items()):
            inspection = pending.inspection
            if inspection.id is None:
                continue
            now = VideoStamp.of(pending.video, inspection.video_path)
            same_file = (now is not None and store.resolve_video_path(inspection.video_path)
                         == pending.video and (now.size, now.mtime_ns)
                         == (pending.stamp.size, pending.stamp.mtime_ns))
            if same_file:
                store.counter_tracks.save(inspection.id, now, pending.track)
            del self._pending[key]

    def carry(self, store: ProjectStore, inspections: list[Inspection],
              videos: list[Path | None]) -> None:
        """Before Save As: the stored tracks wait here to be stored in the new file."""
        for inspection, video in zip(inspections, videos, strict=True):
            if id(inspection) in self._pending or video is None:
                continue
            try:
                track = self.load(store, inspection, video)
            except ValueError:  # a damaged track is not carried over: it is read again
                continue
            stamp = VideoStamp.of(video, inspection.video_path)
            if track is not None and stamp is not None:
                self._pending[id(inspection)] = PendingTrack(inspection, video, stamp, track)

