"""The model in use against the new model(s) on the team's held-out frames; export, activate.

Activation is offered only for a model whose macro-F1 beats the model in use with the whole
95 % interval above zero and which is not at chance level (`ml.comparison`).
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from ml.classes import CLASS_NAMES
from ml.runtime.model_files import read_package, run_runtime_model
from sewer_gui.distill_choices import TEACHERS, KdRecipe
from sewer_gui.training_recipe import (
    IN_USE,
    MODEL_NAMES,
    RunResults,
    WizardSettings,
    read_results,
)

# The figures and the verdict first: they must show without scrolling sideways.
COLUMNS = ["Model", "Accuracy", "Macro-F1", "Macro-F1 vs model in use (95 %)", "Verdict",
           "Trained", "Model id"]
ID_COLUMN = COLUMNS.index("Model id")
VERDICTS = {"better": "better", "worse": "worse", "same": "no measurable difference"}
# ml.comparison.chance_level: accuracy not clearly (95 %) above always answering one class.
CHANCE = "chance level (not clearly above the commonest class)"
# Long texts (verdict, how a model was trained) wrap at this width, so that every column, the
# model id included, shows at the wizard's size without scrolling sideways.
WRAP_WIDTH = 190


class BreakAtHyphens(QStyledItemDelegate):
    """Shows a zero-width space after each hyphen, so that a long model id wraps; the item
    keeps the id itself, which is what a copy takes."""

    def displayText(self, value, locale) -> str:  # noqa: N802
        return super().displayText(value, locale).replace("-", "-\u200b")


class ResultsPage(QWizardPage):
    def __init__(self, settings: WizardSettings, activate: Callable[[Path], object] | None
                 ) -> None:
        super().__init__()
        self.setTitle("Results on your held-out frames")
        self.settings = settings
        self.activate = activate
        self.results = RunResults({}, "", {})
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([textwrap.fill(c, 20) for c in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        self.id_delegate = BreakAtHyphens(self.table)
        self.table.setItemDelegateForColumn(ID_COLUMN, self.id_delegate)
        self.confusion = QLabel()
        self.show_confusion = QCheckBox("Show the &confusion matrix of the chosen model")
        self.show_confusion.toggled.connect(self.confusion.setVisible)
        self.confusion.setVisible(False)  # below the table, on request: never squeezes it
        self.model = QComboBox()
        self.model.currentIndexChanged.connect(self._selected)
        self.export_button = QPushButton("Export ONNX (fp32 + int8) and model card...")
        self.activate_button = QPushButton("Use it for live suggestions")
        self.export_button.clicked.connect(self.export)
        self.activate_button.clicked.connect(self.activate_selected)
        self.status = QLabel()
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        label = QLabel("&Model")
        label.setBuddy(self.model)
        for widget in (label, self.model, self.export_button, self.activate_button):
            row.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.verdict)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.show_confusion)
        layout.addWidget(self.confusion)

    def initializePage(self) -> None:  # noqa: N802
        self.results = read_results(self.settings)
        comparison = self.results.comparison
        models = comparison.get("models", {})
        roles = model_roles(self.settings)
        self.table.setRowCount(len(models))
        for r, (name, m) in enumerate(models.items()):
            diff = comparison["differences"].get(name)
            cells = [name, f"{m['accuracy']:.1%}", f"{m['macro_f1']:.1%}",
                     _interval(diff["macro_f1"]) if diff else "",
                     CHANCE if m["chance_level"] else
                     VERDICTS[diff["macro_f1"]["verdict"]] if diff else "(reference)",
                     roles.get(name, ""), m["model_id"]]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        for c in range(self.table.columnCount()):
            self.table.setColumnWidth(c, min(self.table.columnWidth(c), WRAP_WIDTH))
        self.table.resizeRowsToContents()
        self.table.setMinimumHeight(self._all_rows_height())
        lines = [comparison.get("verdict") or "The comparison did not finish.",
                 self.results.distillation]
        lines += [self.results.test_frames_text(), _how_measured(comparison)]
        self.verdict.setText("\n".join(line for line in lines if line))
        self.model.clear()
        self.model.addItems(list(self.results.trained))
        # The distilled student is what a distillation run is for: offered first.
        self.model.setCurrentIndex(max(self.model.findText(MODEL_NAMES["distilled"]), 0))
        self._selected()

    def _all_rows_height(self) -> int:
        """Header, every row and the sideways scroll bar: no row hidden behind a scroll."""
        rows = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        return (self.table.horizontalHeader().sizeHint().height() + rows + 2 * self.table.frameWidth()
                + self.table.horizontalScrollBar().sizeHint().height() + 2)

    def selected(self) -> str:
        return self.model.currentText()

    def offered(self, name: str) -> bool:
        return name in self.results.offer

    def _selected(self) -> None:
        name = self.selected()
        self.export_button.setEnabled(bool(name))
        self.activate_button.setEnabled(self.offered(name) and self.activate is not None)
        self.activate_button.setToolTip(
            "" if self.offered(name) else "Only a model that beats the model in use on your "
                                          "held-out frames can be activated here.")
        figures = self.results.comparison.get("models", {}).get(name)
        if figures:
            self._show_confusion(name, figures["confusion"])

    def _show_confusion(self, name: str, confusion: list[list[int]]) -> None:
        from ml.metrics import confusion_png

        png = Path(self.settings.work_dir) / "confusion.png"
        confusion_png(confusion, list(CLASS_NAMES), str(png),
                      f"{name}: truth (rows) vs predicted (columns)")
        picture = QPixmap(str(png))  # about 440 px: smaller, so that the buttons stay in view
        self.confusion.setPixmap(picture.scaledToHeight(
            min(picture.height(), 300), Qt.TransformationMode.SmoothTransformation))

    def export(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export the model to folder")
        if folder:
            self.export_to(self.selected(), Path(folder))

    def export_to(self, name: str, folder: Path) -> list[Path]:
        """Copies the packaged fp32 and int8 models and the model card, named by model id."""
        run = self.results.trained[name]
        model_id = _packaged_id(run) or run.name
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for source, suffix in (("model.onnx", ".onnx"), ("model_int8.onnx", "_int8.onnx"),
                               ("MODEL_CARD.md", "_MODEL_CARD.md")):
            written.append(Path(shutil.copyfile(run / source, folder / f"{model_id}{suffix}")))
        self.status.setText(f"Exported {', '.join(p.name for p in written)} to {folder}.")
        return written

    def activate_selected(self) -> None:
        name = self.selected()
        if self.offered(name) and self.activate is not None:
            self.activate(run_runtime_model(self.results.trained[name]))
            self.status.setText(f"{name} is now used for live suggestions. Suggestion > "
                                "Restore previous model goes back to the one before.")


def _packaged_id(run: Path) -> str:
    """The model id the run was packaged under (the compared file is its int8 twin, whose id
    carries a suffix); "" when unknown."""
    return str(read_package(run).get("model_id") or "")


WIDE_INTERVAL = 0.2  # a 95 % interval wider than 20 points of macro-F1: too few test frames


def _how_measured(comparison: dict) -> str:
    """What the figures are of (a trial met other figures in the training log), and when the
    test is too small for any model to be offered."""
    if not comparison:
        return ""
    text = ("The fine-tuned and new students are measured from their int8 files, as the app "
            "would run them; the training log's test figures are the fp32 network's and differ "
            "a little.")
    present = _classes_in_truth(comparison)
    if len(present) == 1:  # a trial: macro-F1 above accuracy read as an error
        text += (f" Every test frame is of one class ({present[0]}): accuracy is the share "
                 "named so and macro-F1 is that class's F1 alone, which no other class "
                 "lowers; test frames of more classes make the comparison mean more.")
    widths = [d["macro_f1"]["high"] - d["macro_f1"]["low"]
              for d in comparison.get("differences", {}).values()]
    if widths and min(widths) > WIDE_INTERVAL:
        text += (f" With {comparison['frames']} test frames the 95 % interval is "
                 f"{100 * min(widths):.0f} points wide: only a very large gain could be shown. "
                 "Frames from more inspections or videos narrow it.")
    return text


def _classes_in_truth(comparison: dict) -> list[str]:
    """The classes the test frames hold (the rows of any model's confusion matrix)."""
    for figures in comparison.get("models", {}).values():
        rows = figures.get("confusion") or []
        return [CLASS_NAMES[i] for i, row in enumerate(rows) if sum(row) and i < len(CLASS_NAMES)]
    return []


def _interval(diff: dict) -> str:
    return (f"{diff['value'] * 100:+.1f} ({diff['low'] * 100:+.1f} to "
            f"{diff['high'] * 100:+.1f}) points")


def model_roles(s: WizardSettings) -> dict[str, str]:
    """How each compared model came about, so that the rows read side by side."""
    kd = KdRecipe(s.kd_method, s.temperature, s.alpha).text()
    teacher = (f"reused teacher {Path(s.teacher_checkpoint).name}" if s.teacher_checkpoint
               else f"teacher {TEACHERS[s.teacher_arch].short}, {s.teacher_epochs} epochs")
    return {IN_USE: "used for live suggestions now",
            MODEL_NAMES["finetune"]: "the model in use, fine-tuned on these frames",
            MODEL_NAMES["student"]: "student trained alone (no teacher)",
            MODEL_NAMES["distilled"]: f"student distilled from the teacher ({kd})",
            MODEL_NAMES["teacher"]: f"{teacher}; too slow for live use"}
