"""The project file's layout: application id, schema version and the migrations between them."""

from __future__ import annotations

APPLICATION_ID = 0x53455752  # "SEWR": tells our projects from other SQLite files
SCHEMA_VERSION = 4

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

# Version 2: the candidates a background scan found in each inspection's video, so that a
# pre-scanned job shows them when reopened (and a resumed pre-scan skips what is done).
_SCHEMA_V2 = """
CREATE TABLE candidates (
    inspection_id INTEGER PRIMARY KEY REFERENCES inspection(id) ON DELETE CASCADE,
    model_id TEXT NOT NULL,
    events_json TEXT NOT NULL
);
"""

# Version 3: the distance track read from each inspection's burnt-in counter, so that reopening
# a project does not run the OCR again; the video's path, size and modification time tell
# whether the stored track still belongs to the file on disk.
_SCHEMA_V3 = """
CREATE TABLE IF NOT EXISTS counter_track (
    inspection_id INTEGER PRIMARY KEY REFERENCES inspection(id) ON DELETE CASCADE,
    video_path TEXT NOT NULL,
    video_size INTEGER NOT NULL,
    video_mtime_ns INTEGER NOT NULL,
    track_json TEXT NOT NULL
);
"""

# Version 4: the code the model proposed, kept beside the code decided: an AI-edited row (the
# coder chose the fracture twin, or another code) shows what the model said and how sure it was.
_SCHEMA_V4 = """
ALTER TABLE observation ADD COLUMN ai_code TEXT NOT NULL DEFAULT '';
"""

# version reached -> SQL that brings a file from the previous version to it
MIGRATIONS: dict[int, str] = {1: _SCHEMA_V1, 2: _SCHEMA_V2, 3: _SCHEMA_V3, 4: _SCHEMA_V4}
