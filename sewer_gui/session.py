"""The coder's working state without Qt: project file, inspection, video, distances, candidates.

The Qt window drives one CodingSession; everything here is plain Python so that it can be tested
and reused (the self-test uses it without a window).
"""

from __future__ import annotations

import contextlib
import copy
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ml.classes import DESCRIPTIONS, FRACTURE_TWIN, CrackClass
from ml.ocr.merge import corrected_track
from ml.ocr.video_counter import CounterTrack
from ml.runtime.scan import DefectEvent
from ml.runtime.track import DistanceTrack, SidecarError, load_sidecar, sidecar_for
from ml.runtime.video import VideoInfo, VideoReader
from sewer_gui.counter_store import CounterStore
from sewer_gui.pacp.codes import CodeTable
from sewer_gui.pacp.model import Inspection, Observation, Origin, ReviewState, Units
from sewer_gui.pacp.ratings import InspectionRatings, observation_grade, rate
from sewer_gui.pacp.validation import Finding, validate
from sewer_gui.scan_candidates import ScanCandidates
from sewer_gui.storage.counter_tracks import VideoStamp
from sewer_gui.storage.project_store import ProjectSaveError, ProjectStore

METRES_PER_FOOT = 0.3048
# An anchor further than this from the counter's reading overrides it.
COUNTER_TOLERANCE_M = 0.3
SNAPSHOT_WIDTH = 480


@dataclass(frozen=True)
class Suggestion:
    """What the model proposes for the frame on screen."""

    label: CrackClass
    code: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...]
    model_id: str
    frame_index: int
    time_s: float
    doubt: str = ""  # shown under the code: e.g. the model cannot tell the subtype apart

    def description(self) -> str:
        return DESCRIPTIONS[self.label]


