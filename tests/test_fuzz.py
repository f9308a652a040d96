"""Property-based fuzzing of exchange import, ratings and project opening (hypothesis).

CI runs the `ci` profile: a fixed, small number of examples per property (well under a minute
in all). `make fuzz` runs the `fuzz` profile, hundreds of times more, and prints statistics.
Every property says the same thing in its own place: hostile input ends in the module's own
error with a message, never in another exception, and what is accepted survives a round trip.
"""

from __future__ import annotations

import csv
import io
import math
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sewer_gui.exchange.cells import is_number
from sewer_gui.exchange.exchange import ExchangeError, build_tables, export_csv, import_csv
from sewer_gui.exchange.tables import CONDITIONS, INSPECTIONS, MEDIA_CONDITIONS, TABLES
from sewer_gui.pacp.codes import default_code_table
from sewer_gui.pacp.examples import sample_inspection
from sewer_gui.pacp.model import Inspection, InspectionHeader, Observation, Units
from sewer_gui.pacp.ratings import rate
from sewer_gui.pacp.validation import validate
from sewer_gui.storage.project_store import ProjectFileError, ProjectStore

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                     HealthCheck.data_too_large])
settings.register_profile("ci", max_examples=100, derandomize=True, database=None, **_COMMON)
settings.register_profile("fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "4000")),
                          **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

TABLE = default_code_table()
CODES = sorted(spec.code for spec in TABLE)

# Cells a careless or hostile file holds: numbers of every kind, formulas, control characters.
NASTY_CELLS = st.one_of(
    st.sampled_from(["", "nan", "NaN", "inf", "-inf", "1e309", "-0", "0x10", "1_000", " 3 ",
                     "=1+1", "+cmd", "-2", "@SUM(A1)", "'=x", "\t", "\r", "\x00", "12", "13",
                     "TRUE", "S01", "F01", "CL", "../../etc/passwd", "/dev/zero", "images",
                     "\u00b2", "\u0661", "9" * 400, "x" * 5000]),
    st.sampled_from(CODES),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10 ** 30), 10 ** 30).map(str),
    st.text(max_size=40),
)


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@st.composite
def exchange_folders(draw) -> dict[str, str | bytes]:
    """The files of an exchange folder: mostly well-formed tables with hostile cells, sometimes
    missing, truncated or raw bytes."""
    files: dict[str, str | bytes] = {}
    for name, columns in TABLES.items():
        kind = draw(st.sampled_from(["table", "table", "table", "missing", "bytes"]))
        if kind == "missing":
            continue
        if kind == "bytes":
            files[f"{name}.csv"] = draw(st.binary(max_size=300))
            continue
        header = draw(st.permutations(columns)) if draw(st.booleans()) else list(columns)
        header = header[: draw(st.integers(1, len(header)))] if draw(st.booleans()) else header
        rows = draw(st.lists(st.lists(NASTY_CELLS, min_size=0, max_size=len(header) + 2),
                             max_size=6))
        files[f"{name}.csv"] = _csv_text(header, rows)
    if draw(st.booleans()):
        files["images/x.jpg"] = draw(st.binary(max_size=64))
    return files


def _write_folder(root: Path, files: dict[str, str | bytes]) -> None:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")


@given(exchange_folders())
def test_any_exchange_folder_imports_or_says_why(files):
    with tempfile.TemporaryDirectory() as tmp:
        _write_folder(Path(tmp), files)
        try:
            inspections = import_csv(Path(tmp), TABLE)
        except ExchangeError as exc:
            assert str(exc)  # a message, naming the file
            return
    for inspection in inspections:  # what is accepted is usable downstream
        assert all(math.isfinite(o.distance) for o in inspection.observations)
        rate(inspection.observations, inspection.units, TABLE)
        validate(inspection, TABLE)
    build_tables(inspections, TABLE)


@given(st.dictionaries(st.sampled_from([c for c in TABLES[CONDITIONS]]), NASTY_CELLS,
                       min_size=3), st.integers(0, 7))
def test_any_condition_row_with_a_real_inspection_imports_or_names_file_and_line(row, where):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        export_csv([sample_inspection()], TABLE, folder)
        path = folder / f"{CONDITIONS}.csv"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        row.setdefault("InspectionID", "1")
        columns = TABLES[CONDITIONS]
        lines.insert(1 + where % (len(lines) - 1) if len(lines) > 1 else 1,
                     _csv_text(columns, [[row.get(c, "") for c in columns]]).split("\n", 1)[1])
        path.write_text("".join(lines), encoding="utf-8", newline="")
        (folder / f"{MEDIA_CONDITIONS}.csv").unlink()
        try:
            import_csv(folder, TABLE)
        except ExchangeError as exc:
            assert "PACP_Conditions.csv, line" in str(exc) or "PACP_" in str(exc)


# Any text but NUL, which the export drops (no CSV reader takes it); import strips remarks.
SAFE_TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
                    max_size=30).map(str.strip)
FINITE = st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 3))


@st.composite
def inspections(draw) -> Inspection:
    header = InspectionHeader(street=draw(SAFE_TEXT), city=draw(SAFE_TEXT),
                              location_details=draw(SAFE_TEXT))
    observations = []
    for distance in draw(st.lists(FINITE, unique=True, max_size=8)):
        spec = TABLE[draw(st.sampled_from(CODES))]
        clock = draw(st.integers(1, 12)) if spec.clock_positions else None
        observations.append(Observation(
            distance=distance, code=spec.code, remarks=draw(SAFE_TEXT), clock_from=clock,
            clock_to=draw(st.integers(1, 12)) if spec.clock_positions == 2 else None,
            percent=draw(st.one_of(st.none(), st.integers(0, 100).map(float)))))
    return Inspection(header=header, observations=observations,
                      units=draw(st.sampled_from(list(Units))))


