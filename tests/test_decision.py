"""The decision layer: calibration, thresholds, 'not sure', out of scope, temporal consistency,
and `sewer-ml classify`, which must say what the app says."""

import json

import cv2
import numpy as np
import pytest

from ml.classes import CLASS_NAMES, CrackClass
from ml.runtime.decision import (
    DecisionPolicy,
    FrameQuality,
    LiveDecider,
    Outcome,
    calibrate,
    decide,
)
from ml.training.calibration import choose_threshold, fit_policy, fit_temperature

CLASSES = tuple(CrackClass(c) for c in CLASS_NAMES)


def probs(**values):
    row = np.array([values.get(c, 0.0) for c in CLASS_NAMES], float)
    return row / row.sum()


def test_clear_frames_give_a_code_or_no_crack():
    policy = DecisionPolicy(crack_threshold=0.6)
    crack = decide(probs(ND=0.05, CL=0.9, CC=0.05), CLASSES, policy)
    assert crack.outcome is Outcome.CRACK and crack.code == "CL" and crack.suggestion == "CL"
    clear = decide(probs(ND=0.9, CL=0.1), CLASSES, policy)
    assert clear.outcome is Outcome.NO_CRACK and clear.suggestion is None
    assert clear.reason == "no crack (crack probability 10 %)"  # P(crack), like every verdict


def test_near_the_threshold_it_is_not_sure_and_an_unclear_subtype_is_named():
    policy = DecisionPolicy(crack_threshold=0.6)
    near = decide(probs(ND=0.45, CL=0.55), CLASSES, policy)
    assert near.outcome is Outcome.NOT_SURE and near.suggestion is None
    assert "below" in near.reason
    split = decide(probs(ND=0.02, CL=0.35, CM=0.33, CS=0.3), CLASSES, policy)
    assert split.outcome is Outcome.CRACK and split.code == "CL"
    assert "unclear" in split.reason and "CM" in split.reason  # the coder sees both
    assert split.doubt.startswith("subtype unclear: CL") and near.doubt == ""


def test_unusable_frames_are_out_of_scope_whatever_the_network_says():
    black = FrameQuality.of(np.zeros((240, 320, 3), np.uint8))
    verdict = decide(probs(ND=0.01, CM=0.99), CLASSES, DecisionPolicy(), black)
    assert verdict.outcome is Outcome.OUT_OF_SCOPE and verdict.suggestion is None
    assert "dark" in verdict.reason
    white = FrameQuality.of(np.full((240, 320, 3), 255, np.uint8))
    assert decide(probs(CM=1), CLASSES, DecisionPolicy(), white).reason == "frame over-exposed"


def test_temperature_scaling_softens_and_keeps_the_ranking():
    p = probs(ND=0.01, CL=0.98, CC=0.01)
    soft = calibrate(p[None], 3.0)[0]
    assert soft.argmax() == p.argmax() and soft.max() < p.max()
    assert np.isclose(soft.sum(), 1.0)


def test_fitted_temperature_undoes_overconfidence():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 2, (4000, 6))
    true_p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    truth = np.array([rng.choice(6, p=row) for row in true_p])
    overconfident = np.exp(logits * 3) / np.exp(logits * 3).sum(1, keepdims=True)
    assert 2.4 < fit_temperature(overconfident, truth) < 3.6


def test_threshold_keeps_false_alarms_under_the_target():
    rng = np.random.default_rng(1)
    p_crack = np.concatenate([rng.beta(2, 8, 1000), rng.beta(8, 2, 500)])
    is_crack = np.r_[np.zeros(1000, bool), np.ones(500, bool)]
    t = choose_threshold(p_crack, is_crack, 0.03)
    assert (p_crack[~is_crack] >= t).mean() <= 0.03
    assert (p_crack[~is_crack] >= t - 0.02).mean() > 0.02  # and not needlessly high


