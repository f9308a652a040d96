"""Calibration on awkward held-out sets ends in a clear error or a documented fallback with a
warning: never a crash and never a silent nonsense threshold."""

import numpy as np
import pytest

from ml.classes import CLASS_NAMES
from ml.runtime.decision import DecisionPolicy
from ml.training.calibration import (
    CalibrationError,
    PrecisionTarget,
    calibrate_model,
    choose_threshold,
    fit_policy,
    fit_temperature,
    precision_threshold,
)

ND = CLASS_NAMES.index("ND")


def _frames(truth: np.ndarray, right: float, rng: np.random.Generator) -> np.ndarray:
    """Probabilities that put `right` on the true class (noise spread over the rest)."""
    p = rng.uniform(0.01, 0.1, (len(truth), len(CLASS_NAMES)))
    p[np.arange(len(truth)), truth] = 0
    p = p / p.sum(1, keepdims=True) * (1 - right)
    p[np.arange(len(truth)), truth] = right
    return p


def test_no_held_out_frames_is_a_clear_error(tmp_path):
    empty_p, empty_t = np.zeros((0, len(CLASS_NAMES))), np.zeros(0, int)
    with pytest.raises(CalibrationError, match="no held-out frames"):
        fit_policy(empty_p, empty_t)
    with pytest.raises(CalibrationError, match="no held-out frames"):
        fit_temperature(empty_p, empty_t)
    with pytest.raises(CalibrationError, match="m.onnx: no held-out frames"):
        calibrate_model(tmp_path / "m.onnx", [])


def test_only_no_crack_frames_fit_a_threshold_but_keep_t1():
    rng = np.random.default_rng(0)
    truth = np.full(200, ND)
    p = _frames(truth, 0.8, rng)
    p[:, 2] += rng.uniform(0, 0.5, 200)  # look-alikes with some crack mass
    p /= p.sum(1, keepdims=True)
    policy, figures = fit_policy(p, truth, 0.05)
    assert policy.temperature == 1.0 and 0 < policy.crack_threshold < 1
    assert figures["false_alarm"] <= 0.05 and figures["crack_recall"] == 0.0
    text = " ".join(figures["warnings"])
    assert "only no-crack frames" in text and "kept T=1" in text and "recall" in text


def test_only_crack_frames_keep_the_default_threshold_and_say_so():
    rng = np.random.default_rng(1)
    truth = rng.integers(1, len(CLASS_NAMES), 100)
    policy, figures = fit_policy(_frames(truth, 0.7, rng), truth)
    assert policy == DecisionPolicy(temperature=1.0, crack_threshold=0.5)
    assert any("false alarms cannot be measured" in w for w in figures["warnings"])
    with pytest.raises(CalibrationError, match="no no-crack frames"):
        choose_threshold(np.array([0.9, 0.8]), np.array([True, True]))


@pytest.mark.parametrize(("right", "edge"), [(0.9, "0.25"), (0.02, "8")])
def test_a_temperature_at_the_edge_of_the_search_falls_back_to_1(right, edge):
    """Always right (T wants to go to 0) or always confidently wrong (T to infinity)."""
    rng = np.random.default_rng(2)
    truth = np.r_[np.full(50, ND), rng.integers(1, len(CLASS_NAMES), 50)]
    p = _frames(truth, right, rng)
    warnings: list[str] = []
    assert fit_temperature(p, truth, warnings) == 1.0
    assert len(warnings) == 1 and f"edge of the search ({edge}" in warnings[0]
    policy, figures = fit_policy(p, truth)
    assert policy.temperature == 1.0 and any("edge" in w for w in figures["warnings"])
    assert 0 < policy.crack_threshold < 1


def test_an_unreachable_false_alarm_target_is_reported():
    truth = np.full(100, ND)  # one side only: T stays 1, so nothing softens them
    p = np.full((100, len(CLASS_NAMES)), 1e-4)
    p[:, 2] = 0.9995  # no-crack frames the model is sure are cracks
    p /= p.sum(1, keepdims=True)
    policy, figures = fit_policy(p, truth, 0.03)
    assert policy.crack_threshold == 0.99 and figures["false_alarm"] == 1.0
    assert any("exceed the 3.0% target" in w for w in figures["warnings"])


def test_a_good_set_has_no_warnings():
    rng = np.random.default_rng(3)
    truth = rng.integers(0, len(CLASS_NAMES), 600)
    logits = rng.normal(0, 1, (600, len(CLASS_NAMES)))
    logits[np.arange(600), truth] += 2.5
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    _policy, figures = fit_policy(p, truth, 0.05)
    assert figures["warnings"] == []


