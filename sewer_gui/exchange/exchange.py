"""Write inspections as PACP-style exchange tables and read them back.

Only accepted observations leave the application: pending or rejected AI suggestions stay in the
project. Numbers are written in a canonical form so that export, import, export is stable.
"""

from __future__ import annotations

import csv
import sqlite3
from collections import defaultdict
from pathlib import Path

from sewer_gui.exchange.tables import (
    CONDITION_COLUMNS,
    CONDITIONS,
    INSPECTIONS,
    MEDIA_CONDITIONS,
    MEDIA_INSPECTIONS,
    RATINGS,
    TABLES,
)
from sewer_gui.pacp.codes import CodeTable
from sewer_gui.pacp.model import Inspection, InspectionHeader, Observation, Units
from sewer_gui.pacp.ratings import rate

Row = dict[str, object]
IMAGES_FOLDER = "images"


class ExchangeError(ValueError):
    """A malformed exchange file; the message names the file, the line and the problem."""


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
    """One CSV per exchange table plus an `images/` folder; returns the files written."""
    folder = Path(folder)
    tables, images = build_tables(inspections, table)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in tables.items():
        path = folder / f"{name}.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=TABLES[name])
            writer.writeheader()
            writer.writerows(rows)
        written.append(path)
    for relative, data in images.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written


def export_sqlite(inspections: list[Inspection], table: CodeTable, path: Path) -> Path:
    """The same tables in one SQLite file (the Access template's layout, portable)."""
    path = Path(path)
    tables, _images = build_tables(inspections, table)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.unlink(missing_ok=True)
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
    tmp.replace(path)  # never leave a half-written exchange file under the real name
    return path


# ----- reading -------------------------------------------------------------------------------
def read_csv_table(path: Path, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows with their line numbers; a missing file or column is an ExchangeError."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise ExchangeError(f"{path}: missing column(s) {', '.join(missing)}")
            return [(reader.line_num, row) for row in reader]
    except OSError as exc:
        raise ExchangeError(f"{path}: cannot read ({exc.strerror})") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ExchangeError(f"{path}: not a readable CSV file ({exc})") from exc


def _optional_float(text: str | None, where: str, column: str) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ExchangeError(f"{where}: {column} {text!r} is not a number") from None


def _optional_clock(text: str | None, where: str, column: str) -> int | None:
    value = _optional_float(text, where, column)
    if value is None:
        return None
    if value != int(value) or not 1 <= value <= 12:
        raise ExchangeError(f"{where}: {column} {text!r} is not a clock position 1-12")
    return int(value)


def condition_from_row(row: dict[str, str], where: str, table: CodeTable) -> Observation:
    code = (row.get("PACP_Code") or "").strip().upper()
    if code not in table:
        raise ExchangeError(f"{where}: unknown PACP code {code!r}")
    distance = _optional_float(row.get("Distance"), where, "Distance")
    if distance is None:
        raise ExchangeError(f"{where}: Distance is empty")
    return Observation(
        distance=distance, code=code,
        video_time=_optional_float(row.get("Counter"), where, "Counter"),
        continuous=(row.get("Continuous") or "").strip().upper(),
        value_1=_optional_float(row.get("Value_1st_Dimension"), where, "Value_1st_Dimension"),
        value_2=_optional_float(row.get("Value_2nd_Dimension"), where, "Value_2nd_Dimension"),
        percent=_optional_float(row.get("Value_Percent"), where, "Value_Percent"),
        joint=(row.get("Joint") or "").strip().upper() in ("TRUE", "1", "YES", "-1"),
        clock_from=_optional_clock(row.get("Clock_At_From"), where, "Clock_At_From"),
        clock_to=_optional_clock(row.get("Clock_To"), where, "Clock_To"),
        remarks=(row.get("Remarks") or "").strip(),
    )


def read_conditions(path: Path, table: CodeTable) -> dict[str, list[Observation]]:
    """PACP_Conditions rows grouped by InspectionID, in file order."""
    grouped: dict[str, list[Observation]] = defaultdict(list)
    for line, row in read_csv_table(Path(path), ["InspectionID", "Distance", "PACP_Code"]):
        where = f"{path}, line {line}"
        inspection_id = (row.get("InspectionID") or "").strip()
        if not inspection_id:
            raise ExchangeError(f"{where}: InspectionID is empty")
        grouped[inspection_id].append(condition_from_row(row, where, table))
    return dict(grouped)


def import_csv(folder: Path, table: CodeTable) -> list[Inspection]:
    """Inspections, observations and snapshots from a folder written by `export_csv`."""
    folder = Path(folder)
    header_attrs = {column: name for name, column, _l, _r in InspectionHeader.columns()}
    inspections: dict[str, Inspection] = {}
    for _line, row in read_csv_table(folder / f"{INSPECTIONS}.csv", ["InspectionID"]):
        header = InspectionHeader(**{attr: row.get(col) or "" for col, attr in
                                     header_attrs.items()})
        imperial = (row.get("IsImperial") or "TRUE").strip().upper() in ("TRUE", "1", "-1")
        inspections[row["InspectionID"].strip()] = Inspection(
            header=header, units=Units.FEET if imperial else Units.METRES)
    by_condition: dict[str, Observation] = {}
    conditions_path = folder / f"{CONDITIONS}.csv"
    for line, row in read_csv_table(conditions_path, CONDITION_COLUMNS[:5]):
        where = f"{conditions_path}, line {line}"
        owner = inspections.get((row.get("InspectionID") or "").strip())
        if owner is None:
            raise ExchangeError(f"{where}: InspectionID {row.get('InspectionID')!r} is not in "
                                f"{INSPECTIONS}.csv")
        obs = condition_from_row(row, where, table)
        owner.observations.append(obs)
        by_condition[row["ConditionID"].strip()] = obs
    _attach_media(folder, inspections, by_condition)
    return list(inspections.values())


def _attach_media(folder: Path, inspections: dict[str, Inspection],
                  by_condition: dict[str, Observation]) -> None:
    media = folder / f"{MEDIA_CONDITIONS}.csv"
    if media.exists():
        for line, row in read_csv_table(media, ["ConditionID", "Image_Name", "Image_Location"]):
            obs = by_condition.get(row["ConditionID"].strip())
            image = folder / row["Image_Location"] / row["Image_Name"]
            if obs is None:
                raise ExchangeError(f"{media}, line {line}: ConditionID {row['ConditionID']!r} "
                                    "is not in the conditions table")
            try:
                obs.snapshot_jpeg = image.read_bytes()
            except OSError as exc:
                raise ExchangeError(f"{media}, line {line}: image {image} cannot be read "
                                    f"({exc.strerror})") from exc
    videos = folder / f"{MEDIA_INSPECTIONS}.csv"
    if videos.exists():
        for _line, row in read_csv_table(videos, ["InspectionID", "Video_Name"]):
            inspection = inspections.get(row["InspectionID"].strip())
            if inspection is not None:
                location = (row.get("Video_Location") or "").strip()
                inspection.video_path = str(Path(location) / row["Video_Name"]) if location \
                    else row["Video_Name"]

