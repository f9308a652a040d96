import json
import shutil
import subprocess

import pytest

from sewer_gui.cli import main
from sewer_gui.pacp.examples import sample_inspection
from sewer_gui.report.pdf_report import ReportError, write_report


@pytest.fixture
def sample_project(tmp_path):
    path = tmp_path / "sample.sewerproj"
    assert main(["sample", str(path)]) == 0
    return path


def test_ratings_command_prints_one_object_per_inspection(tmp_path, capsys):
    csv_path = tmp_path / "PACP_Conditions.csv"
    csv_path.write_text(
        "ConditionID,InspectionID,Distance,Counter,PACP_Code,Continuous,Value_1st_Dimension,"
        "Value_2nd_Dimension,Value_Percent,Joint,Clock_At_From,Clock_To,Remarks,VCR_Time\n"
        "1,1,12.3,,CL,,,,,FALSE,12,,,\n2,1,40,,FM,,,,,FALSE,2,10,,\n"
        "3,1,50,,FL,S01,,,,FALSE,3,,,\n4,1,65,,FL,F01,,,,FALSE,3,,,\n5,1,70,,B,,,,,FALSE,11,1,,\n"
        "6,2,0,,DAE,,,,25,FALSE,3,9,,\n")
    assert main(["ratings", str(csv_path), "--units", "ft"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [r["InspectionID"] for r in result] == [1, 2]
    assert result[0]["STPipeRating"] == 19 and result[0]["STQuickRating"] == "4233"
    assert result[1]["OMQuickRating"] == "4100" and result[1]["OverallPipeRating"] == 4


def test_ratings_command_reports_malformed_csv(tmp_path, capsys):
    bad = tmp_path / "c.csv"
    bad.write_text("InspectionID,Distance,PACP_Code\n1,3,NOPE\n")
    assert main(["ratings", str(bad)]) == 2
    assert "c.csv, line 2: unknown PACP code 'NOPE'" in capsys.readouterr().err


def test_validate_export_and_report_on_sample_project(sample_project, tmp_path, capsys):
    assert main(["validate", str(sample_project)]) == 0
    assert "0 finding(s)" in capsys.readouterr().out
    out_dir = tmp_path / "exchange"
    assert main(["export", str(sample_project), "--exchange", str(out_dir)]) == 0
    assert (out_dir / "PACP_Conditions.csv").exists()
    assert (out_dir / "PACP_exchange.sqlite").exists()
    imported = tmp_path / "imported.sewerproj"
    assert main(["import", str(out_dir), "--project", str(imported)]) == 0
    assert "1 inspection(s), 8 observation(s)" in capsys.readouterr().out
    assert main(["validate", str(imported)]) == 0
    pdf = tmp_path / "report.pdf"
    assert main(["report", str(sample_project), "--pdf", str(pdf)]) == 0
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 3000


def test_corrupt_project_gives_clear_error(tmp_path, capsys):
    bad = tmp_path / "bad.sewerproj"
    bad.write_bytes(b"garbage" * 500)
    assert main(["validate", str(bad)]) == 2
    assert "bad.sewerproj" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_report_text_has_ratings_and_observations(tmp_path, tiny_jpeg, code_table):
    pdf = write_report(sample_inspection(tiny_jpeg), code_table, tmp_path / "r.pdf",
                       project_file="demo.sewerproj")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "4233" in text and "3.17" in text
    assert "Fracture, multiple" in text and "Page 1 of 1" in text
    assert "model: cmi-demo" in text


def test_report_into_unwritable_place_names_the_file(tmp_path, code_table):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ReportError, match="Could not write the report"):
        write_report(sample_inspection(), code_table, blocker / "r.pdf")
