import csv
import sqlite3

import pytest

from sewer_gui.exchange.exchange import ExchangeError, export_csv, export_sqlite, import_csv
from sewer_gui.exchange.tables import CONDITION_COLUMNS, RATING_COLUMNS, TABLES
from sewer_gui.pacp.examples import sample_inspection
from sewer_gui.pacp.model import Observation, Origin, ReviewState


def _read_all(folder):
    return {name: (folder / f"{name}.csv").read_text(encoding="utf-8") for name in TABLES}


def test_export_import_export_gives_the_same_tables(tmp_path, code_table, tiny_jpeg):
    inspection = sample_inspection(snapshot_jpeg=tiny_jpeg)
    inspection.video_path = "video/run1.mp4"
    first, second = tmp_path / "a", tmp_path / "b"
    export_csv([inspection, sample_inspection()], code_table, first)
    imported = import_csv(first, code_table)
    export_csv(imported, code_table, second)
    assert _read_all(first) == _read_all(second)
    assert (second / "images").is_dir()
    assert imported[0].observations[2].snapshot_jpeg == tiny_jpeg


def test_exported_columns_follow_the_exchange_layout(tmp_path, code_table):
    export_csv([sample_inspection()], code_table, tmp_path)
    with open(tmp_path / "PACP_Conditions.csv", newline="") as handle:
        reader = csv.reader(handle)
        assert next(reader) == CONDITION_COLUMNS
        rows = list(reader)
    fl_start = next(r for r in rows if r[5] == "S01")
    assert fl_start[2:6] == ["50", "372", "FL", "S01"] and fl_start[9] == "FALSE"
    with open(tmp_path / "PACP_Ratings.csv", newline="") as handle:
        ratings = list(csv.DictReader(handle))
    assert list(ratings[0]) == RATING_COLUMNS
    assert ratings[0]["STQuickRating"] == "4233" and ratings[0]["STPipeRating"] == "19"


def test_pending_and_rejected_ai_rows_stay_out_of_the_export(tmp_path, code_table):
    inspection = sample_inspection()
    inspection.observations.append(Observation(20, "CC", clock_from=1, clock_to=12,
                                               origin=Origin.AI_SUGGESTED,
                                               review=ReviewState.PENDING))
    inspection.observations.append(Observation(21, "CC", clock_from=1, clock_to=12,
                                               origin=Origin.AI_SUGGESTED,
                                               review=ReviewState.REJECTED))
    export_csv([inspection], code_table, tmp_path)
    text = (tmp_path / "PACP_Conditions.csv").read_text()
    assert ",CC," not in text


def test_sqlite_copy_has_the_same_tables(tmp_path, code_table):
    path = export_sqlite([sample_inspection()], code_table, tmp_path / "x.sqlite")
    conn = sqlite3.connect(path)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert names == set(TABLES)
    assert conn.execute("SELECT COUNT(*) FROM PACP_Conditions").fetchone()[0] == 8
    assert conn.execute("SELECT PACPQuickRating FROM PACP_Ratings").fetchone()[0] == "4233"
    conn.close()


def test_unknown_code_names_file_and_line(tmp_path, code_table):
    export_csv([sample_inspection()], code_table, tmp_path)
    path = tmp_path / "PACP_Conditions.csv"
    path.write_text(path.read_text().replace(",FM,", ",QQ,"))
    with pytest.raises(ExchangeError, match=r"PACP_Conditions\.csv, line 5: unknown PACP code 'QQ'"):
        import_csv(tmp_path, code_table)


def test_bad_number_and_missing_column(tmp_path, code_table):
    export_csv([sample_inspection()], code_table, tmp_path)
    path = tmp_path / "PACP_Conditions.csv"
    original = path.read_text()
    path.write_text(original.replace("12.3,", "twelve,"))
    with pytest.raises(ExchangeError, match="Distance 'twelve' is not a number"):
        import_csv(tmp_path, code_table)
    path.write_text(original.replace("PACP_Code", "Code"))
    with pytest.raises(ExchangeError, match="missing column"):
        import_csv(tmp_path, code_table)


def test_missing_table_file(tmp_path, code_table):
    with pytest.raises(ExchangeError, match="PACP_Inspections.csv: cannot read"):
        import_csv(tmp_path, code_table)
