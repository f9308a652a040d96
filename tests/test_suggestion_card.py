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
    card.show_verdict(_decision(Outcome.NO_CRACK, "no crack (crack probability 2 %)"))
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

    assert verdict_text("no_crack", "no crack (crack probability 1 %)") == \
        "No crack (crack probability 1 %) at this frame."


def test_an_unclear_subtype_is_said_under_the_raised_code(qtbot, code_table, tmp_path):
    """Live: the model is sure of a crack but not of its subtype; the card must say so."""
    clf = CrackClassifier(linear_onnx(tmp_path / "m.onnx"))
    split = {"ND": 0.02, "CL": 0.36, "CM": 0.33, "CS": 0.29}
    logits = np.log([[split.get(c.value, 1e-6) for c in clf.classes]]).astype(np.float32)
    clf._session.run = lambda *_a, **_k: [logits]
    card = SuggestionPanel(code_table)
    qtbot.addWidget(card)
    card.show()
    worker = InferenceWorker(clf, fps=10, threshold=0.6, window=1)
    worker.suggested.connect(card.show_suggestion)
    frame = np.random.default_rng(0).integers(40, 200, (96, 128, 3), dtype=np.uint8)  # a pipe
    worker.start()
    try:
        with qtbot.waitSignal(worker.decided, timeout=5000):
            worker.submit(0, frame)
        with qtbot.waitSignal(worker.suggested, timeout=5000):
            worker.submit(3, frame)  # 0.3 s later: the same code agreed for long enough
    finally:
        worker.stop()
    assert card.code_label.text() == "CL"
    assert card.doubt.isVisible()
    assert card.doubt.text() == ("Model unsure: subtype unclear: CL 36 % or CM 33 %. "
                                 "Check the code before confirming.")
    card.show_suggestion(Suggestion(CrackClass.CL, "CL", 0.97, (), "m", 10, 1.0))
    assert not card.doubt.isVisible()  # a clear subtype: nothing to warn about


def test_a_paused_frame_is_decided_on_its_own(qtbot, tmp_path):
    """Found by a keys-only trial: paused on a crack's first frame, the card said "waiting for
    the next frame to agree" for as long as it stayed paused: no next frame comes."""
    clf = CrackClassifier(linear_onnx(tmp_path / "m.onnx"))
    split = {"ND": 0.01, "CL": 0.97}
    logits = np.log([[split.get(c.value, 0.02 / 6) for c in clf.classes]]).astype(np.float32)
    clf._session.run = lambda *_a, **_k: [logits]
    frame = np.random.default_rng(0).integers(40, 200, (96, 128, 3), dtype=np.uint8)
    worker = InferenceWorker(clf, fps=10, threshold=0.6, window=1)
    raised = []
    worker.suggested.connect(raised.append)
    worker.start()
    try:
        for index in (0, 1):
            with qtbot.waitSignal(worker.predicted, timeout=5000):
                worker.submit(index, frame)
            qtbot.wait(20)  # a suggestion would be queued right after the prediction
        assert raised == []  # playing: 0.1 s of agreement is not enough
        with qtbot.waitSignal(worker.suggested, timeout=5000):
            worker.submit(2, frame, still=True)
    finally:
        worker.stop()
    assert [s.code for s in raised] == ["CL"] and raised[0].frame_index == 2


def test_pausing_decides_the_frame_on_screen(qtbot, coder):
    from tests.keys import FakeWorker

    w = coder
    w.stop_inference()  # the window's own worker: the spy takes its place
    w.live_box.setChecked(True)
    w.inference = FakeWorker()
    sent = w.inference.sent
    w.player.play()
    qtbot.waitUntil(lambda: any(not still for _, still in sent), timeout=5000)
    w.player.pause()
    assert sent[-1] == (w.player.index, True)
    sent.clear()
    shown = w.player.index
    w.player.step(1)  # paused already: only the new frame is decided, not the old one again
    qtbot.waitUntil(lambda: w.player.index == shown + 1, timeout=5000)
    # (a frame still in flight from playback may be shown twice under load: never the old one)
    assert sent and all(sub == (shown + 1, True) for sub in sent), sent
    w.inference = None


