"""Read exchange CSV tables back into inspections, refusing anything malformed or hostile.

Every problem ends in an ExchangeError whose message names the file, the line and the column.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path

from sewer_gui.exchange.cells import CellError, finite_number, restore
from sewer_gui.exchange.media import (
    MAX_TABLE_BYTES,
    MediaError,
    read_regular_file,
    read_snapshot,
    video_reference,
)
from sewer_gui.exchange.tables import CONDITIONS, INSPECTIONS, MEDIA_CONDITIONS, MEDIA_INSPECTIONS
from sewer_gui.pacp.codes import CodeTable
from sewer_gui.pacp.model import Inspection, InspectionHeader, Observation, Units

TableRow = dict[str, str]


class ExchangeError(ValueError):
    """A malformed exchange file; the message names the file, the line and the problem."""


def read_csv_table(path: Path, required: list[str]) -> list[tuple[int, TableRow]]:
    """Rows (every cell a restored string, missing cells empty) with their line numbers."""
    try:
        text = read_regular_file(Path(path), MAX_TABLE_BYTES).decode("utf-8-sig")
    except MediaError as exc:
        raise ExchangeError(f"{path}: cannot read ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise ExchangeError(f"{path}: not a readable CSV file (not UTF-8: {exc.reason})") from exc
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ExchangeError(f"{path}, line {line}: contains a NUL character (not a CSV file)")
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))  # only \r and \n end rows
        fieldnames = reader.fieldnames or []
        missing = [c for c in required if c not in fieldnames]
        if missing:
            raise ExchangeError(f"{path}: missing column(s) {', '.join(missing)}")
        return [(reader.line_num, {k: restore(v or "") for k, v in row.items()
                                   if isinstance(k, str) and isinstance(v, str | None)})
                for row in reader]
    except csv.Error as exc:
        raise ExchangeError(f"{path}: not a readable CSV file ({exc})") from exc


def _optional_float(text: str, where: str, column: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return finite_number(text)
    except CellError as exc:
        raise ExchangeError(f"{where}: {column} {exc}") from None


def _optional_clock(text: str, where: str, column: str) -> int | None:
    value = _optional_float(text, where, column)
    if value is None:
        return None
    if value != int(value) or not 1 <= value <= 12:
        raise ExchangeError(f"{where}: {column} {text!r} is not a clock position 1-12")
    return int(value)


def condition_from_row(row: TableRow, where: str, table: CodeTable) -> Observation:
    code = row.get("PACP_Code", "").strip().upper()
    if code not in table:
        raise ExchangeError(f"{where}: unknown PACP code {code!r}")
    distance = _optional_float(row.get("Distance", ""), where, "Distance")
    if distance is None:
        raise ExchangeError(f"{where}: Distance is empty")

    def number(column: str) -> float | None:
        return _optional_float(row.get(column, ""), where, column)

    return Observation(
        distance=distance, code=code, video_time=number("Counter"),
        continuous=row.get("Continuous", "").strip().upper(),
        value_1=number("Value_1st_Dimension"), value_2=number("Value_2nd_Dimension"),
        percent=number("Value_Percent"),
        joint=row.get("Joint", "").strip().upper() in ("TRUE", "1", "YES", "-1"),
        clock_from=_optional_clock(row.get("Clock_At_From", ""), where, "Clock_At_From"),
        clock_to=_optional_clock(row.get("Clock_To", ""), where, "Clock_To"),
        remarks=row.get("Remarks", "").strip(),
    )


def _key(row: TableRow, column: str, where: str) -> str:
    value = row.get(column, "").strip()
    if not value:
        raise ExchangeError(f"{where}: {column} is empty")
    return value


def read_conditions(path: Path, table: CodeTable) -> dict[str, list[Observation]]:
    """PACP_Conditions rows grouped by InspectionID, in file order."""
    grouped: dict[str, list[Observation]] = defaultdict(list)
    for line, row in read_csv_table(Path(path), ["InspectionID", "Distance", "PACP_Code"]):
        where = f"{path}, line {line}"
        grouped[_key(row, "InspectionID", where)].append(condition_from_row(row, where, table))
    return dict(grouped)


def _read_inspections(path: Path) -> dict[str, Inspection]:
    header_attrs = {column: name for name, column, _l, _r in InspectionHeader.columns()}
    inspections: dict[str, Inspection] = {}
    for line, row in read_csv_table(path, ["InspectionID"]):
        where = f"{path}, line {line}"
        key = _key(row, "InspectionID", where)
        if key in inspections:
            raise ExchangeError(f"{where}: InspectionID {key!r} appears twice")
        header = InspectionHeader(**{attr: row.get(col, "") for col, attr in header_attrs.items()})
        imperial = (row.get("IsImperial") or "TRUE").strip().upper() in ("TRUE", "1", "-1")
        inspections[key] = Inspection(header=header,
                                      units=Units.FEET if imperial else Units.METRES)
    return inspections


def import_csv(folder: Path, table: CodeTable) -> list[Inspection]:
    """Inspections, observations and snapshots from a folder written by `export_csv`."""
    folder = Path(folder)
    inspections = _read_inspections(folder / f"{INSPECTIONS}.csv")
    by_condition: dict[str, Observation] = {}
    conditions_path = folder / f"{CONDITIONS}.csv"
    required = ["ConditionID", "InspectionID", "Distance", "Counter", "PACP_Code"]
    for line, row in read_csv_table(conditions_path, required):
        where = f"{conditions_path}, line {line}"
        owner = inspections.get(row.get("InspectionID", "").strip())
        if owner is None:
            raise ExchangeError(f"{where}: InspectionID {row.get('InspectionID')!r} is not in "
                                f"{INSPECTIONS}.csv")
        obs = condition_from_row(row, where, table)
        owner.observations.append(obs)
        condition_id = row.get("ConditionID", "").strip()
        if condition_id and condition_id in by_condition:
            raise ExchangeError(f"{where}: ConditionID {condition_id!r} appears twice")
        by_condition[condition_id] = obs
    _attach_snapshots(folder, by_condition)
    _attach_videos(folder, inspections)
    return list(inspections.values())


def _attach_snapshots(folder: Path, by_condition: dict[str, Observation]) -> None:
    media = folder / f"{MEDIA_CONDITIONS}.csv"
    if not media.exists():
        return
    for line, row in read_csv_table(media, ["ConditionID", "Image_Name", "Image_Location"]):
        where = f"{media}, line {line}"
        obs = by_condition.get(_key(row, "ConditionID", where))
        if obs is None:
            raise ExchangeError(f"{where}: ConditionID {row['ConditionID']!r} "
                                "is not in the conditions table")
        try:
            obs.snapshot_jpeg = read_snapshot(folder, row.get("Image_Location", ""),
                                              _key(row, "Image_Name", where))
        except MediaError as exc:
            raise ExchangeError(f"{where}: image {exc}") from exc


def _attach_videos(folder: Path, inspections: dict[str, Inspection]) -> None:
    videos = folder / f"{MEDIA_INSPECTIONS}.csv"
    if not videos.exists():
        return
    for _line, row in read_csv_table(videos, ["InspectionID", "Video_Name"]):
        inspection = inspections.get(row.get("InspectionID", "").strip())
        if inspection is not None:
            inspection.video_path = video_reference(row.get("Video_Location", "").strip(),
                                                    row.get("Video_Name", "").strip())