@given(st.lists(inspections(), min_size=1, max_size=3))
def test_export_then_import_keeps_text_and_numbers(originals):
    with tempfile.TemporaryDirectory() as tmp:
        first, second = Path(tmp) / "a", Path(tmp) / "b"
        export_csv(originals, TABLE, first)
        back = import_csv(first, TABLE)
        export_csv(back, TABLE, second)
        for name in TABLES:
            assert (first / f"{name}.csv").read_bytes() == (second / f"{name}.csv").read_bytes()
        for text in (first / f"{CONDITIONS}.csv", first / f"{INSPECTIONS}.csv"):
            for row in csv.reader(io.StringIO(text.read_text(encoding="utf-8"), newline="")):
                assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r")
                               and not is_number(cell) for cell in row)
    for original, copy in zip(originals, back, strict=True):
        assert copy.header == original.header
        assert sorted((o.distance, o.code, o.remarks) for o in copy.observations) == \
            sorted((o.distance, o.code, o.remarks) for o in original.observations)


ODD_DISTANCES = st.one_of(FINITE, st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0]))


@given(st.lists(st.tuples(ODD_DISTANCES, st.sampled_from(CODES),
                          st.sampled_from(["", "S01", "F01", "S02", "F02", "X9"]),
                          st.one_of(st.none(), st.integers(1, 12)),
                          st.one_of(st.none(), st.floats(allow_nan=True))), max_size=12,
                unique_by=lambda row: row[0]),  # equal distances keep entry order, by design
       st.randoms(use_true_random=False), st.sampled_from(list(Units)))
def test_ratings_never_crash_and_ignore_row_order(rows, random, units):
    observations = [Observation(d, code, continuous=cont, clock_from=clock, percent=pct)
                    for d, code, cont, clock, pct in rows]
    first = rate(observations, units, TABLE).as_exchange_row()
    random.shuffle(observations)
    assert rate(observations, units, TABLE).as_exchange_row() == first
    assert all(isinstance(v, int | str) or math.isfinite(v) for v in first.values())


_COLUMNS = {"inspection": ["header_json", "units", "video_path", "model_used",
                           "calibration_json"],
            "observation": ["distance", "video_time", "code", "continuous", "value_1",
                            "percent", "joint", "clock_from", "clock_to", "remarks", "origin",
                            "confidence", "review", "position"],
            "snapshot": ["jpeg"]}
SQL_VALUES = st.one_of(st.none(), st.integers(-(2 ** 63), 2 ** 63 - 1), st.floats(),
                       st.text(max_size=30), st.binary(max_size=30),
                       st.sampled_from(["{}", "[]", "{\"street\": 5}", "[[1, 2]]", "ft", "m",
                                        "manual", "accepted", "pending", "[[\"a\", 1]]"]))
DAMAGE = st.one_of(
    st.tuples(st.just("sql"), st.sampled_from(sorted(_COLUMNS)), st.data()),
    st.tuples(st.just("bytes"), st.lists(st.tuples(st.integers(0, 2 ** 20),
                                                   st.integers(1, 255)), max_size=20),
              st.just(None)),
    st.tuples(st.just("truncate"), st.integers(0, 2 ** 16), st.just(None)),
)


@pytest.fixture(scope="module")
def pristine_project(tmp_path_factory, tiny_jpeg):
    path = tmp_path_factory.mktemp("fuzz") / "p.sewerproj"
    store = ProjectStore.create(path)
    store.save_inspection(sample_inspection(snapshot_jpeg=tiny_jpeg),
                          calibration=[(0.0, 0.0), (10.0, 4.0)])
    store.save_inspection(sample_inspection())
    store.close()
    return path


def _apply(path: Path, damage) -> None:
    kind, what, data = damage
    if kind == "sql":
        column = data.draw(st.sampled_from(_COLUMNS[what]))
        value = data.draw(SQL_VALUES)
        conn = sqlite3.connect(path)
        try:
            conn.execute(f"UPDATE {what} SET {column}=? WHERE rowid % 2 = ?",
                         (value, data.draw(st.integers(0, 1))))
            conn.commit()
        except (sqlite3.Error, UnicodeDecodeError):
            pass  # NOT NULL refuses NULL, or earlier damage left no table: not applicable
        finally:
            conn.close()
    elif kind == "bytes":
        raw = bytearray(path.read_bytes())
        for offset, mask in what if raw else ():
            raw[offset % len(raw)] ^= mask
        path.write_bytes(bytes(raw))
    else:
        raw = path.read_bytes()
        path.write_bytes(raw[: what % max(len(raw), 1)])


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(DAMAGE, min_size=1, max_size=3))
def test_a_damaged_project_opens_or_says_why(pristine_project, damages):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.sewerproj"
        shutil.copy(pristine_project, path)
        for damage in damages:
            _apply(path, damage)
        for read_only in (True, False):
            try:
                store = ProjectStore.open(path, read_only=read_only)
            except ProjectFileError as exc:
                assert str(path) in str(exc)
                continue
            try:
                loaded = store.inspections()
                for inspection in loaded:
                    store.calibration(inspection.id)
                    validate(inspection, TABLE)
                    rate(inspection.observations, inspection.units, TABLE)
                build_tables(loaded, TABLE)
            except ProjectFileError as exc:
                assert str(path) in str(exc)
            finally:
                store.close()
