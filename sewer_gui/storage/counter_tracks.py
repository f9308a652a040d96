"""Counter distance tracks kept in the project, so that reopening it does not run the OCR again.

A track belongs to one video file: it is stored with the video's path (as the inspection keeps
it), size and modification time, and a file that differs in any of them has no stored track
(hashing a multi-gigabyte video on every open would cost more than reading its counter). A
track that cannot be used (edited or damaged) raises DamagedTrackError with a message; the
caller says so and reads the counter again, which replaces the row.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ml.ocr.video_counter import CounterTrack
from sewer_gui.storage.project_store import ProjectSaveError
from sewer_gui.storage.rows import stored_json
from sewer_gui.storage.sqlite_files import friendly_sqlite_reason


class DamagedTrackError(ValueError):
    """The stored track of an inspection cannot be used; the message names file and row."""


@dataclass(frozen=True)
class VideoStamp:
    """What identifies a video file for a stored track."""

    path: str  # as the inspection stores it (relative to the project)
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, video: Path, stored_path: str) -> VideoStamp | None:
        """The stamp of `video` now, or None when it cannot be read."""
        try:
            stat = os.stat(video)
        except OSError:
            return None
        return cls(stored_path, stat.st_size, stat.st_mtime_ns)


def track_to_json(track: CounterTrack) -> str:
    return json.dumps({"unit": track.unit, "region": list(track.region) if track.region else None,
                       "samples": len(track.samples), "rejected": track.rejected,
                       "points": [[t, d] for t, d in track.points]})


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def track_from_json(text: object, video: str) -> CounterTrack:
    """The stored track, checked for what the distance code relies on (DamagedTrackError)."""
    data = stored_json(text, "the stored track", DamagedTrackError)
    if not isinstance(data, dict):
        raise DamagedTrackError("not a JSON object")
    unit, region, points = data.get("unit"), data.get("region"), data.get("points")
    if unit not in ("m", "ft", None):
        raise DamagedTrackError(f"unit {unit!r} is neither m nor ft")
    if region is not None and not (isinstance(region, list) and len(region) == 4
                                   and all(isinstance(v, int) and v >= 0 for v in region)):
        raise DamagedTrackError("the counter region is not a box of four pixel positions")
    if not isinstance(points, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(_finite(v) for v in p) for p in points):
        raise DamagedTrackError("the points are not a list of (time, distance) numbers")
    times = [float(t) for t, _d in points]
    if any(b <= a for a, b in zip(times, times[1:], strict=False)):
        raise DamagedTrackError("the times of the points do not increase")
    rejected = data.get("rejected", 0)
    return CounterTrack(video, unit, tuple(region) if region else None,
                        points=[(float(t), float(d)) for t, d in points],
                        rejected=rejected if isinstance(rejected, int) else 0)


class CounterTracks:
    """The project's stored counter tracks, on the store's connection (the GUI thread's)."""

    def __init__(self, conn: sqlite3.Connection, project: Path) -> None:
        self._conn = conn
        self._project = project

    def save(self, inspection_id: int, stamp: VideoStamp, track: CounterTrack) -> None:
        """Replace the inspection's stored track (ProjectSaveError). Not flushed to disk at
        once, as scan candidates: a lost write only means reading the counter again."""
        try:
            self._conn.execute("PRAGMA synchronous=NORMAL")
            with self._conn:
                self._conn.execute("INSERT OR REPLACE INTO counter_track VALUES (?, ?, ?, ?, ?)",
                                   (inspection_id, stamp.path, stamp.size, stamp.mtime_ns,
                                    track_to_json(track)))
        except sqlite3.Error as exc:
            raise ProjectSaveError(f"Could not store the counter track in {self._project}: "
                                   f"{friendly_sqlite_reason(exc)}") from exc
        finally:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("PRAGMA synchronous=FULL")  # observations: every save on disk

    def load(self, inspection_id: int, stamp: VideoStamp) -> CounterTrack | None:
        """The track stored for this very video file; None if none is (or the video changed)."""
        try:
            row = self._conn.execute(
                "SELECT video_path, video_size, video_mtime_ns, track_json FROM counter_track "
                "WHERE inspection_id=?", (inspection_id,)).fetchone()
        except sqlite3.Error as exc:
            if "no such table" in str(exc):
                return None  # an older file opened read-only: no counter_track table yet
            raise DamagedTrackError(f"{self._project}: the stored counter track of inspection "
                                    f"{inspection_id} cannot be read ({exc})") from exc
        if row is None or tuple(row[:3]) != (stamp.path, stamp.size, stamp.mtime_ns):
            return None
        try:
            return track_from_json(row[3], stamp.path)
        except DamagedTrackError as exc:
            raise DamagedTrackError(f"{self._project}: the stored counter track of inspection "
                                    f"{inspection_id} cannot be used ({exc})") from None