def test_a_long_model_id_is_shortened_to_a_narrow_card(qtbot, code_table):
    model_id = "efficientnet_lite0-finetune-20261203-105651-bab6849c198f-int8w7"
    card = SuggestionPanel(code_table)
    qtbot.addWidget(card)
    card.resize(280, 400)
    card.show()
    card.show_suggestion(Suggestion(CrackClass.CL, "CL", 0.97, (), model_id, 10, 1.0))
    line = card.model_line
    qtbot.waitUntil(lambda: "…" in line.text(), timeout=2000)
    # Shortened in the middle to fit: the start and the int8 suffix stay, the tooltip is whole.
    assert line.text().startswith("model eff") and line.text().endswith("int8w7")
    assert line.fontMetrics().horizontalAdvance(line.text()) <= line.contentsRect().width()
    assert line.toolTip() == f"model {model_id}"
    assert card.minimumSizeHint().width() < line.fontMetrics().horizontalAdvance(line.toolTip())
    card.resize(1400, 400)  # wide enough: the whole id
    qtbot.waitUntil(lambda: line.text() == f"model {model_id}", timeout=2000)
    card.show_suggestion(None)
    assert line.text() == "" and line.toolTip() == ""


def test_first_window_and_preview_sizes_fit_the_screen(qtbot):
    """Found by a keys-only trial: a fresh start opened at 1400 x 880 on a 1366 x 768 screen."""
    from PySide6.QtWidgets import QWidget

    from sewer_gui.ui.widgets.sizing import fit_to_screen

    widget = QWidget()
    qtbot.addWidget(widget)
    free = widget.screen().availableGeometry()  # 800 x 800 on the offscreen platform
    fit_to_screen(widget, free.width() + 600, free.height() + 80)
    assert widget.width() == free.width() and widget.height() <= free.height() - 32
    fit_to_screen(widget, 300, 200)  # smaller than the screen: as asked
    assert (widget.width(), widget.height()) == (300, 200)


def test_long_findings_wrap_in_a_narrow_validation_list(qtbot):
    """Found by a keys-only trial: "... coded at the er" was cut at the dock's edge."""
    from sewer_gui.pacp.model import Observation
    from sewer_gui.pacp.validation import Finding, Severity
    from sewer_gui.ui.panels import ValidationPanel

    panel = ValidationPanel()
    qtbot.addWidget(panel)
    panel.resize(300, 400)
    panel.show()
    message = ("no access point (e.g. AMH) coded at the end of the survey; code MSA if the "
               "survey was abandoned")
    panel.set_findings([Finding(Severity.ERROR, message, Observation(25.22, "CH3"))])
    item = panel.item(0)
    qtbot.waitUntil(lambda: panel.visualItemRect(item).height()
                    > 2 * panel.fontMetrics().height(), timeout=2000)
    assert panel.visualItemRect(item).width() <= panel.viewport().width()
    assert item.toolTip() == item.text() and item.text().endswith("abandoned")


def test_the_no_crack_figure_follows_the_frames_but_not_every_flicker(qtbot, code_table, tmp_path):
    """A trial saw "crack probability 10 %" frozen over a whole video: only a new verdict was
    sent. Now a move of 3 points or more is sent too, a smaller one is not."""
    clf = CrackClassifier(linear_onnx(tmp_path / "m.onnx"))
    crack = {"p": 0.10}

    def run(*_a, **_k):
        p = crack["p"]
        return [np.log([[1 - p if c is CrackClass.ND else p / 5 for c in clf.classes]]
                       ).astype(np.float32)]

    clf._session.run = run
    card = SuggestionPanel(code_table)
    qtbot.addWidget(card)
    worker = InferenceWorker(clf, fps=10, threshold=0.9, window=1)
    worker.decided.connect(card.show_verdict)
    seen = []
    worker.decided.connect(seen.append)
    frame = np.random.default_rng(0).integers(40, 200, (96, 128, 3), dtype=np.uint8)
    worker.start()
    try:
        for index, p in enumerate((0.10, 0.11, 0.02)):
            crack["p"] = p
            before = worker.frames_done
            worker.submit(index, frame)
            qtbot.waitUntil(lambda before=before: worker.frames_done > before, timeout=5000)
        qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)
    finally:
        worker.stop()
    assert [round(d.crack_probability, 2) for d in seen] == [0.10, 0.02]  # 0.11: not sent
    assert card.detail.text() == "No crack (crack probability 2 %) at this frame."


def test_only_a_raised_code_is_orange(qtbot, code_table):
    """A trial: the orange dash of an empty card read as a warning."""
    panel = SuggestionPanel(code_table)
    qtbot.addWidget(panel)
    assert "#e65100" not in panel.code_label.styleSheet()
    panel.show_suggestion(Suggestion(CrackClass.CL, "CL", 0.9, (), "m", 3, 0.1))
    assert "#e65100" in panel.code_label.styleSheet() and panel.code_label.text() == "CL"
    panel.show_suggestion(None)
    assert "#e65100" not in panel.code_label.styleSheet()
