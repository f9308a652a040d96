from sewer_gui.pacp.examples import sample_inspection
from sewer_gui.pacp.model import Inspection, InspectionHeader, Observation, Origin, ReviewState
from sewer_gui.pacp.validation import Severity, blocking, validate, validate_observation


def messages(findings):
    return [f.message for f in findings]


def test_sample_inspection_is_clean(code_table):
    assert validate(sample_inspection(), code_table) == []


def test_clock_rules(code_table):
    assert any("clock position is missing" in m for m in messages(
        validate_observation(Observation(5, "CL"), code_table)))
    assert "a point defect takes one clock position only" in messages(
        validate_observation(Observation(5, "CL", clock_from=3, clock_to=4), code_table))
    assert "clock 'to' position is missing" in messages(
        validate_observation(Observation(5, "CC", clock_from=3), code_table))
    assert "this code takes no clock position" in messages(
        validate_observation(Observation(5, "JOM", clock_from=3), code_table))
    assert any("not a clock position" in m for m in messages(
        validate_observation(Observation(5, "CL", clock_from=13), code_table)))


def test_percent_and_remarks_rules(code_table):
    assert "percent 12 is not to the nearest 5" in messages(
        validate_observation(Observation(0, "MWL", percent=12), code_table))
    assert "percent is required" in messages(validate_observation(Observation(0, "MWL"),
                                                                  code_table))
    assert "remarks are required for this code" in messages(
        validate_observation(Observation(3, "MGO"), code_table))
    assert "unknown code 'ZZZ'" in messages(validate_observation(Observation(3, "ZZZ"),
                                                                 code_table))


def test_never_continuous_codes(code_table):
    found = messages(validate_observation(Observation(3, "X", continuous="S01", percent=50),
                                          code_table))
    assert any("cannot be continuous" in m for m in found)
    found = messages(validate_observation(Observation(3, "TFA", continuous="S01", clock_from=2),
                                          code_table))
    assert any("cannot be continuous" in m for m in found)


def _inspection(*obs: Observation) -> Inspection:
    head = [Observation(0, "AMH", remarks="MH1"), Observation(0, "MWL", percent=5)]
    return Inspection(header=sample_inspection().header, observations=head + list(obs))


def test_continuous_pairs(code_table):
    unfinished = validate(_inspection(Observation(5, "CL", continuous="S01", clock_from=2)),
                          code_table)
    assert "S01 has no finish F01" in messages(unfinished)
    orphan = validate(_inspection(Observation(5, "CL", continuous="F02", clock_from=2)),
                      code_table)
    assert "F02 has no matching S02" in messages(orphan)
    mismatch = validate(_inspection(Observation(5, "CL", continuous="S01", clock_from=2),
                                    Observation(9, "FL", continuous="F01", clock_from=3)),
                        code_table)
    assert "F01 code FL differs from the start's CL" in messages(mismatch)
    assert "F01 clock positions differ from the start's" in messages(mismatch)
    backwards = validate(_inspection(Observation(9, "CL", continuous="S01", clock_from=2),
                                     Observation(5, "CL", continuous="F01", clock_from=2)),
                         code_table)
    assert "F01 lies before its start" in messages(backwards)


def test_msa_must_be_last_and_closes_continuous(code_table):
    found = validate(_inspection(Observation(5, "CL", continuous="S01", clock_from=2),
                                 Observation(10, "MSA", remarks="Blocked"),
                                 Observation(12, "CL", continuous="F01", clock_from=2)),
                     code_table)
    assert "survey abandoned (MSA) must be the last code" in messages(found)
    assert "continuous defect finishes after MSA" in messages(found)


def test_missing_access_point_water_level_and_header(code_table):
    inspection = Inspection(header=InspectionHeader(),
                            observations=[Observation(10, "CL", clock_from=2)])
    found = validate(inspection, code_table)
    assert "no access point (e.g. AMH) coded at distance 0" in messages(found)
    water = [f for f in found if "MWL" in f.message]
    assert water and water[0].severity is Severity.WARNING
    assert "required field 'Surveyed by' is empty" in messages(found)
    # The crack at 10 is not at fault: the missing start codes are the inspection's.
    start = [f for f in found if "distance 0" in f.message]
    assert [(f.observation, f.scope) for f in start] == [(None, "inspection")] * 2
    assert start[0].describe() == ("error: inspection: no access point (e.g. AMH) coded at "
                                   "distance 0")
    assert blocking(found)
    water_at_start = Observation(0, "MWL", percent=10)
    inspection.observations.insert(0, water_at_start)
    [access] = [f for f in validate(inspection, code_table)
                if "access point (e.g. AMH) coded at distance 0" in f.message]
    assert access.observation is water_at_start  # a row at 0 is where the AMH belongs