def test_fit_policy_reports_what_it_does():
    rng = np.random.default_rng(2)
    truth = rng.integers(0, 6, 600)
    logits = rng.normal(0, 1, (600, 6))
    logits[np.arange(600), truth] += 3
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    policy, figures = fit_policy(p, truth, 0.05)
    assert figures["false_alarm"] <= 0.05 and figures["crack_recall"] > 0.5
    assert DecisionPolicy.from_metadata({"decision": policy.to_json()}) == policy


def test_malformed_decision_metadata_is_refused():
    with pytest.raises(ValueError):
        DecisionPolicy.from_metadata({"decision": "{not json"})
    with pytest.raises(ValueError):
        DecisionPolicy.from_metadata({"decision": json.dumps({"crack_threshold": 7})})
    assert DecisionPolicy.from_metadata({}) == DecisionPolicy()


def test_live_decider_ignores_a_single_frame_and_holds_a_real_one():
    live = LiveDecider(CLASSES, DecisionPolicy(crack_threshold=0.6), window=1, confirm_s=0.1,
                       hold_s=0.3, fps=10)
    calm, crack = probs(ND=0.95, CL=0.05), probs(ND=0.05, CL=0.95)
    assert live.update(crack)[1] is None  # one frame is not enough
    assert live.update(calm)[1] is None
    live.update(crack)
    shown = live.update(crack)[1]
    assert shown is not None and shown.code == "CL"
    assert live.update(calm)[1] is not None  # held while the coder reaches for the key
    for _ in range(2):
        last = live.update(calm)[1]
    assert last is None  # 0.3 s of video without it


def _play(live: LiveDecider, fps: float, step: int, crack_from: float, crack_to: float):
    """(first time a code is shown, first time it is gone again) over 4 s of video, as the
    worker sees it: every `step`-th frame (step 2: 2x playback that skips frames)."""
    calm, crack = probs(ND=0.95, CL=0.05), probs(ND=0.05, CL=0.95)
    raised = cleared = None
    for index in range(0, int(4 * fps), step):
        t = index / fps
        shown = live.update(crack if crack_from <= t < crack_to else calm, time_s=t)[1]
        if shown is not None and raised is None:
            raised = t
        if shown is None and raised is not None and cleared is None:
            cleared = t
    return raised, cleared


@pytest.mark.parametrize(("fps", "step"), [(25, 1), (60, 1), (25, 2), (30, 3)])
def test_live_agreement_and_hold_are_in_seconds_of_video(fps, step):
    live = LiveDecider(CLASSES, DecisionPolicy(crack_threshold=0.6), window=1)
    seen = step / fps  # time between two frames the decider sees
    times = [i / fps for i in range(0, int(4 * fps), step)]
    first = min(t for t in times if t >= 1.0)
    last = max(t for t in times if t < 2.0)
    raised, cleared = _play(live, fps, step, 1.0, 2.0)
    assert first + 0.25 - 1e-9 <= raised < first + 0.25 + seen  # 0.25 s of agreement
    assert last + 0.8 - 1e-9 <= cleared < last + 0.8 + seen  # held 0.8 s after the last one


@pytest.mark.parametrize("fps", [25, 60])
def test_a_flicker_shorter_than_the_agreement_time_is_never_raised(fps):
    live = LiveDecider(CLASSES, DecisionPolicy(crack_threshold=0.6), window=1)
    assert _play(live, fps, 1, 1.0, 1.2) == (None, None)  # 5 frames at 25 fps, 12 at 60


def test_at_low_frame_rates_two_frames_must_still_agree():
    live = LiveDecider(CLASSES, DecisionPolicy(crack_threshold=0.6), window=1)
    crack = probs(ND=0.05, CL=0.95)
    assert live.update(crack, time_s=0.0)[1] is None  # 0.5 s apart: one frame is not enough
    assert live.update(crack, time_s=0.5)[1] is not None