def encode_snapshot(frame_bgr: np.ndarray) -> bytes:
    """A JPEG of the frame, at most SNAPSHOT_WIDTH wide (reports and training data)."""
    h, w = frame_bgr.shape[:2]
    if w > SNAPSHOT_WIDTH:
        frame_bgr = cv2.resize(frame_bgr, (SNAPSHOT_WIDTH, int(h * SNAPSHOT_WIDTH / w)),
                               interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", frame_bgr, [cv2.IMWRITE_JPEG_QUALITY, 88])
    if not ok:
        raise ValueError("could not encode the snapshot")
    return data.tobytes()


class CodingSession:
    def __init__(self, table: CodeTable) -> None:
        self.table = table
        self.store: ProjectStore | None = None
        self.inspection = Inspection()
        self.video_info: VideoInfo | None = None
        self.track = DistanceTrack()
        self.track_source = "none"  # "sidecar", "calibration" or "none"
        self.counter_track: DistanceTrack | None = None  # read from the burnt-in counter
        self.counter_tracks = CounterStore()  # read tracks on their way into the project file
        self.job: list[Inspection] = [self.inspection]  # every inspection of the project
        self._anchors_aside: dict[int, list[tuple[float, float]]] = {}  # by id() of inspection
        self._scans_aside: dict[int, tuple[str, list[DefectEvent]] | None] = {}  # deleted ones
        self.candidates: list[DefectEvent] = []
        self.scans = ScanCandidates()  # candidates on their way into the project file
        self.dirty = False

    # ----- project ---------------------------------------------------------------------------
    @property
    def project_path(self) -> Path | None:
        return self.store.path if self.store else None

    def new_project(self, units: Units = Units.FEET) -> None:
        self.close()
        self.inspection = Inspection(units=units)
        self.track, self.track_source, self.candidates = DistanceTrack(), "none", []
        self.counter_track = None
        self.counter_tracks.clear()
        self.job, self._anchors_aside, self._scans_aside = [self.inspection], {}, {}
        self.video_info = None
        self.dirty = False

    def open_project(self, path: Path) -> list[Inspection]:
        """Open a project file and make its first inspection current (ProjectFileError on bad)."""
        if self.store and self.store.is_same_file(Path(path)):
            self.close()  # reopening our own project: our lock would refuse it
        store = ProjectStore.open(path)
        try:  # a damaged file is refused before anything on screen changes
            inspections = store.inspections()
            first = inspections[0] if inspections else Inspection()
            anchors = store.calibration(first.id) if first.id is not None else []
        except BaseException:
            store.close()
            raise
        self.close()
        self.store = store
        self.inspection = first
        self.track, self.track_source, self.candidates = DistanceTrack(), "none", []
        self.counter_track = None
        self.counter_tracks.clear()
        self.job, self._anchors_aside, self._scans_aside = inspections or [first], {}, {}
        self.candidates = self.stored_candidates(first)
        if anchors:
            self.track = DistanceTrack(anchors=anchors)
            self.track_source = "calibration"
        self.dirty = False
        return inspections

    def save(self, path: Path | None = None) -> Path:
        """Save to the open project or to `path` (Save As); ProjectSaveError keeps old data."""
        if path is not None and (self.store is None or not self.store.is_same_file(Path(path))):
            # Resolved against the old file before switching: videos and others' anchors.
            videos = [self.video_path(inspection) for inspection in self.job]
            anchors = [self._anchors_of(inspection) for inspection in self.job]
            if self.store:
                self.counter_tracks.carry(self.store, self.job, videos)
            scans = self.scans.carried(self.store, self.job)
            store = ProjectStore.create(Path(path))  # refused while another writer has it
            if self.store:
                self.store.close()
            self.store = store
            self.scans.reread()  # a new file: new inspection ids
            for inspection, video in zip(self.job, videos, strict=True):
                inspection.video_path = store.relative_video_path(video) if video else ""
                inspection.id = None
                for obs in inspection.observations:
                    obs.id = None
            for inspection, kept in zip(self.job, anchors, strict=True):  # in the job's order
                store.save_inspection(inspection, kept or None)
            for inspection, scan in zip(self.job, scans, strict=True):  # Save As keeps them
                if scan is not None:
                    store.save_candidates(inspection.id, *scan)
        if self.store is None:
            raise ValueError("the project has no file yet: choose where to save it")
        calibration = self.track.anchors if self.track_source == "calibration" else None
        self.store.save_inspection(self.inspection, calibration)
        self.dirty = False
        with contextlib.suppress(ProjectSaveError):  # a track left waiting is kept for later
            self.counter_tracks.flush(self.store)
        with contextlib.suppress(ProjectSaveError):  # so are a scan's candidates
            self.scans.flush(self.store, self.job)
        self.store.copy_into_main_file()  # those two as well, not only the inspection
        return self.store.path

    def keep_candidates(self, inspection: Inspection, events: list[DefectEvent],
                        model_id: str) -> None:
        """A scan of `inspection`'s video (the one it started on): its candidates, kept in the
        project file now or at the next save. ProjectSaveError when the write fails."""
        if inspection is self.inspection:
            self.candidates = list(events)
        self.scans.keep(inspection, model_id, events, self.store, self.job)

    def close(self) -> None:
        self.scans.clear()
        if self.store:
            self.store.close()
            self.store = None

    # ----- the job: every inspection (pipe segment) of the project ---------------------------
    def job_index(self) -> int:
        return next(k for k, inspection in enumerate(self.job) if inspection is self.inspection)

    def switch_inspection(self, index: int) -> Inspection:
        """Make the job's `index`-th inspection current; with a project file, the one left is
        saved first (ProjectSaveError leaves everything as it was)."""
        target = self.job[index]
        if target is not self.inspection:
            self._leave_current()
            self._make_current(target)
        return target

    def insert_inspection(self, index: int, inspection: Inspection) -> None:
        """Add an inspection (next segment, duplicate, undone delete) and make it current."""
        self._leave_current()
        self.job.insert(index, inspection)
        scan = self._scans_aside.pop(id(inspection), None)
        if scan is not None:  # an undone delete: its candidates, written at the next save
            with contextlib.suppress(ProjectSaveError):
                self.scans.keep(inspection, *scan, self.store, self.job)
        self._make_current(inspection)
        self.dirty = True

    def remove_inspection(self, index: int) -> Inspection:
        """Take an inspection out of the job and the project file; a neighbour becomes current.
        The removed one keeps its anchors aside, so that `insert_inspection` can restore it."""
        if len(self.job) == 1:
            raise ValueError("a project keeps at least one inspection")
        removed = self.job[index]
        self._anchors_aside[id(removed)] = self._anchors_of(removed)
        self._scans_aside[id(removed)] = self.scans.aside(removed, self.store)
        if self.store is not None and removed.id is not None:
            self.store.delete_inspection(removed.id)
            self.scans.forget(removed.id)  # SQLite may give its id to the next new segment
        removed.id = None
        for obs in removed.observations:
            obs.id = None
        self.job.pop(index)
        if removed is self.inspection:
            self._make_current(self.job[min(index, len(self.job) - 1)])
            self.dirty = self.store is None
        return removed

    def _leave_current(self) -> None:
        if self.store is not None and self.dirty:
            self.save()
        self._anchors_aside[id(self.inspection)] = self.calibration_anchors()

    def _anchors_of(self, inspection: Inspection) -> list[tuple[float, float]]:
        if inspection is self.inspection:
            return self.calibration_anchors()
        if id(inspection) in self._anchors_aside:
            return list(self._anchors_aside[id(inspection)])
        if self.store is not None and inspection.id is not None:
            return self.store.calibration(inspection.id)
        return []

    def _make_current(self, inspection: Inspection) -> None:
        anchors = self._anchors_of(inspection)
        self._anchors_aside.pop(id(inspection), None)
        self.inspection, self.video_info = inspection, None
        self.track, self.track_source = DistanceTrack(), "none"
        self.candidates = self.stored_candidates(inspection)
        self.counter_track = None
        if anchors:
            self.track, self.track_source = DistanceTrack(anchors=anchors), "calibration"

    def stored_candidates(self, inspection: Inspection) -> list[DefectEvent]:
        """What the last (pre-)scan of the inspection's video found (waiting or stored)."""
        return self.scans.of(inspection, self.store)

    # ----- video and distance ----------------------------------------------------------------
    def video_path(self, inspection: Inspection | None = None) -> Path | None:
        stored = (inspection or self.inspection).video_path
        if not stored:
            return None
        if self.store:
            return self.store.resolve_video_path(stored)
        return Path(stored)

    def attach_video(self, path: Path) -> VideoInfo:
        """Probe the video (VideoError if it is unusable) and load its sidecar distances."""
        with VideoReader(Path(path)) as reader:
            info = reader.info
        self.video_info = info
        before = self.inspection.video_path
        self.inspection.video_path = (self.store.relative_video_path(path) if self.store
                                      else str(Path(path).resolve()))
        # The stored candidates belong to the inspection's video, not to another one.
        same = before == self.inspection.video_path
        self.candidates = self.stored_candidates(self.inspection) if same else []
        self.counter_track = None
        if not same and self.track_source == "sidecar":
            # Another video's sidecar says nothing about this one's distances.
            self.track, self.track_source = DistanceTrack(), "none"
        self._load_sidecar(Path(path))
        self.dirty = True
        return info

    def _load_sidecar(self, video: Path) -> None:
        sidecar = sidecar_for(video)
        if sidecar is None or self.track_source == "calibration":
            return
        try:
            checked = load_sidecar(sidecar)
        except SidecarError:
            return  # distances fall back to calibration; the video itself is fine
        track = checked.track
        scale = 1.0 if self.inspection.units is Units.METRES else 1 / METRES_PER_FOOT
        if checked.units != "m":
            scale = 1.0
        self.track = DistanceTrack([(t, d * scale) for t, d in track.anchors],
                                   track.start_distance * scale)
        self.track_source = "sidecar"

    def distance_at(self, time_s: float) -> float:
        return round(self.distance_track().distance_at(time_s), 2)

    @property
    def distance_source(self) -> str:
        """"sidecar", "ocr" (the counter, corrected by any anchors), "calibration" or "none"."""
        if self.counter_track is not None and self.track_source != "sidecar":
            return "ocr"
        return self.track_source

    def distance_track(self) -> DistanceTrack:
        if self.distance_source != "ocr" or self.counter_track is None:
            return self.track
        tolerance = COUNTER_TOLERANCE_M * (1.0 if self.inspection.units is Units.METRES
                                           else 1 / METRES_PER_FOOT)
        return corrected_track(self.counter_track, self.calibration_anchors(), tolerance)

    def set_counter_track(self, points_m: list[tuple[float, float]]) -> None:
        """Distances read from the video's counter (metres); anchors still override them."""
        scale = 1.0 if self.inspection.units is Units.METRES else 1 / METRES_PER_FOOT
        points = [(t, d * scale) for t, d in points_m]
        self.counter_track = DistanceTrack(points, points[0][1]) if len(points) >= 2 else None

    def stored_counter_track(self, inspection: Inspection | None = None) -> CounterTrack | None:
        """The counter track stored for the inspection's video as it is on disk now
        (DamagedTrackError when the stored one cannot be used: read the counter again)."""
        inspection = inspection or self.inspection
        return self.counter_tracks.load(self.store, inspection, self.video_path(inspection))

    def keep_counter_track(self, inspection: Inspection, video: Path, stamp: VideoStamp,
                           track: CounterTrack) -> None:
        """Store a track read from `video` (as it was at `stamp`), now or at the next save."""
        self.counter_tracks.keep(self.store, inspection, video, stamp, track)

    def set_calibration_anchor(self, time_s: float, distance: float) -> None:
        if self.track_source != "calibration":
            self.track = DistanceTrack()
            self.track_source = "calibration"
        self.track.set_anchor(time_s, distance)
        self.dirty = True

    def calibration_anchors(self) -> list[tuple[float, float]]:
        return list(self.track.anchors) if self.track_source == "calibration" else []

    def remove_calibration_anchor(self, time_s: float) -> None:
        if self.track_source == "calibration":
            self.track.anchors = [a for a in self.track.anchors if abs(a[0] - time_s) > 1e-6]
            self.dirty = True

    # ----- observations -----------------------------------------------------------------------
    def from_suggestion(self, suggestion: Suggestion, frame: np.ndarray | None, code: str = "",
                        review: ReviewState = ReviewState.ACCEPTED) -> Observation:
        """A decided suggestion as an observation with its snapshot.

        Accepted: AI-confirmed, or AI-edited when the coder changed the code. Rejected or
        dismissed rows keep the model's code; a wrong-code rejection keeps the coder's.
        """
        chosen = code or suggestion.code
        if review in (ReviewState.REJECTED, ReviewState.DISMISSED):
            chosen, origin = suggestion.code, Origin.AI_SUGGESTED
        else:
            origin = Origin.AI_CONFIRMED if chosen == suggestion.code else Origin.AI_EDITED
        # No clock is filled in: a code that needs one is flagged until the coder sets it.
        return Observation(
            distance=self.distance_at(suggestion.time_s), code=chosen,
            video_time=round(suggestion.time_s, 2), origin=origin,
            confidence=round(suggestion.confidence, 4), model_id=suggestion.model_id,
            review=review, ai_code=suggestion.code,
            snapshot_jpeg=encode_snapshot(frame) if frame is not None else None)

    def manual(self, code: str, time_s: float, frame: np.ndarray | None) -> Observation:
        return Observation(distance=self.distance_at(time_s), code=code,
                           video_time=round(time_s, 2),
                           snapshot_jpeg=encode_snapshot(frame) if frame is not None else None)

    @staticmethod
    def edit_with_origin(obs: Observation, changes: dict[str, object]) -> dict[str, object]:
        """A code change on an AI-confirmed row makes it AI-edited (in the same undo step)."""
        if "code" in changes and changes["code"] != obs.code and \
                obs.origin is Origin.AI_CONFIRMED:
            return {**changes, "origin": Origin.AI_EDITED}
        return changes

    def project_inspections(self) -> list[Inspection]:
        """Every inspection of the project, the one on screen as it is now (not as saved)."""
        if self.store is None:
            return [self.inspection]
        stored = [i for i in self.store.inspections() if i.id != self.inspection.id]
        return [*stored, self.inspection]

    def fracture_twin(self, code: str) -> str:
        return FRACTURE_TWIN.get(code, code)

    # ----- derived ----------------------------------------------------------------------------
    def ratings(self) -> InspectionRatings:
        return rate(self.inspection.observations, self.inspection.units, self.table)

    def findings(self) -> list[Finding]:
        return validate(self.inspection, self.table)

    def grade(self, obs: Observation) -> int | None:
        return observation_grade(obs, self.table)

    def snapshot_copy(self) -> Inspection:
        """A deep copy for workers (PDF export) so that edits during export cannot race."""
        return copy.deepcopy(self.inspection)

    def job_copies(self) -> list[Inspection]:
        """Deep copies of every inspection of the job, in order (whole-job exports)."""
        return copy.deepcopy(self.job)
