"""A project is one SQLite file: inspections, their observations and snapshot images.

SQLite gives the crash safety: WAL journaling, every save in one transaction, so a crash or a full
disk mid-save leaves the previous save intact. The file carries an application id and a schema
version; older files are migrated forward, newer ones are refused. One writer at a time holds a
project (`storage.lock`); others may read it. A new project, an import or a sample is built in a
temporary file that replaces the old one only once it is complete.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from sewer_gui.pacp.model import Inspection, Observation, Origin, ReviewState
from sewer_gui.storage import rows
from sewer_gui.storage.lock import LockHeldError, ProjectLock
from sewer_gui.storage.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from sewer_gui.storage.sqlite_files import (
    copy_into_main_file,
    friendly_sqlite_reason,
    journals,
    lenient_text,
    read_only_connection,
)

if TYPE_CHECKING:
    from sewer_gui.storage.counter_tracks import CounterTracks

PROJECT_SUFFIX = ".sewerproj"

_OBS_COLUMNS = rows.OBSERVATION_COLUMNS


def _observation_select(conn: sqlite3.Connection) -> str:
    """The observation columns to read; an older file opened read-only (not migrated) lacks
    the newer ones, which read as empty text."""
    present = {row[1] for row in conn.execute("PRAGMA table_info(observation)")}
    return ", ".join(f"o.{c}" if c in present else f"'' AS {c}" for c in _OBS_COLUMNS)


class ProjectFileError(Exception):
    """The file cannot be opened as a project; the message names the file and the reason."""


class ProjectLockedError(ProjectFileError):
    """Another window or program is writing the project."""


class ProjectSaveError(Exception):
    """A save failed; the message names the file and says that the previous save is intact."""


class ProjectStore:
    """Open connection to one project file. Use on one thread (the GUI's)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, lock: ProjectLock | None,
                 writable: bool) -> None:
        self.path = path
        self.read_only = not writable
        self._conn = conn
        self._lock = lock
        self._known: set[int] = set()  # observation rows this store read or wrote
        self._obs_select = ""  # read with the first inspection: a damaged schema is a message

    # ----- opening -------------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path) -> ProjectStore:
        """An empty project at `path`, replacing any project there once the new one exists."""
        path = Path(path)
        lock = _lock(path)
        try:
            with _building(path):
                pass
            return cls._connect(path, creating=False, lock=lock)
        except BaseException:
            lock.release()
            raise

    @classmethod
    @contextlib.contextmanager
    def replacing(cls, path: Path) -> Iterator[ProjectStore]:
        """A new project to fill; it replaces `path` only when the block ends without error."""
        path = Path(path)
        lock = _lock(path)
        try:
            with _building(path) as store:
                yield store
        finally:
            lock.release()

    @classmethod
    def open(cls, path: Path, read_only: bool = False) -> ProjectStore:
        """Open for writing (one writer at a time) or for reading (never blocked by a writer).

        A project that cannot be locked because its folder is read-only opens read-only.
        """
        path = Path(path)
        if not path.is_file():
            raise ProjectFileError(f"{path}: no such project file")
        if read_only:
            return cls._connect(path, creating=False, lock=None)
        try:
            lock = _lock(path)
        except ProjectFileError:
            raise
        except OSError:
            return cls._connect(path, creating=False, lock=None)
        try:
            return cls._connect(path, creating=False, lock=lock)
        except BaseException:
            lock.release()
            raise

    @classmethod
    def _connect(cls, path: Path, creating: bool, lock: ProjectLock | None) -> ProjectStore:
        try:
            conn = read_only_connection(path) if lock is None and not creating else \
                sqlite3.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise ProjectFileError(f"{path}: cannot open ({friendly_sqlite_reason(exc)})") from exc
        conn.text_factory = lenient_text
        writable = creating or lock is not None
        try:
            cls._prepare(conn, path, creating, writable)
        except (sqlite3.Error, UnicodeError) as exc:
            conn.close()
            raise ProjectFileError(f"{path}: {friendly_sqlite_reason(exc)}") from exc
        except ProjectFileError:
            conn.close()
            raise
        return cls(path, conn, lock, writable)

    @staticmethod
    def _prepare(conn: sqlite3.Connection, path: Path, creating: bool, writable: bool) -> None:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if not creating and app_id != APPLICATION_ID:
            raise ProjectFileError(f"{path}: not a sewer inspection project "
                                   "(an SQLite file made by another program)")
        if version > SCHEMA_VERSION:
            raise ProjectFileError(f"{path}: made by a newer version of this application "
                                   f"(schema {version}, this one reads up to {SCHEMA_VERSION})")
        if not writable:
            return
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=FULL")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            # executescript commits any open transaction first, so the script carries its own.
            try:
                conn.executescript(f"BEGIN IMMEDIATE;\n{MIGRATIONS[target]}\n"
                                   f"PRAGMA application_id={APPLICATION_ID};\n"
                                   f"PRAGMA user_version={target};\nCOMMIT;")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def is_same_file(self, other: Path) -> bool:
        """True when `other` names this project, however it is spelled (case, links, ..)."""
        try:
            return os.path.samefile(self.path, other)
        except OSError:
            return Path(os.path.abspath(other)) == Path(os.path.abspath(self.path))

    def close(self) -> None:
        if not self.read_only:
            with contextlib.suppress(sqlite3.Error):  # housekeeping; the WAL itself is durable
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._conn.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    # ----- reading ---------------------------------------------------------------------------
    def inspections(self) -> list[Inspection]:
        """Every inspection; ProjectFileError names the damaged row of a damaged file."""
        with self._reading("the inspections"):
            stored = self._conn.execute(
                "SELECT id, header_json, units, video_path, model_used FROM inspection ORDER BY id"
            ).fetchall()
        return [self._load_inspection(*row) for row in stored]

    def calibration(self, inspection_id: int) -> list[tuple[float, float]]:
        with self._reading(f"inspection {inspection_id}"):
            row = self._conn.execute("SELECT calibration_json FROM inspection WHERE id=?",
                                     (inspection_id,)).fetchone()
            return rows.calibration(row[0]) if row else []

    @contextlib.contextmanager
    def _reading(self, what: str) -> Iterator[None]:
        try:
            yield
        except (sqlite3.Error, rows.DamagedRowError, UnicodeError) as exc:
            reason = exc if isinstance(exc, rows.DamagedRowError) else friendly_sqlite_reason(exc)
            raise ProjectFileError(f"{self.path}: {what} cannot be read ({reason})") from exc

    def _load_inspection(self, iid: int, header_json: str, units: str, video: object,
                         model: object) -> Inspection:
        with self._reading(f"inspection {iid}"):
            if not isinstance(video, str) or not isinstance(model, str):
                raise rows.DamagedRowError("the video path or model name is not text")
            inspection = Inspection(header=rows.header(header_json), units=rows.units(units),
                                    video_path=video, model_used=model, id=iid)
            self._obs_select = self._obs_select or _observation_select(self._conn)
            cursor = self._conn.execute(
                f"SELECT o.id, {self._obs_select}, s.jpeg "
                "FROM observation o LEFT JOIN snapshot s ON s.observation_id = o.id "
                "WHERE o.inspection_id=? ORDER BY o.position", (iid,)).fetchall()
        for row in cursor:
            with self._reading(f"inspection {iid}, observation {row[0]}"):
                inspection.observations.append(rows.observation(row[0], row[1:-1], row[-1]))
            self._known.add(row[0])
        return inspection

    # ----- writing ---------------------------------------------------------------------------
    def save_inspection(self, inspection: Inspection,
                        calibration: list[tuple[float, float]] | None = None) -> None:
        """Write the inspection and all its observations in one transaction.

        On failure nothing of this save is kept, the previous save is intact, and the ids the
        objects had before are restored so that a retry behaves the same.
        """
        if self.read_only:
            raise ProjectSaveError(f"Could not save {self.path}: it is open read-only (its folder "
                                   "is read-only or another program is writing it). The last "
                                   "saved version is intact; use Save As to keep your changes.")
        before = [(o, o.id) for o in inspection.observations] + [(inspection, inspection.id)]
        known_before = set(self._known)
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            self._write_inspection(inspection, calibration)
            self._conn.execute("COMMIT")
            copy_into_main_file(self._conn)
        except (sqlite3.Error, UnicodeError) as exc:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            for obj, old_id in before:
                obj.id = old_id
            self._known = known_before
            raise ProjectSaveError(f"Could not save {self.path}: {friendly_sqlite_reason(exc)}. "
                                   "The last saved version is intact.") from exc

    def _write_inspection(self, inspection: Inspection,
                          calibration: list[tuple[float, float]] | None) -> None:
        header_json = json.dumps(asdict(inspection.header), sort_keys=True)
        if inspection.id is None:
            cur = self._conn.execute(
                "INSERT INTO inspection (header_json, units, video_path, model_used) "
                "VALUES (?, ?, ?, ?)",
                (header_json, str(inspection.units), inspection.video_path, inspection.model_used))
            inspection.id = cur.lastrowid
        else:
            self._conn.execute(
                "UPDATE inspection SET header_json=?, units=?, video_path=?, model_used=? "
                "WHERE id=?", (header_json, str(inspection.units), inspection.video_path,
                               inspection.model_used, inspection.id))
        if calibration is not None:
            self._conn.execute("UPDATE inspection SET calibration_json=? WHERE id=?",
                               (json.dumps(calibration), inspection.id))
        stored = {r[0] for r in self._conn.execute(
            "SELECT id FROM observation WHERE inspection_id=?", (inspection.id,))}
        kept: set[int] = set()
        for position, obs in enumerate(inspection.observations):
            self._write_observation(inspection.id, position, obs, stored)
            kept.add(obs.id)
        self._known |= kept
        for gone in (stored & self._known) - kept:  # rows someone else added are not ours
            self._conn.execute("DELETE FROM observation WHERE id=?", (gone,))
            self._known.discard(gone)

    def _write_observation(self, inspection_id: int, position: int, obs: Observation,
                           stored: set[int]) -> None:
        values = [getattr(obs, c) for c in _OBS_COLUMNS]
        values = [str(v) if isinstance(v, Origin | ReviewState) else v for v in values]
        values[_OBS_COLUMNS.index("joint")] = int(obs.joint)
        if obs.id in stored:
            assignments = ", ".join(f"{c}=?" for c in _OBS_COLUMNS)
            self._conn.execute(f"UPDATE observation SET position=?, {assignments} WHERE id=?",
                               (position, *values, obs.id))
        else:
            placeholders = ", ".join("?" for _ in range(len(_OBS_COLUMNS) + 2))
            cur = self._conn.execute(
                f"INSERT INTO observation (inspection_id, position, {', '.join(_OBS_COLUMNS)}) "
                f"VALUES ({placeholders})", (inspection_id, position, *values))
            obs.id = cur.lastrowid
        if obs.snapshot_jpeg is None:
            self._conn.execute("DELETE FROM snapshot WHERE observation_id=?", (obs.id,))
        else:
            self._conn.execute("INSERT OR REPLACE INTO snapshot (observation_id, jpeg) "
                               "VALUES (?, ?)", (obs.id, obs.snapshot_jpeg))

    def delete_inspection(self, inspection_id: int) -> None:
        try:
            with self._conn:
                self._conn.execute("DELETE FROM inspection WHERE id=?", (inspection_id,))
            copy_into_main_file(self._conn)
        except sqlite3.Error as exc:
            raise ProjectSaveError(f"Could not save {self.path}: "
                                   f"{friendly_sqlite_reason(exc)}") from exc

    def copy_into_main_file(self) -> None:
        """After a save that also wrote candidates or counter tracks: the file alone holds them."""
        if not self.read_only:
            copy_into_main_file(self._conn)

    # ----- scan candidates --------------------------------------------------------------------
    def save_candidates(self, inspection_id: int, model_id: str, events: list[dict]) -> None:
        """What a background scan found in the inspection's video (DefectEvent.to_json rows).

        Written without waiting for the disk (WAL, synchronous=NORMAL): the file stays
        consistent, a power cut may lose only this write, and a scan can redo it; the window
        does not stall on a flush after every video of a pre-scan."""
        try:
            self._conn.execute("PRAGMA synchronous=NORMAL")
            with self._conn:
                self._conn.execute("INSERT OR REPLACE INTO candidates VALUES (?, ?, ?)",
                                   (inspection_id, model_id, json.dumps(events)))
            # No checkpoint here (it would sync the file after every pre-scanned video): the
            # next save of an inspection, or closing, copies these into the file.
        except sqlite3.Error as exc:
            raise ProjectSaveError(f"Could not save {self.path}: "
                                   f"{friendly_sqlite_reason(exc)}") from exc
        finally:
            self._conn.execute("PRAGMA synchronous=FULL")  # observations: every save on disk

    def candidates(self, inspection_id: int) -> tuple[str, list[dict]] | None:
        """(model id, events) of the inspection's last scan, or None if it was never scanned."""
        try:
            row = self._conn.execute("SELECT model_id, events_json FROM candidates "
                                     "WHERE inspection_id=?", (inspection_id,)).fetchone()
            events = json.loads(row[1]) if row else None
        except sqlite3.OperationalError:
            return None  # an older file opened read-only: no candidates table yet
        except (sqlite3.Error, ValueError) as exc:
            raise ProjectFileError(f"{self.path}: the scan candidates of inspection "
                                   f"{inspection_id} cannot be read ({exc})") from exc
        if row is None or not isinstance(events, list):
            return None
        return str(row[0]), [e for e in events if isinstance(e, dict)]

    @property
    def counter_tracks(self) -> CounterTracks:
        """Distance tracks read from the videos' counters (`storage.counter_tracks`)."""
        from sewer_gui.storage.counter_tracks import CounterTracks  # loads OpenCV: only if used

        return CounterTracks(self._conn, self.path)

    # ----- paths -----------------------------------------------------------------------------
    def relative_video_path(self, video: Path) -> str:
        """Store videos relative to the project so that a project folder can be moved."""
        try:
            return os.path.relpath(Path(video).resolve(), self.path.resolve().parent)
        except ValueError:  # another drive on Windows
            return str(Path(video).resolve())

    def resolve_video_path(self, stored: str) -> Path | None:
        if not stored:
            return None
        candidate = Path(stored)
        return candidate if candidate.is_absolute() else (self.path.parent / candidate).resolve()


# ----- building and locking --------------------------------------------------------------------
def _lock(path: Path) -> ProjectLock:
    try:
        return ProjectLock(path).acquire()
    except LockHeldError as exc:
        raise ProjectLockedError(f"{path}: {exc}") from exc


@contextlib.contextmanager
def _building(path: Path) -> Iterator[ProjectStore]:
    """A store on a temporary file beside `path`, renamed over it when the block succeeds."""
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
        os.close(fd)
        os.unlink(tmp_name)
    except OSError as exc:
        raise ProjectSaveError(f"Could not create {path}: {exc.strerror or exc}") from exc
    tmp = Path(tmp_name)
    store = ProjectStore._connect(tmp, creating=True, lock=None)
    store.path = path  # messages and relative video paths refer to the final file
    try:
        yield store
        store.close()
        for stale in journals(path):  # an old WAL would replay the old rows into the new file
            stale.unlink(missing_ok=True)
        os.replace(tmp, path)
    except OSError as exc:
        raise ProjectSaveError(f"Could not write {path}: {exc.strerror or exc}. "
                               "Nothing was replaced.") from exc
    finally:
        with contextlib.suppress(sqlite3.Error):
            store._conn.close()
        for leftover in (tmp, *journals(tmp)):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)
