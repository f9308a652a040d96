"""The recipe page's time estimate follows the options it was timed for (no torch: fake child)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal

from sewer_gui.training_recipe import WizardSettings
from sewer_gui.ui.training import estimate as estimate_module
from sewer_gui.ui.training.recipe_page import RecipePage
from sewer_gui.ui.wizard import PageId, TrainingWizard

TIMED = {"event": "estimate", "seconds_per_step": {"cmi": 0.1}, "steps_per_epoch": 4,
         "load_seconds": 1.0, "train_images": 100, "cuda": False}


class FakeChild(QObject):
    """Stands for `python -m ml.cli estimate`: the test says when it prints and exits."""
    event = Signal(dict)
    line = Signal(str)
    finished = Signal(int)
    started: list[FakeChild] = []

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.args: list[str] = []
        self.alive = False
        self.terminated = False

    def start(self, args: list[str]) -> None:
        self.args, self.alive = list(args), True
        FakeChild.started.append(self)

    def running(self) -> bool:
        return self.alive

    def terminate(self) -> None:
        self.terminated = True

    def reply(self, **figures) -> None:
        """Prints its timing and exits, as the real child does (also after a terminate)."""
        self.event.emit(TIMED | figures)
        self.alive = False
        self.finished.emit(0)


def _page(qtbot, tmp_path, monkeypatch) -> RecipePage:
    FakeChild.started = []
    monkeypatch.setattr(estimate_module, "ChildProcess", FakeChild)
    page = RecipePage(WizardSettings(sources=[str(tmp_path)], work_dir=str(tmp_path)))
    qtbot.addWidget(page)
    page.show()
    page.initializePage()
    return page


def _wizard_at_recipe(qtbot, tmp_path, monkeypatch) -> TrainingWizard:
    """The whole wizard shown on its recipe page, timing with the fake child."""
    FakeChild.started = []
    monkeypatch.setattr(estimate_module, "ChildProcess", FakeChild)
    wizard = TrainingWizard(work_dir=tmp_path / "w")
    qtbot.addWidget(wizard)
    wizard.settings.sources = [str(tmp_path)]
    wizard.setStartId(PageId.RECIPE)
    wizard.show()
    return wizard


def _value(args: list[str], flag: str) -> str:
    return args[args.index(flag) + 1]


def test_switching_method_while_timing_drops_the_stale_estimate(qtbot, tmp_path, monkeypatch):
    page = _page(qtbot, tmp_path, monkeypatch)
    first = FakeChild.started[-1]
    assert "--teacher-too" not in first.args  # fine-tuning is timed first
    page.method.setCurrentIndex(page.method.findData("distill"))
    assert first.terminated  # the fine-tuning timing is stopped at once
    first.reply(seconds_per_step={"cmi": 9.9})  # ... and what it still prints is ignored
    assert page.last_estimate is None and "whole run" not in page.estimate.text()
    qtbot.waitUntil(lambda: len(FakeChild.started) == 2)  # timed again for distillation
    second = FakeChild.started[-1]
    assert "--teacher-too" in second.args
    second.reply(seconds_per_step={"cmi": 0.1, "efficientnet_lite0": 0.7})
    assert "whole run" in page.estimate.text() and "efficientnet_lite0" in page.estimate.text()
    assert "9900 ms" not in page.estimate.text()


def test_changing_image_size_times_again(qtbot, tmp_path, monkeypatch):
    page = _page(qtbot, tmp_path, monkeypatch)
    page.method.setCurrentIndex(page.method.findData("scratch"))
    qtbot.waitUntil(lambda: len(FakeChild.started) == 2)
    FakeChild.started[-1].reply()
    assert "whole run" in page.estimate.text()
    page.size.setFocus()
    page.size.selectAll()
    qtbot.keyClicks(page.size, "224")  # typed: timed once, after the last key
    assert page.last_estimate is None and "whole run" not in page.estimate.text()
    qtbot.waitUntil(lambda: len(FakeChild.started) == 3)
    qtbot.wait(600)
    assert len(FakeChild.started) == 3
    assert _value(FakeChild.started[-1].args, "--image-size") == "224"
    FakeChild.started[-1].reply()
    assert "whole run" in page.estimate.text()
    page.epochs.setValue(3)  # epochs are not timed: the estimate is only recomputed
    assert len(FakeChild.started) == 3 and "whole run" in page.estimate.text()


def test_run_page_gets_only_the_current_estimate(qtbot, tmp_path, monkeypatch):
    wizard = _wizard_at_recipe(qtbot, tmp_path, monkeypatch)
    page = wizard.recipe_page
    page.method.setCurrentIndex(page.method.findData("scratch"))
    FakeChild.started[0].reply(seconds_per_step={"cmi": 9.9})  # stale: ignored
    qtbot.waitUntil(lambda: len(FakeChild.started) == 2)
    assert page.last_estimate is None
    monkeypatch.setattr(wizard.run_page, "initializePage", lambda: None)
    qtbot.keyClick(wizard, Qt.Key.Key_Return)  # Next before the new timing came back
    assert wizard.currentId() == PageId.RUN and wizard.run_page.estimate is None


def test_distillation_note_is_never_clipped(qtbot, tmp_path, monkeypatch):
    wizard = _wizard_at_recipe(qtbot, tmp_path, monkeypatch)
    qtbot.waitExposed(wizard)
    page = wizard.recipe_page
    FakeChild.started[-1].reply()
    page.estimate.setText("Could not time the run: " + "a long complaint " * 40)
    qtbot.wait(50)
    page.method.setCurrentIndex(page.method.findData("distill"))
    qtbot.wait(50)
    qtbot.waitUntil(lambda: len(FakeChild.started) == 2)
    FakeChild.started[-1].reply(seconds_per_step={"cmi": 0.1, "efficientnet_lite0": 0.7})
    qtbot.wait(50)
    for label in (page.kd_info, page.estimate):
        assert label.isVisible()
        assert label.height() >= label.heightForWidth(label.width()), label.text()


def test_a_short_run_shows_another_epoch_count_in_its_estimate(qtbot, tmp_path, monkeypatch):
    """A trial: "about 0.1 min" before and after typing more epochs, as if nothing changed."""
    page = _page(qtbot, tmp_path, monkeypatch)
    FakeChild.started[-1].reply()  # 4 steps of 0.1 s an epoch
    page.epochs.setValue(3)
    three = page.estimate.text()
    page.epochs.setValue(40)
    assert three != page.estimate.text()
    assert " s on " in three and "min" not in three.split(" on ")[0]


def test_durations_read_as_seconds_minutes_or_hours():
    words = estimate_module.duration_words
    assert [words(x) for x in (0, 12, 89, 95, 60 * 42.3, 3 * 3600 + 300)] == [
        "5 s", "10 s", "90 s", "1.6 min", "42.3 min", "3 h 05 min"]
