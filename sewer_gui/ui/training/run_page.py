"""Runs the planned steps one child after another: progress, whole-run ETA, curves, log, cancel.

Steps whose output exists are skipped and a training step with a `last.pt` continues from it,
so a run closed with the wizard or the app picks up where it stopped.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from sewer_gui.run_folders import follow_changed_settings
from sewer_gui.training_recipe import (
    Step,
    WizardSettings,
    estimate_seconds,
    event_text,
    plan_steps,
    printed_result_text,
)
from sewer_gui.ui.training.child import ChildProcess
from sewer_gui.ui.training.estimate import duration_words
from sewer_gui.ui.widgets.curve_chart import CurveChart

CANCELLED = 130


def _history(step: Step) -> list[dict]:
    """The epochs of a finished training step, from its metrics.json (absent: none)."""
    path = Path(step.run_dir) / "metrics.json" if step.run_dir else None
    try:
        rows = json.loads(path.read_text(encoding="utf-8")).get("history") if path else None
    except (OSError, ValueError, AttributeError):
        return []
    return [row for row in rows or [] if isinstance(row, dict)]


class RunPage(QWizardPage):
    stepFinished = Signal(str, int)  # noqa: N815 - step name, exit code

    def __init__(self, settings: WizardSettings) -> None:
        super().__init__()
        self.setTitle("Train")
        self.settings = settings
        self.estimate: dict | None = None  # from the recipe page: the ETA of later steps
        self.moved_from = ""  # set by the wizard: the check page left this run folder
        self.steps: list[Step] = []
        self._weights: list[float] = []
        self.current = -1
        self.done: dict[str, dict] = {}
        self._tail: list[str] = []
        self._printed = ""  # the last JSON object a step printed (exports print their result)
        self.step_label = QLabel()
        self.progress = QProgressBar()
        self.eta = QLabel()
        self.eta.setWordWrap(True)
        # Distillation losses (KL at T^2 scale) and cross-entropy differ in scale: two charts.
        self.loss_chart = CurveChart("training loss (cross-entropy)")
        self.kd_chart = CurveChart("training loss (distillation)")
        self.acc_chart = CurveChart("validation accuracy", fixed_range=(0.0, 1.0))
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(2000)
        self.cancel_button = QPushButton("Cancel")
        self.resume_button = QPushButton("&Resume")
        self.cancel_button.clicked.connect(self.cancel)
        self.resume_button.clicked.connect(self._start)
        self.resume_button.setEnabled(False)
        self.child = ChildProcess(self)
        self.child.event.connect(self.on_event)
        self.child.line.connect(self._raw_line)
        self.child.finished.connect(self._finished)
        charts = QHBoxLayout()
        for chart in (self.loss_chart, self.kd_chart, self.acc_chart):
            charts.addWidget(chart)
        buttons = QHBoxLayout()
        buttons.addWidget(self.eta, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.resume_button)
        layout = QVBoxLayout(self)
        for item in (self.step_label, self.progress, buttons, charts, self.log):
            (layout.addLayout if isinstance(item, QHBoxLayout) else layout.addWidget)(item)

    def initializePage(self) -> None:  # noqa: N802
        left = follow_changed_settings(self.settings) or self.moved_from
        self.moved_from = ""
        if left:
            self.log.appendPlainText(f"The data or the options changed since the run in {left} "
                                     f"started: this run goes to {self.settings.work_dir}; the "
                                     "earlier one is kept as it was.")
        self.settings.save()  # from here on the run can be resumed from the data page
        self.steps = plan_steps(self.settings)
        self._weigh_steps()
        self.done = {}
        for chart in (self.loss_chart, self.kd_chart, self.acc_chart):
            chart.clear()
        self.kd_chart.setVisible(self.settings.method == "distill")  # else always empty
        self.current = self._next_unfinished(0)
        if self.current < len(self.steps):
            self._start()
        else:
            self._all_done()

    def _next_unfinished(self, start: int) -> int:
        k = start
        while k < len(self.steps) and self.steps[k].finished():
            self.done[self.steps[k].name] = {"skipped": True}
            self.log.appendPlainText(f"== {self.steps[k].title}: already done in this folder")
            for row in _history(self.steps[k]):  # a trial: a finished step left no curves
                self._plot(self.steps[k], row)
            k += 1
        return k

    def _plot(self, step: Step, row: dict) -> None:
        if row.get("train_loss") is None:
            return
        chart = self.kd_chart if step.name == "distill" else self.loss_chart
        chart.add_point(step.name, row["train_loss"])
        if row.get("val_accuracy") is not None:
            self.acc_chart.add_point(step.name, row["val_accuracy"])

    def _start(self) -> None:
        step = self.steps[self.current]
        args = list(step.args) + (["--resume"] if step.resumable() else [])
        self.step_label.setText(f"Step {self.current + 1} of {len(self.steps)}: {step.title}")
        self.log.appendPlainText(f"== {step.title}" + (" (resuming)" if step.resumable()
                                                        else ""))
        self.resume_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self._tail, self._printed = [], ""
        self.child.start(args)

    def _raw_line(self, text: str) -> None:
        self._tail = (self._tail + [text])[-15:]  # shown only when the step fails
        if text.startswith("{"):
            self._printed = text

    def on_event(self, event: dict) -> None:
        kind, step = event["event"], self.steps[self.current]
        if kind == "batch":
            within = ((event["epoch"] - 1) + event["step"] / event["steps"]) / max(
                step.epochs, 1)
            self.progress.setValue(int(100 * self._share_done(within)))
            self.eta.setText(self._eta_text(event["eta_s"]))
        elif kind == "epoch":
            self._plot(step, event)
        elif kind == "resumed":  # the epochs before the stop, from the checkpoint
            for chart in (self.loss_chart, self.kd_chart, self.acc_chart):
                chart.drop(step.name)  # drawn already when it stopped on this page (a review)
            for row in event.get("history") or []:
                self._plot(step, row)
        elif kind == "done":
            self.done[step.name] = event
        text = event_text(event)
        if text:
            self.log.appendPlainText(text)

    def _weigh_steps(self) -> None:
        """Each step's share of the bar, by its estimated time, fixed before any step runs
        (a finished step is skipped by the estimate): a training step followed by a 20 s
        comparison no longer stops at half the bar (a trial)."""
        weights = [estimate_seconds([st], self.estimate) if self.estimate else 1.0
                   for st in self.steps]
        self._weights = weights if sum(weights) > 0 else [1.0] * len(self.steps)

    def _share_done(self, within: float) -> float:
        weights = self._weights if len(self._weights) == len(self.steps) else \
            [1.0] * len(self.steps)
        done = sum(weights[:self.current]) + within * weights[self.current]
        return min(done / sum(weights), 1.0)

    def _eta_text(self, step_left: float) -> str:
        later = estimate_seconds(self.steps[self.current + 1:], self.estimate) \
            if self.estimate else 0.0
        whole = f"; the whole run about {duration_words(step_left + later)}" if later else ""
        return f"This step: about {duration_words(step_left)} left{whole}."

    def _finished(self, code: int) -> None:
        step = self.steps[self.current]
        self.cancel_button.setEnabled(False)
        self.stepFinished.emit(step.name, code)
        if code == 0:
            self.done.setdefault(step.name, {})
            result = printed_result_text(step, self._printed)
            if result:
                self.log.appendPlainText(result)
            self.current = self._next_unfinished(self.current + 1)
            if self.current < len(self.steps):
                self._start()
            else:
                self._all_done()
            return
        self.resume_button.setEnabled(True)
        if code == CANCELLED:
            self.eta.setText("Cancelled. The last checkpoint is kept: Resume continues from it "
                             "(also after closing the wizard).")
        else:
            self.eta.setText(f"<span style='color:#c62828'>{step.title} failed (exit {code})."
                             "</span> Its last lines are in the log.")
            self.log.appendPlainText("---- last lines ----\n" + "\n".join(self._tail))

    def _all_done(self) -> None:
        self.progress.setValue(100)
        self.eta.setText("Finished.")
        self.completeChanged.emit()

    def cancel(self) -> None:
        self.child.terminate()

    def isComplete(self) -> bool:  # noqa: N802
        return self.current >= len(self.steps) > 0

    def cleanupPage(self) -> None:  # noqa: N802
        self.cancel()
        self.child.wait()
