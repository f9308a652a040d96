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


def test_validate_and_import_name_bad_header_values(tmp_path, code_table, capsys):
    from sewer_gui.cli import main
    from sewer_gui.exchange.exchange import export_csv
    from sewer_gui.pacp.examples import sample_inspection
    from sewer_gui.storage.project_store import ProjectStore

    inspection = sample_inspection()
    h = inspection.header
    h.inspection_date, h.inspection_time, h.direction, h.height = \
        "13/31/2025", "25:99", "sideways", "twelve"
    h.material = "vitrified clay pipe"  # a description: taken and stored as its code
    export_csv([inspection], code_table, tmp_path / "x")
    project = tmp_path / "in.sewerproj"
    assert main(["import", str(tmp_path / "x"), "--project", str(project)]) == 0
    err = capsys.readouterr().err
    for field in ("Inspection date: '13/31/2025'", "Inspection time: '25:99'",
                  "Direction (Upstream/Downstream): 'sideways'", "Height: 'twelve'"):
        assert field in err
    store = ProjectStore.open(project, read_only=True)
    [imported] = store.inspections()
    store.close()
    assert imported.header.material == "VCP" and imported.header.direction == "sideways"
    assert main(["validate", str(project)]) == 1
    out = capsys.readouterr().out
    assert "header: Height: 'twelve' is not a number" in out
