"""A truncated video scans as far as it decodes, and the scan says how much that was."""

import json

import cv2
import numpy as np
import pytest

from ml.cli import main as ml_main
from ml.runtime.classifier import CrackClassifier
from ml.runtime.scan import ScanSettings, run_scan

pytest.importorskip("onnx")
from tests.onnx_fixtures import linear_onnx  # noqa: E402


@pytest.fixture
def cut_video(tmp_path):
    """An MJPEG AVI of 20 s whose header still says 20 s after the file is cut to a third."""
    path = tmp_path / "cut.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    rng = np.random.default_rng(0)
    for _ in range(200):
        writer.write(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8))
    writer.release()
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 3])
    return path


def test_scan_reports_the_duration_it_decoded(tmp_path, cut_video):
    clf = CrackClassifier(linear_onnx(tmp_path / "m.onnx"))
    result = run_scan(cut_video, clf, ScanSettings(stride_s=0.5))
    assert result.declared_seconds == pytest.approx(20.0)
    assert 2.0 < result.video_seconds < 10.0 and result.truncated
    assert "could be decoded (truncated or damaged)" in result.warning()
    assert result.realtime_factor == pytest.approx(result.video_seconds / result.wall_seconds)


def test_sewer_ml_scan_prints_the_warning(tmp_path, cut_video, capsys):
    model = linear_onnx(tmp_path / "m.onnx")
    assert ml_main(["scan", str(cut_video), "--model", str(model), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["declared_video_seconds"] == pytest.approx(20.0)
    assert out["video_seconds"] < 10 and "truncated" in out["warning"]
