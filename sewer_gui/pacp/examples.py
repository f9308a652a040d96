"""A realistic sample inspection, used by the CLI's `sample` command, the tests and the demo."""

from __future__ import annotations

from sewer_gui.pacp.model import Inspection, InspectionHeader, Observation, Origin, Units


def sample_header() -> InspectionHeader:
    return InspectionHeader(
        surveyed_by="J. Rivera", certificate_number="U-1234-5678", owner="City of Example",
        customer="Public Works", drainage_area="North basin", pipe_segment_reference="SEG-0412",
        inspection_date="2026-11-20", inspection_time="09:40", street="Elm Street",
        city="Example City", upstream_mh="MH-17", downstream_mh="MH-18", sewer_use="SS",
        direction="Downstream", height="12", width="12", shape="C", material="VCP",
        pipe_joint_length="4", total_length="80", length_surveyed="80", year_laid="1962",
        purpose="D", weather="1", pre_cleaning="J",
    )


def sample_inspection(snapshot_jpeg: bytes | None = None) -> Inspection:
    """The second worked example of PACP.md wrapped in access points and a water level."""
    obs = [
        Observation(0.0, "AMH", video_time=0.0, remarks="MH-17"),
        Observation(0.0, "MWL", video_time=0.0, percent=5),
        Observation(12.3, "CL", video_time=95.0, clock_from=12, snapshot_jpeg=snapshot_jpeg,
                    origin=Origin.AI_CONFIRMED, confidence=0.91, model_id="cmi-demo"),
        Observation(40.0, "FM", video_time=301.0, clock_from=2, clock_to=10,
                    remarks="Fracture network at crown"),
        Observation(50.0, "FL", video_time=372.0, continuous="S01", clock_from=3),
        Observation(65.0, "FL", video_time=480.0, continuous="F01", clock_from=3),
        Observation(70.0, "B", video_time=512.0, clock_from=11, clock_to=1),
        Observation(80.0, "AMH", video_time=590.0, remarks="MH-18"),
    ]
    return Inspection(header=sample_header(), observations=obs, units=Units.FEET,
                      model_used="cmi-demo")
