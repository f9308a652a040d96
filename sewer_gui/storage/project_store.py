"""A project is one SQLite file: inspections, their observations and snapshot images.

SQLite gives the crash safety: WAL journaling, every save in one transaction, so a crash or a full
disk mid-save leaves the previous save intact. The file carries an application id and a schema
version; older files are migrated forward, newer ones are refused.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from dataclasses import asdict, fields
from pathlib import Path

from sewer_gui.pacp.model import (
    Inspection,
    InspectionHeader,
    Observation,
    Origin,
    ReviewState,
    Units,
)

APPLICATION_ID = 0x53455752  # "SEWR": tells our projects from other SQLite files
SCHEMA_VERSION = 1
PROJECT_SUFFIX = ".sewerproj"

_SCHEMA_V1 = """
CREATE TABLE inspection (
    id INTEGER PRIMARY KEY,
    header_json TEXT NOT NULL,
    units TEXT NOT NULL,
    video_path TEXT NOT NULL DEFAULT '',
    model_used TEXT NOT NULL DEFAULT '',
    calibration_json TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE observation (
    id INTEGER PRIMARY KEY,
    inspection_id INTEGER NOT NULL REFERENCES inspection(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    distance REAL NOT NULL,
    video_time REAL,
    code TEXT NOT NULL,
    continuous TEXT NOT NULL DEFAULT '',
    value_1 REAL,
    value_2 REAL,
    percent REAL,
    joint INTEGER NOT NULL DEFAULT 0,
    clock_from INTEGER,
    clock_to INTEGER,
    remarks TEXT NOT NULL DEFAULT '',
    origin TEXT NOT NULL,
    confidence REAL,
    model_id TEXT NOT NULL DEFAULT '',
    review TEXT NOT NULL
);
CREATE INDEX observation_by_inspection ON observation(inspection_id, position);
CREATE TABLE snapshot (
    observation_id INTEGER PRIMARY KEY REFERENCES observation(id) ON DELETE CASCADE,
    jpeg BLOB NOT NULL
);
"""

# version reached -> SQL that brings a file from the previous version to it
MIGRATIONS: dict[int, str] = {1: _SCHEMA_V1}

_OBS_COLUMNS = ("distance", "video_time", "code", "continuous", "value_1", "value_2", "percent",
                "joint", "clock_from", "clock_to", "remarks", "origin", "confidence", "model_id",
                "review")


class ProjectFileError(Exception):
    """The file cannot be opened as a project; the message names the file and the reason."""


class ProjectSaveError(Exception):
    """A save failed; the message names the file and says that the previous save is intact."""


def _friendly_sqlite_reason(exc: sqlite3.Error) -> str:
    text = str(exc).lower()
    if "full" in text:
        return "the disk is full"
    if "readonly" in text or "read-only" in text:
        return "the file or its folder is read-only"
    if "locked" in text or "busy" in text:
        return "another program is using the project"
    if "not a database" in text or "malformed" in text:
        return "the file is damaged or is not a project"
    return str(exc)


class ProjectStore:
    """Open connection to one project file. Use on one thread (the GUI's)."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn

    # ----- opening -------------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path) -> ProjectStore:
        path = Path(path)
        if path.exists():
            path.unlink()  # callers confirm overwriting; a stale WAL would resurrect old rows
            for extra in (Path(f"{path}-wal"), Path(f"{path}-shm")):
                extra.unlink(missing_ok=True)
        return cls._connect(path, creating=True)

    @classmethod
    def open(cls, path: Path) -> ProjectStore:
        path = Path(path)
        if not path.is_file():
            raise ProjectFileError(f"{path}: no such project file")
        return cls._connect(path, creating=False)

    @classmethod
    def _connect(cls, path: Path, creating: bool) -> ProjectStore:
        try:
            conn = sqlite3.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise ProjectFileError(f"{path}: cannot open ({_friendly_sqlite_reason(exc)})") from exc
        try:
            cls._prepare(conn, path, creating)
        except sqlite3.Error as exc:
            conn.close()
            raise ProjectFileError(f"{path}: {_friendly_sqlite_reason(exc)}") from exc
        except ProjectFileError:
            conn.close()
            raise
        return cls(path, conn)

    @staticmethod
    def _prepare(conn: sqlite3.Connection, path: Path, creating: bool) -> None:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if not creating and app_id != APPLICATION_ID:
            raise ProjectFileError(f"{path}: not a sewer inspection project "
                                   "(an SQLite file made by another program)")
        if version > SCHEMA_VERSION:
            raise ProjectFileError(f"{path}: made by a newer version of this application "
                                   f"(schema {version}, this one reads up to {SCHEMA_VERSION})")
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

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):  # housekeeping; the WAL itself is durable
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._conn.close()

    # ----- reading ---------------------------------------------------------------------------
    def inspections(self) -> list[Inspection]:
        rows = self._conn.execute(
            "SELECT id, header_json, units, video_path, model_used FROM inspection ORDER BY id"
        ).fetchall()
        return [self._load_inspection(*row) for row in rows]

    def calibration(self, inspection_id: int) -> list[tuple[float, float]]:
        row = self._conn.execute("SELECT calibration_json FROM inspection WHERE id=?",
                                 (inspection_id,)).fetchone()
        return [tuple(pair) for pair in json.loads(row[0])] if row else []

    def _load_inspection(self, iid: int, header_json: str, units: str, video: str,
                         model: str) -> Inspection:
        known = {f.name for f in fields(InspectionHeader)}
        header = InspectionHeader(**{k: v for k, v in json.loads(header_json).items()
                                     if k in known})
        inspection = Inspection(header=header, units=Units(units), video_path=video,
                                model_used=model, id=iid)
        cursor = self._conn.execute(
            f"SELECT o.id, {', '.join('o.' + c for c in _OBS_COLUMNS)}, s.jpeg "
            "FROM observation o LEFT JOIN snapshot s ON s.observation_id = o.id "
            "WHERE o.inspection_id=? ORDER BY o.position", (iid,))
        for row in cursor:
            values = dict(zip(_OBS_COLUMNS, row[1:-1], strict=True))
            values.update(joint=bool(values["joint"]), origin=Origin(values["origin"]),
                          review=ReviewState(values["review"]))
            inspection.observations.append(Observation(id=row[0], snapshot_jpeg=row[-1], **values))
        return inspection

    # ----- writing ---------------------------------------------------------------------------
    def save_inspection(self, inspection: Inspection,
                        calibration: list[tuple[float, float]] | None = None) -> None:
        """Write the inspection and all its observations in one transaction.

        On failure nothing of this save is kept, the previous save is intact, and the ids the
        objects had before are restored so that a retry behaves the same.
        """
        before = [(o, o.id) for o in inspection.observations] + [(inspection, inspection.id)]
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            self._write_inspection(inspection, calibration)
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            for obj, old_id in before:
                obj.id = old_id
            raise ProjectSaveError(f"Could not save {self.path}: {_friendly_sqlite_reason(exc)}. "
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
        for gone in stored - kept:
            self._conn.execute("DELETE FROM observation WHERE id=?", (gone,))

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
        except sqlite3.Error as exc:
            raise ProjectSaveError(f"Could not save {self.path}: "
                                   f"{_friendly_sqlite_reason(exc)}") from exc

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