def _scores(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    p_crack = np.concatenate([rng.beta(2, 8, 2000), rng.beta(8, 2, 1000)])
    return p_crack, np.r_[np.zeros(2000, bool), np.ones(1000, bool)]


def test_precision_at_a_share_reweights_recall_and_false_alarms():
    # 10 % of frames with a crack, 90 % of them found, 3 % of the rest claimed:
    # 0.09 right claims against 0.027 wrong ones.
    assert PrecisionTarget(0.1, 0.5).precision(0.9, 0.03) == pytest.approx(0.09 / 0.117)
    assert PrecisionTarget(0.1, 0.5).precision(0.0, 0.0) == 0.0


def test_a_precision_target_raises_the_threshold_just_enough():
    p_crack, is_crack = _scores(np.random.default_rng(5))
    target = PrecisionTarget(crack_share=0.1, min_precision=0.9)
    floor = choose_threshold(p_crack, is_crack, 0.03)
    t, met = precision_threshold(p_crack, is_crack, target, 0.03)

    def reached(threshold: float) -> float:
        claimed = p_crack >= threshold
        return target.precision(claimed[is_crack].mean(), claimed[~is_crack].mean())

    # At 3 % false alarms and a 10 % share, about a quarter of the claims would be wrong.
    assert met and reached(floor) < 0.9 <= reached(t) and t > floor
    assert t == round(t, 4)  # measured at the value the policy stores
    # Brute force over every stored threshold from the floor up: none lower meets the target.
    grid = np.arange(np.ceil(floor * 1e4), t * 1e4 - 0.5) / 1e4
    assert all(reached(x) < 0.9 for x in grid)


def test_rounding_the_threshold_up_does_not_break_the_target():
    # Ten crack scores just above a candidate (0.6 + 1 ulp) but under its 4-decimal rounding:
    # measured before rounding the target is met there (98.0 %), after it not (97.6 %).
    negatives = np.r_[np.linspace(0.1, 0.5, 95), 0.6, 0.6, 0.6, 0.7, 0.7]
    positives = np.r_[np.full(10, 0.60004), np.full(40, 0.9)]
    p_crack = np.r_[negatives, positives]
    is_crack = np.r_[np.zeros(100, bool), np.ones(50, bool)]
    target = PrecisionTarget(0.5, 0.978)
    t, met = precision_threshold(p_crack, is_crack, target, 0.05)
    claimed = p_crack >= t
    assert met and target.precision(claimed[is_crack].mean(), claimed[~is_crack].mean()) >= 0.978
    assert t == 0.7001


def test_fit_policy_records_the_precision_rule_and_warns_when_it_cannot_be_met():
    rng = np.random.default_rng(6)
    truth = np.r_[np.full(300, ND), rng.choice([i for i in range(len(CLASS_NAMES)) if i != ND], 300)]
    policy, figures = fit_policy(_frames(truth, 0.8, rng), truth, 0.03,
                                 PrecisionTarget(0.1, 0.8))
    assert figures["min_precision"] == 0.8 and figures["crack_share"] == 0.1
    assert figures["precision_at_share"] >= 0.8
    assert not any("precision" in w for w in figures["warnings"])
    # Crack and no-crack frames that look alike: no threshold makes four claims in five right.
    same = np.tile(_frames(np.zeros(1, int), 0.5, rng), (600, 1)) + rng.uniform(0, 1e-3, (600, 6))
    _policy, hopeless = fit_policy(same / same.sum(1, keepdims=True), truth, 0.03,
                                   PrecisionTarget(0.1, 0.8))
    assert hopeless["precision_at_share"] < 0.8
    assert any("under the 80.0% target" in w for w in hopeless["warnings"])
    assert hopeless["crack_threshold"] < 0.99  # the best precision found, not a mute model


@pytest.mark.parametrize("side", ["crack", "no-crack"])
def test_a_precision_target_on_one_side_only_is_not_applied_and_says_so(side):
    rng = np.random.default_rng(7)
    truth = np.full(200, 1 if side == "crack" else ND)
    _policy, figures = fit_policy(_frames(truth, 0.7, rng), truth, 0.03, PrecisionTarget(0.1, 0.8))
    assert "precision_at_share" not in figures
    assert any("precision target was not applied" in w for w in figures["warnings"])


@pytest.mark.parametrize("share, precision", [(0, 0.8), (1, 0.8), (0.1, 0), (0.1, 1.2), (-1, 0.5)])
def test_a_precision_target_outside_zero_and_one_is_refused(share, precision):
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        PrecisionTarget(share, precision)