def test_calibrated_model_carries_its_policy(tiny_onnx, tiny_data, tmp_path):
    import shutil

    from ml.evaluation import _samples
    from ml.runtime.classifier import CrackClassifier
    from ml.training.calibration import calibrate_model

    model = tmp_path / "m.onnx"
    shutil.copy(tiny_onnx, model)
    figures = calibrate_model(model, _samples(tiny_data, "all", 0), max_false_alarm=0.1)
    policy = DecisionPolicy.from_metadata(CrackClassifier(model).metadata)
    assert policy.crack_threshold == figures["crack_threshold"]
    assert policy.temperature == figures["temperature"]


def test_classify_cli_says_what_the_decision_layer_says(tiny_onnx, tiny_data, tmp_path, capsys):
    from ml.cli import main
    from ml.runtime.classifier import CrackClassifier

    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png")
    picture = next((tiny_data / "CL").glob("*.png"))
    code = main(["classify", str(picture), str(broken), "--model", str(tiny_onnx), "--json"])
    records = json.loads(capsys.readouterr().out)
    assert code == 1  # one file could not be read
    assert [r["file"] for r in records] == [str(picture), str(broken)]
    assert records[1]["error"] == "not a readable image"
    clf = CrackClassifier(tiny_onnx)
    frame = cv2.imread(str(picture))
    expected = decide(clf.probabilities([frame])[0], clf.classes, DecisionPolicy(),
                      FrameQuality.of(frame))
    assert records[0]["suggestion"] == expected.suggestion
    assert records[0]["outcome"] == expected.outcome.value
    assert set(records[0]["probabilities"]) == set(CLASS_NAMES)


def test_a_frame_on_its_own_is_decided_at_once_and_unusable_frames_clear_the_card():
    live = LiveDecider(CLASSES, DecisionPolicy(crack_threshold=0.6), window=3, fps=10)
    crack = probs(ND=0.05, CL=0.95)
    assert live.update(crack, at_once=True)[1] is not None  # a seek: no second frame to wait for
    black = FrameQuality.of(np.zeros((96, 128, 3), np.uint8))
    now, shown = live.update(crack, black)
    assert now.outcome is Outcome.OUT_OF_SCOPE and shown is None
    assert live.update(crack)[1] is None  # the dark frame counted as no crack in the window


def test_stored_threshold_is_rounded_up_so_false_alarms_stay_under_the_target():
    rng = np.random.default_rng(3)
    truth = np.r_[np.zeros(100, int), np.ones(100, int)]
    p = np.zeros((200, 6))
    p_crack = np.r_[rng.uniform(0, 1, 100), rng.uniform(0.5, 1, 100)]
    p[:, 0] = 1 - p_crack
    p[:, 2] = p_crack
    policy, figures = fit_policy(p, truth, 0.03)
    assert figures["false_alarm"] <= 0.03


def test_threshold_zero_keeps_the_models_own_and_nonsense_is_refused():
    policy = DecisionPolicy(crack_threshold=0.9)
    assert policy.with_threshold(0) is policy and policy.with_threshold(None) is policy
    assert policy.with_threshold(0.7).crack_threshold == 0.7
    with pytest.raises(ValueError, match="between 0 and 1"):
        policy.with_threshold(50)


def test_a_stepped_frame_shows_its_own_verdict_not_one_held_over_it():
    """A review: stepping from a crack frame onto clean ones kept "CL" up for the 0.8 s hold
    of video time (20 steps at 25 fps), and smoothing even called the first clean frame a
    crack."""
    live = LiveDecider(CLASSES, DecisionPolicy(crack_threshold=0.6), window=5, fps=25)
    crack, clean = probs(ND=0.05, CL=0.95), probs(ND=0.97, CL=0.03)
    for k in range(10):  # playing over the crack: raised and held
        _now, shown = live.update(crack, time_s=k / 25)
    assert shown is not None
    now, shown = live.update(clean, at_once=True, time_s=10 / 25)  # one step on
    assert now.outcome is Outcome.NO_CRACK and shown is None
    now, shown = live.update(crack, at_once=True, time_s=11 / 25)
    assert now.outcome is Outcome.CRACK and shown is not None  # raised at once, as before
