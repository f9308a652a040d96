"""Write inspections as PACP-style exchange tables and read them back.

Only accepted observations leave the application: pending or rejected AI suggestions stay in the
project. Numbers are written in a canonical form so that export, import, export is stable.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

from sewer_gui.exchange.cells import neutralise
from sewer_gui.exchange.reading import ExchangeError, import_csv, read_conditions
from sewer_gui.exchange.tables import (
    CONDITIONS,
    INSPECTIONS,
    MEDIA_CONDITIONS,
    MEDIA_INSPECTIONS,
    RATINGS,
    TABLES,
)
from sewer_gui.pacp.codes import CodeTable
from sewer_gui.pacp.model import Inspection, InspectionHeader, Observation
from sewer_gui.pacp.ratings import rate

__all__ = ["ExchangeError", "build_tables", "export_csv", "export_sqlite", "import_csv",
           "read_conditions"]

Row = dict[str, object]
IMAGES_FOLDER = "images"


def number_text(value: float | None) -> str:
    if value is None:
        return ""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def vcr_time(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = int(round(seconds))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def build_tables(inspections: list[Inspection], table: CodeTable,
                 video_location: str = "") -> tuple[dict[str, list[Row]], dict[str, bytes]]:
    """The five exchange tables and the snapshot images they reference (relative path -> JPEG)."""
    out: dict[str, list[Row]] = {name: [] for name in TABLES}
    images: dict[str, bytes] = {}
    condition_id = 0
    for inspection_id, inspection in enumerate(inspections, start=1):
        out[INSPECTIONS].append(_inspection_row(inspection_id, inspection))
        if inspection.video_path:
            out[MEDIA_INSPECTIONS].append({
                "MediaID": len(out[MEDIA_INSPECTIONS]) + 1, "InspectionID": inspection_id,
                "Video_Name": Path(inspection.video_path).name, "Video_Location": video_location})
        for obs in inspection.sorted_observations():
            if not obs.counts:
                continue
            condition_id += 1
            out[CONDITIONS].append(_condition_row(condition_id, inspection_id, obs))
            if obs.snapshot_jpeg:
                name = f"I{inspection_id:04d}_C{condition_id:05d}.jpg"
                images[f"{IMAGES_FOLDER}/{name}"] = obs.snapshot_jpeg
                out[MEDIA_CONDITIONS].append({
                    "MediaID": len(out[MEDIA_CONDITIONS]) + 1, "ConditionID": condition_id,
                    "Image_Name": name, "Image_Location": IMAGES_FOLDER})
        ratings = rate(inspection.observations, inspection.units, table)
        out[RATINGS].append({"InspectionID": inspection_id, **ratings.as_exchange_row()})
    return out, images


def _inspection_row(inspection_id: int, inspection: Inspection) -> Row:
    row: Row = {"InspectionID": inspection_id}
    for name, column, _label, _required in InspectionHeader.columns():
        row[column] = getattr(inspection.header, name)
    row["IsImperial"] = "TRUE" if inspection.is_imperial else "FALSE"
    return row


def _condition_row(condition_id: int, inspection_id: int, obs: Observation) -> Row:
    return {
        "ConditionID": condition_id, "InspectionID": inspection_id,
        "Distance": number_text(obs.distance), "Counter": number_text(obs.video_time),
        "PACP_Code": obs.code, "Continuous": obs.continuous,
        "Value_1st_Dimension": number_text(obs.value_1),
        "Value_2nd_Dimension": number_text(obs.value_2),
        "Value_Percent": number_text(obs.percent), "Joint": "TRUE" if obs.joint else "FALSE",
        "Clock_At_From": "" if obs.clock_from is None else obs.clock_from,
        "Clock_To": "" if obs.clock_to is None else obs.clock_to,
        "Remarks": obs.remarks, "VCR_Time": vcr_time(obs.video_time),
    }


def export_csv(inspections: list[Inspection], table: CodeTable, folder: Path) -> list[Path]:
    """One CSV per exchange table plus an `images/` folder; returns the files written.

    Each file is written under a temporary name and renamed, so a full disk or a second export
    into the same folder never leaves a truncated table under a real name.
    """
    folder = Path(folder)
    tables, images = build_tables(inspections, table)
    written = []
    for name, rows in tables.items():
        path = folder / f"{name}.csv"
        _write_atomically(path, lambda tmp, rows=rows, name=name: tmp.write_bytes(
            _csv_text(TABLES[name], rows).encode("utf-8")))
        written.append(path)
    for relative, data in images.items():
        target = folder / relative
        _write_atomically(target, lambda tmp, data=data: tmp.write_bytes(data))
        written.append(target)
    return written


def _csv_text(columns: list[str], rows: list[Row]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows({k: neutralise(v.replace("\x00", "")) if isinstance(v, str) else v
                      for k, v in row.items()} for row in rows)  # NUL: no CSV reader takes it
    return buffer.getvalue()


def _write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Run `write` on a unique temporary file beside `path`, then rename it into place."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise ExchangeError(f"Could not write {path}: {exc.strerror or exc}") from exc
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; an exchange file is meant to be shared
        os.replace(tmp, path)
    except (OSError, sqlite3.Error) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise ExchangeError(f"Could not write {path}: {reason}") from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def export_sqlite(inspections: list[Inspection], table: CodeTable, path: Path) -> Path:
    """The same tables in one SQLite file (the Access template's layout, portable)."""
    path = Path(path)
    tables, _images = build_tables(inspections, table)

    def write(tmp: Path) -> None:
        tmp.unlink()  # sqlite creates its own file; mkstemp only reserved the unique name
        conn = sqlite3.connect(tmp)
        try:
            with conn:
                for name, columns in TABLES.items():
                    conn.execute(f"CREATE TABLE {name} ({', '.join(columns)})")
                    conn.executemany(
                        f"INSERT INTO {name} VALUES ({', '.join('?' for _ in columns)})",
                        [[row[c] for c in columns] for row in tables[name]])
        finally:
            conn.close()

    _write_atomically(path, write)
    return path