def test_pending_ai_suggestions_are_reported_but_not_validated(code_table):
    pending = Observation(5, "CL", origin=Origin.AI_SUGGESTED, review=ReviewState.PENDING)
    found = validate(_inspection(pending), code_table)
    assert [f.severity for f in found] == [Severity.WARNING]
    assert found[0].observation is pending


def test_survey_ends_at_an_access_point_at_the_surveyed_length(code_table):
    inspection = sample_inspection()
    end = inspection.observations.pop()  # the AMH at 80
    assert any("no access point (e.g. AMH) coded at the end" in m
               for m in messages(validate(inspection, code_table)))
    inspection.observations.append(Observation(60, "MSA", remarks="blocked"))
    inspection.observations = [o for o in inspection.observations if o.distance <= 60
                               and o.continuous != "S01"]
    assert not any("at the end" in m for m in messages(validate(inspection, code_table)))
    inspection = sample_inspection()
    end = inspection.observations[-1]
    end.distance = 70.0
    warnings = [f for f in validate(inspection, code_table) if f.observation is end]
    assert [f.message for f in warnings] == [
        "end access point at 70 but the header's length surveyed is 80",
        "end access point at 70 but the header's total length is 80; code MSA if the survey "
        "was abandoned"]


def test_the_survey_end_is_the_msa_or_the_farthest_access_point(code_table):
    """What a trial missed: total length 120 ft, the survey ended at AMH 10 ft, no warning."""
    from sewer_gui.pacp.validation import survey_end

    inspection = sample_inspection()
    assert survey_end(inspection, code_table) is inspection.observations[-1]  # AMH at 80
    inspection.header.length_surveyed, inspection.header.total_length = "", "120"
    found = messages(validate(inspection, code_table))
    assert "end access point at 80 but the header's total length is 120; code MSA if the " \
        "survey was abandoned" in found
    inspection.observations.pop()
    assert survey_end(inspection, code_table) is None  # the end is not coded yet
    blocked = Observation(60, "MSA", remarks="blocked")
    inspection.observations.append(blocked)
    assert survey_end(inspection, code_table) is blocked
    assert not any("total length" in m for m in messages(validate(inspection, code_table)))


def test_header_values_are_typed(code_table):
    inspection = sample_inspection()
    h = inspection.header
    h.inspection_date, h.inspection_time, h.direction = "13/31/2025", "25:99", "sideways"
    h.height, h.year_laid, h.material = "twelve", "2999", "VCP"
    found = [m for m in messages(validate(inspection, code_table)) if ":" in m]
    assert any(m.startswith("Inspection date: '13/31/2025' is not a date") for m in found)
    assert any(m.startswith("Inspection time: '25:99' is not a time") for m in found)
    assert any(m.startswith("Direction (Upstream/Downstream): 'sideways' is not a code")
               for m in found)
    assert any(m.startswith("Height: 'twelve' is not a number") for m in found)
    assert any(m.startswith("Year laid: 2999 is outside") for m in found)
    assert not any(m.startswith("Material") for m in found)


def test_a_percent_graded_code_without_its_percent_is_an_error(code_table):
    """Found by a keys-only trial: a DAE without a percent had no grade and no finding."""
    deposit = Observation(10, "DAE", clock_from=4, clock_to=8)
    found = [f for f in validate(_inspection(deposit), code_table)
             if f.observation is deposit and "percent" in f.message]
    assert [f.message for f in found] == ["percent is required: the grade depends on it"]
    assert blocking(found)
    deposit.percent = 15
    finish = Observation(20, "DAE", continuous="F01", clock_from=4, clock_to=8)  # not rated
    deposit.continuous = "S01"
    assert not [f for f in validate(_inspection(deposit, finish), code_table)
                if f.observation in (deposit, finish) and "percent" in f.message]


def test_a_title_names_a_missing_manhole_as_unknown():
    """Found by a keys-only trial: the PDF subtitle read "Segment ( - MH-19)"."""
    inspection = Inspection(header=InspectionHeader(downstream_mh="MH-19"))
    assert inspection.title() == "Segment (? - MH-19)"
    inspection.header.pipe_segment_reference, inspection.header.upstream_mh = "S-1", "MH-18"
    assert inspection.title() == "S-1 (MH-18 - MH-19)"


def test_a_finding_names_the_field_at_fault(code_table):
    """The table marks that cell as well as the code (a trial looked for the MWL's percent)."""
    def fields(obs):
        return {f.message: f.field for f in validate_observation(obs, code_table)}

    assert fields(Observation(0, "MWL")) == {"percent is required": "percent"}
    assert fields(Observation(5, "CC", clock_from=3)) == {"clock 'to' position is missing":
                                                          "clock_to"}
    assert fields(Observation(3, "MGO"))["remarks are required for this code"] == "remarks"
    assert fields(Observation(-1, "MWL", percent=10)) == {"distance is negative": "distance"}
