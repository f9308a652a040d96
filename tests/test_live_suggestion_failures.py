"""A model that turns bad while the video plays stops live suggestions with a message."""

import numpy as np
import pytest

from ml.runtime.classifier import CrackClassifier, ModelError

pytest.importorskip("onnx")
from sewer_gui.ui.inference import InferenceWorker  # noqa: E402
from tests.onnx_fixtures import linear_onnx  # noqa: E402


def test_non_finite_scores_at_run_time_are_an_error_not_a_suggestion(tmp_path):
    clf = CrackClassifier(linear_onnx(tmp_path / "m.onnx"))
    clf._session.run = lambda *_a, **_k: [np.full((1, len(clf.classes)), np.nan, np.float32)]
    with pytest.raises(ModelError, match="non-finite scores"):
        clf.probabilities([np.zeros((8, 8, 3), np.uint8)])


def test_live_worker_reports_the_failure(qtbot, tmp_path):
    clf = CrackClassifier(linear_onnx(tmp_path / "m.onnx"))
    clf._session.run = lambda *_a, **_k: [np.zeros((1, 2), np.float32)]  # wrong class count
    worker = InferenceWorker(clf, fps=10, threshold=0.5, window=2)
    suggestions = []
    worker.suggested.connect(suggestions.append)
    worker.start()
    try:
        with qtbot.waitSignal(worker.failed, timeout=5000) as failed:
            worker.submit(0, np.zeros((16, 16, 3), np.uint8))
    finally:
        worker.stop()
    assert "not 6 class scores per frame" in failed.args[0] and not suggestions
