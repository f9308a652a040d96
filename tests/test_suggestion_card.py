"""The suggestion card says why it is silent: no crack, not sure, or a frame it cannot judge."""

import numpy as np
import pytest

from ml.classes import CrackClass
from ml.runtime.classifier import CrackClassifier
from ml.runtime.decision import Decision, Outcome

pytest.importorskip("onnx")
from sewer_gui.session import Suggestion  # noqa: E402
from sewer_gui.ui.inference import InferenceWorker  # noqa: E402
from sewer_gui.ui.panels import SuggestionPanel  # noqa: E402
from tests.onnx_fixtures import linear_onnx  # noqa: E402


def _decision(outcome: Outcome, reason: str) -> Decision:
    return Decision(outcome, None, None, 0.5, 0.5, reason)


def test_card_explains_its_silence_and_never_hides_a_suggestion(qtbot, code_table):
    card = SuggestionPanel(code_table)
    qtbot.addWidget(card)
    card.show_verdict(_decision(Outcome.NOT_SURE, "possible crack (85 %, below the 93 % threshold)"))
    assert card.detail.text().startswith("Not sure: possible crack")
    card.show_verdict(_decision(Outcome.OUT_OF_SCOPE, "frame over-exposed"))
    assert card.detail.text() == "Cannot judge this frame: frame over-exposed."
    card.show_suggestion(Suggestion(CrackClass.CL, "CL", 0.97, (), "m", 10, 1.0))
    shown = card.detail.text()
    card.show_verdict(_decision(Outcome.NO_CRACK, "no crack (98 %)"))
    assert card.detail.text() == shown  # a raised suggestion stays until it is decided


def test_live_worker_reports_each_new_verdict(qtbot, tmp_path):
    worker = InferenceWorker(CrackClassifier(linear_onnx(tmp_path / "m.onnx")), fps=10,
                             threshold=0.0, window=2)
    worker.start()
    try:
        with qtbot.waitSignal(worker.decided, timeout=5000) as got:
            worker.submit(0, np.zeros((32, 32, 3), np.uint8))  # black: out of scope
    finally:
        worker.stop()
    assert got.args[0].outcome is Outcome.OUT_OF_SCOPE and "dark" in got.args[0].reason


def test_no_crack_reads_as_a_sentence():
    from sewer_gui.ui.panels import verdict_text

    assert verdict_text("no_crack", "no crack (99 %)") == "No crack (99 %) at this frame."
