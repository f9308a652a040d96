import numpy as np
import pytest

from ml.classes import CrackClass
from ml.runtime.classifier import CrackClassifier
from ml.runtime.scan import (
    DefectEvent,
    ScanSettings,
    merge_events,
    run_scan,
    score_events,
    smooth_probabilities,
)
from ml.runtime.track import DistanceTrack
from ml.runtime.video import VideoError, VideoReader
from ml.synth.video import DriveSpec, write_drive

CLASSES = tuple(CrackClass)


def _probs(spec: list[tuple[str, float]]) -> np.ndarray:
    """Per sample: the class with `p`, the rest shared equally."""
    rows = []
    for name, p in spec:
        row = np.full(len(CLASSES), (1 - p) / (len(CLASSES) - 1))
        row[[c.value for c in CLASSES].index(name)] = p
        rows.append(row)
    return np.array(rows)


def test_runs_merge_into_events_with_best_frame():
    probs = _probs([("ND", 0.9), ("CL", 0.7), ("CL", 0.9), ("CL", 0.8), ("ND", 0.9),
                    ("ND", 0.9), ("CC", 0.95), ("CC", 0.7), ("ND", 0.9)])
    times = np.arange(len(probs)) * 0.5
    frames = np.arange(len(probs)) * 10
    events = merge_events(times, frames, probs, CLASSES,
                          ScanSettings(threshold=0.6, merge_gap_s=0.6, min_samples=2))
    assert [(e.code, e.start_s, e.end_s, e.best_frame) for e in events] == [
        ("CL", 0.5, 1.5, 20), ("CC", 3.0, 3.5, 60)]
    assert events[0].alternatives[0][0] != "CL"


def test_short_blips_and_low_crack_probability_are_dropped():
    # ND 0.45 and 0.42: P(crack) 0.55 and 0.58, under the 0.6 threshold.
    probs = _probs([("CL", 0.9), ("ND", 0.9), ("ND", 0.45), ("ND", 0.42), ("ND", 0.9)])
    events = merge_events(np.arange(5.0), np.arange(5), probs, CLASSES,
                          ScanSettings(threshold=0.6, min_samples=2))
    assert events == []


def test_a_run_that_flips_subtype_is_one_event_named_by_its_mean():
    probs = _probs([("CL", 0.8), ("CM", 0.6), ("CL", 0.9), ("ND", 0.9)])
    events = merge_events(np.arange(4.0), np.arange(4), probs, CLASSES,
                          ScanSettings(threshold=0.6, min_samples=2))
    assert [(e.code, e.start_s, e.end_s) for e in events] == [("CL", 0.0, 2.0)]


def test_the_models_own_threshold_applies_unless_the_setting_overrides_it():
    from ml.runtime.decision import DecisionPolicy

    probs = _probs([("ND", 0.3), ("ND", 0.3), ("ND", 0.3)])  # P(crack) 0.7
    strict = DecisionPolicy(crack_threshold=0.8)
    assert merge_events(np.arange(3.0), np.arange(3), probs, CLASSES,
                        ScanSettings(min_samples=2), strict) == []
    assert len(merge_events(np.arange(3.0), np.arange(3), probs, CLASSES,
                            ScanSettings(threshold=0.6, min_samples=2), strict)) == 1


def test_gap_splits_or_joins_same_class_runs():
    probs = _probs([("CM", 0.9), ("CM", 0.9), ("ND", 0.9), ("CM", 0.9), ("CM", 0.9)])
    times = np.array([0, 1, 2, 3, 4.0])
    joined = merge_events(times, np.arange(5), probs, CLASSES,
                          ScanSettings(merge_gap_s=2.5, min_samples=2))
    split = merge_events(times, np.arange(5), probs, CLASSES,
                         ScanSettings(merge_gap_s=1.0, min_samples=2))
    assert len(joined) == 1 and len(split) == 2


def test_smoothing_averages_neighbours():
    probs = np.array([[1.0, 0], [0, 1], [1, 0]])
    smooth = smooth_probabilities(probs, 3)
    assert smooth.shape == probs.shape and np.isclose(smooth[1, 0], 2 / 3)


def test_scoring_matches_code_within_tolerance():
    def event(code, distance):
        label = CrackClass(code)
        return DefectEvent(label, code, 0, 1, 0.5, 5, 0.9, best_distance=distance)

    truth = [{"label": "CL", "distance_m": 3.0}, {"label": "CC", "distance_m": 6.0}]
    score = score_events([event("CL", 2.6), event("CC", 4.0), event("CS", 6.0)], truth,
                         tolerance_m=0.5, view_offset_m=0.3)
    assert score["matched"] == 1 and score["recall"] == 0.5 and np.isclose(score["precision"], 1 / 3)


def test_distance_track_interpolates_and_extrapolates():
    track = DistanceTrack(anchors=[(0.0, 0.0), (10.0, 1.0), (20.0, 1.0)])
    assert track.distance_at(5) == 0.5 and track.distance_at(15) == 1.0
    assert np.isclose(track.distance_at(30), 1.0)
    calibrated = DistanceTrack(start_distance=2.0)
    calibrated.set_anchor(10.0, 4.0)
    assert calibrated.distance_at(5.0) == 3.0 and calibrated.distance_at(12.0) == 4.0


def test_scan_of_a_real_video_reports_progress_and_speed(tmp_path, tiny_onnx):
    video = tmp_path / "d.mp4"
    write_drive(video, 1, DriveSpec(length_m=3.0, defects=1, width=160, height=120, fps=10))
    result = run_scan(video, CrackClassifier(tiny_onnx), ScanSettings(stride_s=0.5),
                      DistanceTrack.from_sidecar(video.with_suffix(".json")))
    assert result.frames_classified > 10 and result.realtime_factor > 1
    assert result.probabilities.shape == (result.frames_classified, 6)


def test_corrupt_and_truncated_videos_name_the_file(tmp_path):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00" * 5000)
    with pytest.raises(VideoError, match="junk.mp4"):
        VideoReader(junk)
    video = tmp_path / "whole.mp4"
    write_drive(video, 2, DriveSpec(length_m=3.0, defects=1, width=96, height=72, fps=8))
    data = video.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 3])
    try:
        reader = VideoReader(cut)
    except VideoError as exc:
        assert "cut.mp4" in str(exc)
    else:  # decodable head: reading must end cleanly, not hang or raise
        frames = 0
        while reader.read() is not None and frames < 10_000:
            frames += 1
        reader.close()
        assert frames < 10_000
