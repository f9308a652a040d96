"""The threshold sweep's fair comparison: each model at the same real-frame claim rate."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "threshold_sweep.py"
_spec = importlib.util.spec_from_file_location("threshold_sweep", _PATH)
sweep = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sweep)


@pytest.mark.parametrize("rate", [0.0, 0.1, 0.25, 0.5, 1.0])
def test_at_claims_is_the_lowest_threshold_within_the_rate(rate):
    real_p = np.random.default_rng(0).random(40)
    t = sweep._at_claims(rate, real_p)
    assert np.mean(real_p >= t) <= rate + 1e-9
    assert round(t, 4) == t  # what is printed is what was measured
    assert t == 0.0 or np.mean(real_p >= t - 1e-4) > rate  # a step lower claims too many


def test_ties_never_let_the_rate_be_exceeded():
    real_p = np.array([0.9, 0.9, 0.9, 0.2])
    t = sweep._at_claims(0.5, real_p)  # two of four allowed, but three frames share 0.9
    assert np.mean(real_p >= t) == 0.0


def test_frames_at_certainty_cannot_slip_under_the_rate():
    real_p = np.array([1.0, 1.0, 0.5, 0.2])
    t = sweep._at_claims(0.25, real_p)
    assert np.mean(real_p >= t) == 0.0


@pytest.mark.parametrize("rate", [-0.1, 1.5])
def test_a_rate_outside_zero_to_one_is_refused(rate):
    with pytest.raises(ValueError, match="between 0 and 1"):
        sweep._at_claims(rate, np.array([0.5]))
    with pytest.raises(Exception, match="between 0 and 1"):
        sweep._rates(f"0.1,{rate}")


def test_a_probability_on_the_printed_grid_is_not_claimed():
    real_p = np.array([0.9, 0.6033, 0.2, 0.1])  # 0.6033 * 1e4 is 6032.999... in floats
    t = sweep._at_claims(0.25, real_p)
    assert np.mean(real_p >= t) <= 0.25 and t == 0.6034
