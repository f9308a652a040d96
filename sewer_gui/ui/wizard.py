"""Train a better crack model from a team's own frames without leaving the application.

The wizard owns one page object per step (ui/training/): choose data, check every image, choose
how to train (fine-tuning the model in use by default) with an estimate of the whole run,
train, and compare with the model in use on the team's held-out frames. Everything that needs
torch runs in `python -m ml.cli` child processes, so the app never imports it and opening the
wizard never waits for it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWizard

from sewer_gui.distill_choices import measured_kd
from sewer_gui.training_recipe import WizardSettings, new_work_dir
from sewer_gui.ui.focus_return import FocusReturn
from sewer_gui.ui.training.data_pages import CheckPage, DataPage
from sewer_gui.ui.training.recipe_page import RecipePage
from sewer_gui.ui.training.results_page import ResultsPage
from sewer_gui.ui.training.run_page import RunPage


class PageId(enum.IntEnum):
    DATA = 0
    CHECK = 1
    RECIPE = 2
    RUN = 3
    RESULTS = 4


class TrainingWizard(QWizard):
    def __init__(self, activate: Callable[[Path], object] | None = None,
                 project_frames: Callable | None = None, active_model: Path | None = None,
                 work_dir: Path | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Train a crack model")
        kd = measured_kd()  # the distillation study's best setting, else the built-in one
        self.settings = WizardSettings(work_dir=str(work_dir or new_work_dir()),
                                       active_model=str(active_model or ""),
                                       kd_method=kd.method, temperature=kd.temperature,
                                       alpha=kd.alpha)
        self.data_page = DataPage(self.settings, project_frames)
        self.check_page = CheckPage(self.settings)
        self.recipe_page = RecipePage(self.settings, kd)
        self.run_page = RunPage(self.settings)
        self.results_page = ResultsPage(self.settings, activate)
        for page_id, page in ((PageId.DATA, self.data_page), (PageId.CHECK, self.check_page),
                              (PageId.RECIPE, self.recipe_page), (PageId.RUN, self.run_page),
                              (PageId.RESULTS, self.results_page)):
            self.setPage(page_id, page)
        self.resize(980, 800)
        # Its file dialogs and questions give the keys back without a window manager too.
        self.focus_return = FocusReturn(self)
        self.currentIdChanged.connect(self._shown)

    def _shown(self, page_id: int) -> None:
        if page_id == PageId.RECIPE:
            self.recipe_page.shown_again()
        elif page_id == PageId.RUN and self.settings.method == "distill":
            # A teacher taken over from the earlier run shows on the recipe page, so that
            # Back, Next keeps it instead of training it again.
            self.recipe_page.teacher.setText(self.settings.teacher_checkpoint)

    def reject(self) -> None:
        """Esc, Cancel and the window's close button: never stop a running training unasked."""
        run = self.run_page
        if run.child.running():
            answer = QMessageBox.question(
                self, "Stop training?", "Training is running — stop it? The last checkpoint "
                "is kept and you can resume (Earlier runs, on the first page).",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return  # the wizard stays open and training goes on
            # The child stops at its next batch and saves a checkpoint: close once it has,
            # without blocking the window meanwhile.
            run.child.finished.connect(lambda _code: QWizard.reject(self))
            run.cancel()
            return
        super().reject()

    def nextId(self) -> int:  # noqa: N802
        """From the data page straight to training when an earlier run is resumed, or to its
        results when it had finished."""
        if self.currentId() == PageId.DATA and self.data_page.resuming():
            return PageId.RESULTS if self.data_page.showing_results() else PageId.RUN
        return super().nextId()

    def validateCurrentPage(self) -> bool:  # noqa: N802
        if self.currentId() == PageId.DATA and self.data_page.resuming():
            self.resume(Path(self.data_page.resuming()))
            return True
        if self.currentId() == PageId.RECIPE:  # the timing of these very options, if any
            self.run_page.estimate = self.recipe_page.last_estimate
            self.run_page.moved_from, self.check_page.moved_from = self.check_page.moved_from, ""
        return super().validateCurrentPage()

    def resume(self, work_dir: Path) -> None:
        """Take over an earlier run's settings (the pages share this one settings object)."""
        loaded = WizardSettings.load(work_dir)
        for name, value in vars(loaded).items():
            setattr(self.settings, name, value)
