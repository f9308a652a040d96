import pytest

from sewer_gui.pacp.examples import sample_inspection
from sewer_gui.pacp.model import Observation, Origin, ReviewState, Units
from sewer_gui.pacp.ratings import (
    FamilyRating,
    InspectionRatings,
    continuous_occurrences,
    quick_rating,
    quick_rating_count,
    rate,
)


def test_first_worked_example_from_counts():
    structural = FamilyRating({1: 1, 2: 3, 3: 2, 4: 5, 5: 3})
    om = FamilyRating({1: 3, 2: 5, 3: 4, 4: 0, 5: 2})
    ratings = InspectionRatings(structural, om)
    # PACP.md prints "5354" here, which contradicts its own rule (highest grade 5 x3, then grade
    # 4 x5) and its O&M and overall figures, which follow the rule; the rule gives "5345".
    assert (structural.pipe_rating, structural.index, structural.quick) == (48, 3.43, "5345")
    assert (om.pipe_rating, om.index, om.quick) == (35, 2.5, "5234")
    overall = ratings.overall
    assert (overall.pipe_rating, overall.index, overall.quick) == (83, 2.96, "5545")
    row = ratings.as_exchange_row()
    assert row["STGradeScore4"] == 20 and row["OMGradeScore3"] == 12
    assert row["PACPQuickRating"] == "5545"


def test_second_worked_example_from_observations(code_table):
    inspection = sample_inspection()
    ratings = rate(inspection.observations, Units.FEET, code_table)
    assert ratings.structural.counts == {2: 1, 3: 3, 4: 2}
    assert ratings.structural.pipe_rating == 19
    assert ratings.structural.occurrences == 6
    assert ratings.structural.index == 3.17
    assert ratings.structural.quick == "4233"
    assert ratings.om.quick == "0000"


@pytest.mark.parametrize(("length", "units", "expected"), [
    (15.0, Units.FEET, 3), (15.1, Units.FEET, 4), (4.0, Units.FEET, 1), (0.0, Units.FEET, 1),
    (5.0, Units.FEET, 1), (5.01, Units.FEET, 2), (3.0, Units.METRES, 2), (3.1, Units.METRES, 3),
    (15.000000001, Units.FEET, 3),
])
def test_continuous_occurrences_per_started_length(length, units, expected):
    assert continuous_occurrences(length, units) == expected


@pytest.mark.parametrize(("count", "text"), [(0, "0"), (9, "9"), (10, "A"), (14, "A"), (15, "B"),
                                             (24, "C"), (25, "D")])
def test_quick_rating_letter_bands(count, text):
    assert quick_rating_count(count) == text


def test_quick_rating_single_grade_and_none():
    assert quick_rating({3: 4}) == "3400"
    assert quick_rating({}) == "0000"
    assert quick_rating({5: 12, 2: 1}) == "5A21"


def test_unreviewed_and_rejected_ai_suggestions_do_not_count(code_table):
    accepted = Observation(10, "CM", clock_from=1, clock_to=5)
    pending = Observation(20, "CM", clock_from=1, clock_to=5, origin=Origin.AI_SUGGESTED,
                          review=ReviewState.PENDING, confidence=0.9)
    rejected = Observation(30, "FM", clock_from=1, clock_to=5, origin=Origin.AI_SUGGESTED,
                           review=ReviewState.REJECTED)
    ratings = rate([accepted, pending, rejected], Units.FEET, code_table)
    assert ratings.structural.counts == {3: 1}


def test_percent_graded_om_codes(code_table):
    obs = [Observation(5, "DAE", clock_from=3, clock_to=9, percent=25),
           Observation(9, "DSF", clock_from=5, clock_to=7, percent=5)]
    assert rate(obs, Units.FEET, code_table).om.counts == {4: 1, 2: 1}


def test_metric_continuous_defect(code_table):
    obs = [Observation(2.0, "CL", continuous="S01", clock_from=3),
           Observation(5.0, "CL", continuous="F01", clock_from=3)]
    assert rate(obs, Units.METRES, code_table).structural.counts == {2: 2}
