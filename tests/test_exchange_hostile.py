"""Hostile and careless exchange folders: each ends in an ExchangeError naming file and line."""

import csv
import os
import sys

import pytest

from sewer_gui.exchange import media
from sewer_gui.exchange.cells import neutralise, restore
from sewer_gui.exchange.exchange import ExchangeError, export_csv, import_csv
from sewer_gui.pacp.examples import sample_inspection
from sewer_gui.pacp.model import Observation


@pytest.fixture
def exported(tmp_path, code_table, tiny_jpeg):
    folder = tmp_path / "exchange"
    export_csv([sample_inspection(snapshot_jpeg=tiny_jpeg)], code_table, folder)
    return folder


def _rewrite_media(folder, location, name):
    path = folder / "PACP_Media_Conditions.csv"
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0].update(Image_Location=location, Image_Name=name)
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize("location,name", [
    ("/etc", "passwd"), ("../..", "etc/passwd"), ("images", "../../outside.jpg"), ("", ""),
])
def test_images_outside_the_exchange_folder_are_refused(exported, code_table, location, name):
    (exported.parent / "outside.jpg").write_bytes(b"\xff\xd8\xff secret")
    _rewrite_media(exported, location, name)
    with pytest.raises(ExchangeError, match=r"PACP_Media_Conditions\.csv, line 2: "):
        import_csv(exported, code_table)


def test_symlink_out_of_the_folder_is_refused(exported, code_table, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("password")
    (exported / "images" / "link.jpg").symlink_to(secret)
    _rewrite_media(exported, "images", "link.jpg")
    with pytest.raises(ExchangeError, match="outside the exchange folder"):
        import_csv(exported, code_table)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_and_device_are_never_opened(exported, code_table):
    os.mkfifo(exported / "images" / "pipe.jpg")  # opening it would block forever
    _rewrite_media(exported, "images", "pipe.jpg")
    with pytest.raises(ExchangeError, match="not a regular file"):
        import_csv(exported, code_table)


def test_oversized_and_non_image_snapshots_are_refused(exported, code_table, monkeypatch):
    (exported / "images" / "text.jpg").write_text("not an image at all")
    _rewrite_media(exported, "images", "text.jpg")
    with pytest.raises(ExchangeError, match="not a JPEG or PNG image"):
        import_csv(exported, code_table)
    monkeypatch.setattr(media, "MAX_SNAPSHOT_BYTES", 10)
    _rewrite_media(exported, "images", "I0001_C00003.jpg")
    with pytest.raises(ExchangeError, match="larger than"):
        import_csv(exported, code_table)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX device file")
def test_table_that_is_a_device_is_refused(tmp_path, code_table):
    (tmp_path / "PACP_Inspections.csv").symlink_to("/dev/zero")
    with pytest.raises(ExchangeError, match="PACP_Inspections.csv: cannot read .*not a regular"):
        import_csv(tmp_path, code_table)


@pytest.mark.parametrize("location,name,stored", [
    ("", "run1.mp4", "run1.mp4"), ("video", "run1.mp4", "video/run1.mp4"),
    ("/dev", "zero", "zero"), (r"C:\Videos", "run1.mp4", "run1.mp4"),
    ("../..", "run1.mp4", "run1.mp4"), ("", "../../etc/passwd", "passwd"),
])
def test_video_references_stay_relative_to_the_project(location, name, stored):
    assert media.video_reference(location, name) == stored


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)",
                                  "\tcmd", "\rcmd", "'=already quoted", "''+x"])
def test_formula_text_is_neutralised_and_restored(text):
    written = neutralise(text)
    assert written.startswith("'") and restore(written) == text


@pytest.mark.parametrize("text", ["-5", "+3.5", "1e3", "Crack at crown", "'quoted", ""])
def test_numbers_and_plain_text_are_written_verbatim(text):
    assert neutralise(text) == text and restore(text) == text


def test_formula_remarks_survive_export_and_import(tmp_path, code_table):
    inspection = sample_inspection()
    inspection.observations[3].remarks = "=cmd|' /C calc'!A0"
    inspection.header.street = "@evil"
    inspection.observations.append(Observation(-2.0, "MWL", percent=5, remarks="-negative"))
    export_csv([inspection], code_table, tmp_path)
    text = (tmp_path / "PACP_Conditions.csv").read_text(encoding="utf-8")
    cells = [cell for row in csv.reader(text.splitlines()) for cell in row]
    assert "'=cmd|' /C calc'!A0" in cells and "-2" in cells  # numbers stay numbers
    assert not any(cell[:1] in "=+@\t\r" for cell in cells if cell)
    back = import_csv(tmp_path, code_table)[0]
    assert back.header.street == "@evil"
    assert {o.remarks for o in back.observations} >= {"=cmd|' /C calc'!A0", "-negative"}


@pytest.mark.parametrize("column,value", [
    ("Distance", "nan"), ("Distance", "inf"), ("Counter", "-inf"), ("Value_Percent", "1e309"),
    ("Clock_At_From", "nan"), ("Clock_To", "1e309"),
])
def test_non_finite_numbers_name_file_line_and_column(exported, code_table, column, value):
    path = exported / "PACP_Conditions.csv"
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[2][column] = value
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(ExchangeError,
                       match=rf"PACP_Conditions\.csv, line 4: {column} '{value}' is not a"):
        import_csv(exported, code_table)


@pytest.mark.parametrize("damage", [
    lambda t: t.replace("\n3,1,", "\n3\n", 1),  # short row
    lambda t: t.replace("FM", "F\x00M"),  # NUL byte
    lambda t: t + "9,1,5,,CL,,,,,FALSE,12,,,,extra,cells\n",  # long row
    lambda t: t.replace("\n1,1,", "\n1,,", 1),  # no inspection id
])
def test_damaged_rows_give_messages_not_crashes(exported, code_table, damage):
    path = exported / "PACP_Conditions.csv"
    path.write_text(damage(path.read_text()))
    try:
        import_csv(exported, code_table)
    except ExchangeError as exc:
        assert "PACP_Conditions.csv" in str(exc)


def test_duplicate_inspection_ids_are_refused(exported, code_table):
    path = exported / "PACP_Inspections.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines + lines[1:]))
    with pytest.raises(ExchangeError, match=r"line 3: InspectionID '1' appears twice"):
        import_csv(exported, code_table)


def test_two_exports_into_one_folder_and_a_full_disk_leave_whole_files(exported, code_table,
                                                                       monkeypatch):
    before = (exported / "PACP_Conditions.csv").read_bytes()

    def full_disk(self, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("pathlib.Path.write_bytes", full_disk)
    with pytest.raises(ExchangeError, match="Could not write .*No space left"):
        export_csv([sample_inspection()], code_table, exported)
    monkeypatch.undo()
    assert (exported / "PACP_Conditions.csv").read_bytes() == before
    assert not [p for p in exported.iterdir() if p.name.endswith(".tmp")]


def test_concurrent_exports_into_one_folder_both_succeed(tmp_path, code_table):
    from concurrent.futures import ThreadPoolExecutor

    from sewer_gui.exchange.exchange import export_sqlite

    def export(_n):
        export_csv([sample_inspection()], code_table, tmp_path)
        return export_sqlite([sample_inspection()], code_table, tmp_path / "x.sqlite")

    with ThreadPoolExecutor(4) as pool:
        assert len(list(pool.map(export, range(8)))) == 8
    assert len(import_csv(tmp_path, code_table)[0].observations) == 8
