"""A job of many inspections: next segment, duplicate, the segment rows and the job summary."""

from __future__ import annotations

from ml.classes import CrackClass
from ml.runtime.scan import DefectEvent
from sewer_gui.cli import main
from sewer_gui.job import JOB_FIELDS, decided_by, duplicate, next_segment, segment_row
from sewer_gui.pacp.examples import sample_inspection
from sewer_gui.pacp.model import Observation, Origin, ReviewState
from sewer_gui.report.job_summary import write_job_summary
from sewer_gui.storage.project_store import ProjectStore


def test_next_segment_copies_the_job_fields_and_moves_down_one_manhole():
    first = sample_inspection()
    second = next_segment(first)
    assert second.header.upstream_mh == "MH-18" and second.header.downstream_mh == ""
    for name in JOB_FIELDS:
        assert getattr(second.header, name) == getattr(first.header, name)
    assert second.header.surveyed_by == "J. Rivera" and second.header.material == "VCP"
    assert second.header.pipe_segment_reference == "" and second.header.length_surveyed == ""
    assert second.observations == [] and second.video_path == "" and second.id is None
    assert second.units is first.units


def test_duplicate_copies_observations_without_sharing_them():
    original = sample_inspection()
    original.id = 7
    copy = duplicate(original)
    assert copy.id is None and len(copy.observations) == len(original.observations)
    assert all(o.id is None for o in copy.observations)
    copy.observations[0].remarks = "changed"
    copy.header.city = "Elsewhere"
    assert original.observations[0].remarks == "MH-17" and original.header.city != "Elsewhere"


def test_segment_row_counts_observations_review_progress_and_grades(code_table):
    inspection = sample_inspection()
    inspection.observations.append(Observation(30.0, "CC", origin=Origin.AI_SUGGESTED,
                                               review=ReviewState.PENDING, confidence=0.6))
    row = segment_row(inspection, code_table)
    assert (row.segment, row.upstream_mh, row.downstream_mh) == ("SEG-0412", "MH-17", "MH-18")
    assert row.observations == 8  # the pending suggestion does not count
    assert (row.ai_reviewed, row.ai_total, row.review_text) == (1, 2, "1/2")
    assert sum(row.grade_counts) > 0 and len(row.rating_cells()) == 9
    assert row.rating_cells()[0] == str(row.ratings.structural.pipe_rating)


def test_after_a_scan_review_progress_counts_the_candidates_decided(code_table):
    inspection = sample_inspection()
    timed = next(o for o in inspection.observations if o.video_time is not None)
    events = [DefectEvent(CrackClass.CL, "CL", timed.video_time - 0.5, timed.video_time + 0.2,
                          timed.video_time, 0, 0.9),
              DefectEvent(CrackClass.CM, "CM", 5000.0, 5001.0, 5000.5, 0, 0.8)]
    row = segment_row(inspection, code_table, events)
    assert (row.candidates_reviewed, row.candidates_total, row.review_text) == (1, 2, "1/2")
    assert decided_by(events[0], inspection.observations) is timed
    assert decided_by(events[1], inspection.observations) is None
    assert segment_row(inspection, code_table, []).review_text == "0/0"  # scanned, none found
    never = segment_row(inspection, code_table)  # never scanned: the AI rows
    assert never.review_text == f"{never.ai_reviewed}/{never.ai_total}" and not never.scanned


def _job_project(path, count: int):
    store = ProjectStore.create(path)
    previous = sample_inspection()
    for k in range(count):
        inspection = previous if k == 0 else next_segment(previous)
        inspection.header.pipe_segment_reference = f"SEG-{k:03d}"
        inspection.header.downstream_mh = f"MH-{20 + k}"
        store.save_inspection(inspection)
        previous = inspection
    store.close()
    return path


def _pdf_text(path) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def test_report_command_writes_the_job_summary_beside_each_report(tmp_path, capsys):
    project = _job_project(tmp_path / "job.sewerproj", 3)
    out = tmp_path / "pdf" / "job.pdf"
    assert main(["report", str(project), "--pdf", str(out)]) == 0
    written = capsys.readouterr().out.split()
    assert written == [str(out.with_name(f"job_{k}.pdf")) for k in (1, 2, 3)] + [
        str(out.with_name("job_summary.pdf"))]
    text = _pdf_text(written[-1])
    assert "Job summary" in text and "3 inspection(s)" in text
    for k in range(3):
        assert f"SEG-{k:03d}" in text and f"MH-{20 + k}" in text


def test_summary_survives_hostile_header_text(tmp_path, code_table):
    inspection = sample_inspection()
    inspection.header.pipe_segment_reference = "<b>SEG & 'x'</b>" + "x" * 500
    out = write_job_summary([inspection], code_table, tmp_path / "s.pdf", "a<b>.sewerproj")
    assert out.read_bytes().startswith(b"%PDF")
