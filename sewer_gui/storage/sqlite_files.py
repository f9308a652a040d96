"""SQLite file details shared by the project store: plain-language reasons for its errors,
read-only connections, and the journal files that travel with a database file."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path


def friendly_sqlite_reason(exc: sqlite3.Error | UnicodeError) -> str:
    if isinstance(exc, UnicodeError):  # sqlite's message quoted undecodable bytes of the file
        return "the file is damaged or is not a project"
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


def lenient_text(data: bytes) -> str:
    """Text of a damaged file stays readable: a flipped byte shows as a replacement mark."""
    return data.decode("utf-8", "replace")


def read_only_connection(path: Path) -> sqlite3.Connection:
    """Read without writing anything; a read-only folder cannot hold the WAL index, so the
    file is then read as immutable (nothing else can be writing it there either)."""
    uri = Path(path).resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
        conn.execute("PRAGMA schema_version").fetchone()
        return conn
    except sqlite3.OperationalError:
        return sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)


def journals(path: Path) -> list[Path]:
    """The WAL, shared-memory and rollback journal files beside a database file."""
    return [Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")]


def copy_into_main_file(conn: sqlite3.Connection) -> None:
    """Move what the WAL holds into the database file itself (a passive checkpoint).

    A committed save is safe in the WAL, but a small project never reaches SQLite's automatic
    checkpoint (1,000 pages): until the app closed, its .sewerproj file alone held none of the
    work, and a coder who copied it to a stick or a server while the app was open copied an
    empty project. Passive: it never waits for a reader; what a reader still needs stays in
    the WAL for the next save. A failure is housekeeping: the save itself is committed."""
    with contextlib.suppress(sqlite3.Error):
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
