import pytest

from sewer_gui.pacp.clock import format_clock, parse_clock
from sewer_gui.pacp.header_rules import LookupTable, LookupTableError, default_lookups, normalise


@pytest.mark.parametrize(("text", "expected"), [
    ("3", (3, None)), ("3 9", (3, 9)), ("10-2", (10, 2)), (" 12 to 3 ", (12, 3)),
    ("", (None, None)),
])
def test_typed_clock_positions(text, expected):
    assert parse_clock(text) == expected
    assert parse_clock(format_clock(*expected)) == expected


@pytest.mark.parametrize("text", ["13", "0", "three", "1 2 3", "3-"])
def test_bad_clock_text_says_why(text):
    with pytest.raises(ValueError, match="clock position"):
        parse_clock(text)


def test_header_values_are_normalised():
    lookups = default_lookups()
    assert normalise("inspection_date", "3/5/2025", lookups) == "2025-03-05"
    assert normalise("inspection_time", "940", lookups) == "09:40"
    assert normalise("direction", "downstream", lookups) == "D"
    assert normalise("material", "vcp", lookups) == "VCP"
    assert normalise("height", "12.0", lookups) == "12"
    assert normalise("street", " Elm ", lookups) == "Elm"
    for name, bad in (("inspection_date", "13/31/2025"), ("inspection_time", "25:99"),
                      ("direction", "sideways"), ("height", "twelve"), ("height", "0"),
                      ("year_laid", "1492"), ("weather", "sunny")):
        with pytest.raises(ValueError):
            normalise(name, bad, lookups)


def test_lookup_table_is_data_and_bad_files_are_named(tmp_path):
    lookups = default_lookups()
    assert {"direction", "shape", "material", "purpose", "weather", "sewer_use", "flow_control",
            "pre_cleaning"} <= set(lookups.fields())
    assert lookups.describe("material", "VCP") == "Vitrified clay pipe"
    bad = tmp_path / "lookups.csv"
    bad.write_text("field,code\nshape,C\n")
    with pytest.raises(LookupTableError, match="lookups.csv: needs columns"):
        LookupTable.load(bad)
    with pytest.raises(LookupTableError, match="cannot read"):
        LookupTable.load(tmp_path / "missing.csv")
