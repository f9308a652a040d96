"""Ratings, the code table and `sewer-pacp ratings` with damaged values: messages, no crashes."""

import json
import math

import pytest

from sewer_gui.cli import main
from sewer_gui.pacp.codes import CodeTable, CodeTableError
from sewer_gui.pacp.model import Observation, Units
from sewer_gui.pacp.ratings import continuous_occurrences, rate
from sewer_gui.resources import code_table_path


@pytest.mark.parametrize("length", [math.nan, math.inf, -math.inf])
def test_non_finite_continuous_length_counts_once(length):
    assert continuous_occurrences(length, Units.FEET) == 1


def _run(start: float, finish: float) -> list[Observation]:
    return [Observation(start, "FL", continuous="S01", clock_from=3),
            Observation(finish, "FL", continuous="F01", clock_from=3),
            Observation(10.0, "CL", clock_from=12), Observation(5.0, "B", clock_from=11,
                                                                 clock_to=1)]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_distances_rate_the_same_in_any_row_order(code_table, bad):
    rows = _run(bad, 65.0)
    results = {json.dumps(rate(order, Units.FEET, code_table).as_exchange_row())
               for order in (rows, rows[::-1], rows[1:] + rows[:1], rows[2:] + rows[:2])}
    assert len(results) == 1


def test_ratings_command_keeps_odd_inspection_ids_as_text(tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_text("InspectionID,Distance,PACP_Code,Clock_At_From\n"
                    "\u00b2,1,CL,12\n007,2,CL,12\n-1,3,CL,12\n\u0661,4,CL,12\n",
                    encoding="utf-8")
    assert main(["ratings", str(path)]) == 0
    ids = [r["InspectionID"] for r in json.loads(capsys.readouterr().out)]
    assert ids == ["\u00b2", 7, "-1", "\u0661"]


def test_ratings_command_names_a_non_finite_distance(tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_text("InspectionID,Distance,PACP_Code\n1,inf,CL\n")
    assert main(["ratings", str(path)]) == 2
    assert "c.csv, line 2: Distance 'inf' is not a finite number" in capsys.readouterr().err


def test_code_table_with_a_huge_field_gives_a_message(tmp_path):
    text = code_table_path().read_text(encoding="utf-8")
    lines = text.splitlines()
    path = tmp_path / "codes.csv"
    path.write_text("\n".join([lines[0], lines[1] + '"' + "x" * 140_000 + '"', *lines[2:]]),
                    encoding="utf-8")
    with pytest.raises(CodeTableError, match="codes.csv: not a readable CSV file"):
        CodeTable.load(path)
