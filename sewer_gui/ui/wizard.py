"""Train a teacher and distil a student on the user's images without leaving the application.

Each training step is a `sewer-ml ... --progress json` child process (QProcess): the app never
imports torch, the GUI never blocks, and Cancel sends SIGTERM so that the child stops at the next
batch and keeps its last checkpoint.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QProcess, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from ml.classes import CLASS_NAMES
from ml.datasets import DatasetError, DatasetIndex, index_dataset, merge, unreadable
from sewer_gui.training_plan import Step, WizardSettings, parse_progress, plan_steps
from sewer_gui.ui.widgets.curve_chart import CurveChart

EXPLAIN = {
    "temperature": "Softens the teacher's outputs so the student also learns which wrong "
                   "classes look alike. 2-4 is typical; higher spreads the probabilities more.",
    "alpha": "Weight of the teacher's soft targets against the true labels (0 = ignore the "
             "teacher, 1 = only the teacher).",
    "epochs": "Passes over the training images. More epochs fit better and take longer.",
    "batch": "Images per optimisation step; lower it if memory runs out.",
    "lr": "Learning rate of the AdamW optimiser (warm-up, then cosine decay).",
    "size": "Images are resized to this many pixels square; larger sees finer cracks, slower.",
}


class DataPage(QWizardPage):
    def __init__(self, settings: WizardSettings, project_frames: callable | None) -> None:
        super().__init__()
        self.setTitle("Choose training data")
        self.setSubTitle("Folders named by PACP code (CC, CL, FL, CH3, ND, ...), CSV manifests "
                         "(path,code), the frames your coders confirmed or rejected, or a "
                         "generated synthetic set. Mix as you like.")
        self.settings = settings
        self.project_frames = project_frames
        self.sources = QListWidget()
        self.synthetic = QSpinBox()
        self.synthetic.setRange(0, 5000)
        self.synthetic.setSpecialValueText("none")
        self.synthetic.setSuffix(" per class")
        buttons = QHBoxLayout()
        for text, slot in (("Add folder...", self._add_folder), ("Add manifest...",
                                                                 self._add_manifest),
                           ("Add this project's frames", self._add_project)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        remove = QPushButton("Remove")
        remove.clicked.connect(lambda: self._remove())
        buttons.addWidget(remove)
        layout = QVBoxLayout(self)
        layout.addWidget(self.sources)
        layout.addLayout(buttons)
        form = QFormLayout()
        form.addRow("Generate synthetic stills", self.synthetic)
        layout.addLayout(form)

    def add_source(self, path: str) -> None:
        self.sources.addItem(path)
        self.completeChanged.emit()

    def _add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Image folder (class sub-folders)")
        if folder:
            self.add_source(folder)

    def _add_manifest(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "CSV manifest", "", "CSV (*.csv)")
        if path:
            self.add_source(path)

    def _add_project(self) -> None:
        if self.project_frames is not None:
            folder, counts = self.project_frames()
            if counts:
                self.add_source(str(folder))

    def _remove(self) -> None:
        for item in self.sources.selectedItems():
            self.sources.takeItem(self.sources.row(item))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return self.sources.count() > 0 or self.synthetic.value() > 0

    def validatePage(self) -> bool:  # noqa: N802
        self.settings.sources = [self.sources.item(i).text() for i in range(self.sources.count())]
        self.settings.synthetic_per_class = self.synthetic.value()
        return True


class CheckPage(QWizardPage):
    """Counts per class, unreadable files, imbalance and a few thumbnails per class."""

    def __init__(self, settings: WizardSettings) -> None:
        super().__init__()
        self.setTitle("Check the data")
        self.settings = settings
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.counts = QTableWidget(len(CLASS_NAMES), 2)
        self.counts.setHorizontalHeaderLabels(["Class", "Images"])
        self.thumbs = QGridLayout()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.counts)
        layout.addLayout(self.thumbs)
        self.index: DatasetIndex | None = None
        self.problems: list[str] = []

    def initializePage(self) -> None:  # noqa: N802
        self.index, self.problems = None, []
        try:
            if self.settings.sources:
                self.index = merge([index_dataset(Path(p)) for p in self.settings.sources])
                self.problems = unreadable(self.index, limit=2000)
        except DatasetError as exc:
            self.problems = [str(exc)]
        self._show()
        self.completeChanged.emit()

    def _show(self) -> None:
        lines = []
        counts = self.index.counts() if self.index else dict.fromkeys(CLASS_NAMES, 0)
        for row, name in enumerate(CLASS_NAMES):
            self.counts.setItem(row, 0, QTableWidgetItem(name))
            extra = self.settings.synthetic_per_class
            self.counts.setItem(row, 1, QTableWidgetItem(
                f"{counts[name]}" + (f" + {extra} synthetic" if extra else "")))
        if self.problems:
            lines.append("<b style='color:#c62828'>Problems:</b><br>"
                         + "<br>".join(self.problems[:8]))
        if self.index and self.index.skipped:
            lines.append("Skipped: " + "; ".join(self.index.skipped[:5]))
        if self.index and self.index.imbalance_ratio() > 5:
            lines.append(f"<b>Class imbalance:</b> the largest class has "
                         f"{self.index.imbalance_ratio():.0f}x the images of the smallest. "
                         "Real footage is like this (CL and CC dominate); consider adding "
                         "synthetic stills for rare classes.")
        missing = [n for n in CLASS_NAMES if counts[n] == 0]
        if missing and not self.settings.synthetic_per_class:
            lines.append(f"No images for {', '.join(missing)}: the model cannot learn them.")
        self.summary.setText("<br>".join(lines) or "The data looks usable.")
        self._thumbnails()

    def _thumbnails(self) -> None:
        while self.thumbs.count():
            item = self.thumbs.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        if not self.index:
            return
        for col, name in enumerate(CLASS_NAMES):
            self.thumbs.addWidget(QLabel(name), 0, col)
            samples = [s for s in self.index.samples if s.label.value == name][:3]
            for row, sample in enumerate(samples, start=1):
                label = QLabel()
                label.setPixmap(QPixmap(str(sample.path)).scaled(
                    72, 72, Qt.AspectRatioMode.KeepAspectRatio))
                self.thumbs.addWidget(label, row, col)

    def isComplete(self) -> bool:  # noqa: N802
        if self.settings.synthetic_per_class and not self.settings.sources:
            return True
        return self.index is not None and not any("no images" in p or "manifest" in p
                                                  for p in self.problems)


class TeacherPage(QWizardPage):
    def __init__(self, settings: WizardSettings) -> None:
        super().__init__()
        self.setTitle("Teacher")
        self.setSubTitle("A ResNet50 learns first; the small student then learns from it.")
        self.settings = settings
        self.reuse = QLineEdit()
        self.reuse.setPlaceholderText("empty: train a new teacher")
        browse = QPushButton("Reuse a checkpoint...")
        browse.clicked.connect(self._browse)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 500)
        self.epochs.setValue(settings.teacher_epochs)
        form = QFormLayout(self)
        row = QHBoxLayout()
        row.addWidget(self.reuse)
        row.addWidget(browse)
        form.addRow("Teacher checkpoint", row)
        form.addRow("Teacher epochs", self.epochs)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Teacher checkpoint", "", "PyTorch (*.pt)")
        if path:
            self.reuse.setText(path)

    def validatePage(self) -> bool:  # noqa: N802
        self.settings.teacher_checkpoint = self.reuse.text().strip()
        self.settings.teacher_epochs = self.epochs.value()
        return True


class StudentPage(QWizardPage):
    def __init__(self, settings: WizardSettings, cuda: bool) -> None:
        super().__init__()
        self.setTitle("Student and distillation")
        self.settings = settings
        form = QFormLayout(self)
        self.temperature = self._double(settings.temperature, 1, 20, 0.5, "temperature", form,
                                        "Temperature T")
        self.alpha = self._double(settings.alpha, 0, 1, 0.05, "alpha", form, "Alpha")
        self.lr = self._double(settings.lr, 1e-5, 1, 1e-4, "lr", form, "Learning rate", 5)
        self.epochs = self._int(settings.student_epochs, 1, 500, "epochs", form, "Epochs")
        self.batch = self._int(settings.batch_size, 1, 1024, "batch", form, "Batch size")
        self.size = self._int(settings.image_size, 32, 512, "size", form, "Image size")
        self.device = QComboBox()
        self.device.addItems(["cpu", "cuda"] if cuda else ["cpu"])
        form.addRow("Device", self.device)

    def _double(self, value, low, high, step, key, form, label, decimals=2):
        spin = QDoubleSpinBox()
        spin.setDecimals(decimals)
        spin.setRange(low, high)
        spin.setSingleStep(step)
        spin.setValue(value)
        spin.setToolTip(EXPLAIN[key])
        form.addRow(label, spin)
        form.addRow("", self._hint(key))
        return spin

    def _int(self, value, low, high, key, form, label):
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setValue(value)
        spin.setToolTip(EXPLAIN[key])
        form.addRow(label, spin)
        form.addRow("", self._hint(key))
        return spin

    @staticmethod
    def _hint(key: str) -> QLabel:
        hint = QLabel(EXPLAIN[key])
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #607d8b;")
        return hint

    def validatePage(self) -> bool:  # noqa: N802
        s = self.settings
        s.temperature, s.alpha, s.lr = self.temperature.value(), self.alpha.value(), self.lr.value()
        s.student_epochs, s.batch_size = self.epochs.value(), self.batch.value()
        s.image_size, s.device = self.size.value(), self.device.currentText()
        return True


class RunPage(QWizardPage):
    """Runs the planned steps one after another, with progress, ETA, curves, log and cancel."""

    stepFinished = Signal(str, int)  # noqa: N815 - step name, exit code

    def __init__(self, settings: WizardSettings) -> None:
        super().__init__()
        self.setTitle("Train")
        self.settings = settings
        self.steps: list[Step] = []
        self.current = -1
        self.done: dict[str, dict] = {}
        self.process: QProcess | None = None
        self._buffer = ""
        self._log_tail: list[str] = []
        self.step_label = QLabel()
        self.progress = QProgressBar()
        self.eta = QLabel()
        self.loss_chart = CurveChart("training loss")
        self.acc_chart = CurveChart("validation accuracy")
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(2000)
        self.cancel_button = QPushButton("Cancel")
        self.resume_button = QPushButton("Resume")
        self.cancel_button.clicked.connect(self.cancel)
        self.resume_button.clicked.connect(lambda: self._start(resume=True))
        self.resume_button.setEnabled(False)
        charts = QHBoxLayout()
        charts.addWidget(self.loss_chart)
        charts.addWidget(self.acc_chart)
        buttons = QHBoxLayout()
        buttons.addWidget(self.eta, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.resume_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.step_label)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        layout.addLayout(charts)
        layout.addWidget(self.log)

    def initializePage(self) -> None:  # noqa: N802
        self.steps = plan_steps(self.settings)
        self.current, self.done = 0, {}
        self.loss_chart.clear()
        self.acc_chart.clear()
        self._start()

    def _start(self, resume: bool = False) -> None:
        step = self.steps[self.current]
        args = step.command() + (["--resume"] if resume else [])
        self.step_label.setText(f"Step {self.current + 1} of {len(self.steps)}: {step.title}")
        self.log.appendPlainText("$ " + " ".join(args[2:]))
        self.resume_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        process = QProcess(self)
        process.setProgram(args[0])
        process.setArguments(args[1:])
        process.setWorkingDirectory(str(Path(__file__).resolve().parents[2]))
        process.readyReadStandardOutput.connect(self._read_stdout)
        process.readyReadStandardError.connect(
            lambda: self._append(bytes(process.readAllStandardError()).decode(errors="replace")))
        process.finished.connect(self._finished)
        process.errorOccurred.connect(
            lambda err: self._append(f"could not start the training process ({err.name})"))
        self.process = process
        self._started = time.monotonic()
        process.start()

    def _append(self, text: str) -> None:
        for line in text.splitlines():
            self.log.appendPlainText(line)
            self._log_tail = (self._log_tail + [line])[-15:]

    def _read_stdout(self) -> None:
        self._buffer += bytes(self.process.readAllStandardOutput()).decode(errors="replace")
        *lines, self._buffer = self._buffer.split("\n")
        for line in lines:
            event = parse_progress(line)
            if event is None:
                self._append(line)
            else:
                self.on_event(event)

    def on_event(self, event: dict) -> None:
        kind = event["event"]
        name = self.steps[self.current].name
        if kind == "batch":
            within = ((event["epoch"] - 1) + event["step"] / event["steps"]) / max(
                self._epochs(), 1)
            self.progress.setValue(int(100 * (self.current + within) / len(self.steps)))
            self.eta.setText(f"This step: about {event['eta_s'] / 60:.1f} min left; "
                             f"loss {event['loss']:.3f}")
        elif kind == "epoch":
            self.loss_chart.add_point(name, event["train_loss"])
            if event.get("val_accuracy") is not None:
                self.acc_chart.add_point(name, event["val_accuracy"])
            self._append(f"epoch {event['epoch']}: loss {event['train_loss']:.4f}, "
                         f"val acc {event.get('val_accuracy')}, {event['seconds']} s")
        elif kind == "done":
            self.done[name] = event
        elif kind in ("error", "cancelled"):
            self._append(f"{kind}: {event.get('message', event.get('checkpoint', ''))}")
        elif kind in ("start", "data", "teacher_cache", "resumed"):
            self._append(json.dumps(event))

    def _epochs(self) -> int:
        name = self.steps[self.current].name
        return self.settings.teacher_epochs if name == "teacher" else self.settings.student_epochs

    def _finished(self, code: int, _status) -> None:
        step = self.steps[self.current]
        self.cancel_button.setEnabled(False)
        if code == 0:
            self.current += 1
            self.stepFinished.emit(step.name, code)
            if self.current < len(self.steps):
                self._start()
            else:
                self.progress.setValue(100)
                self.eta.setText("Finished.")
                self.completeChanged.emit()
            return
        self.stepFinished.emit(step.name, code)
        self.resume_button.setEnabled(bool(step.run_dir))
        if code == 130:
            self.eta.setText("Cancelled. The last checkpoint is kept: Resume continues from it.")
        else:
            self.eta.setText(f"<span style='color:#c62828'>{step.title} failed (exit {code}). "
                             "Last lines:</span>")
            self.log.appendPlainText("---- last lines ----\n" + "\n".join(self._log_tail))

    def cancel(self) -> None:
        if self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning:
            self.process.terminate()  # SIGTERM: the child saves last.pt and exits with 130

    def isComplete(self) -> bool:  # noqa: N802
        return self.current >= len(self.steps) > 0

    def cleanupPage(self) -> None:  # noqa: N802
        self.cancel()
        if self.process is not None:
            self.process.waitForFinished(15000)


class ResultsPage(QWizardPage):
    """Teacher vs student without KD vs student with KD on the held-out split; export, activate."""

    def __init__(self, settings: WizardSettings, activate) -> None:
        super().__init__()
        self.setTitle("Results")
        self.settings = settings
        self.activate = activate
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.table = QTableWidget(0, 4 + len(CLASS_NAMES))
        self.table.setHorizontalHeaderLabels(["Model", "Params", "Accuracy", "Macro-F1",
                                              *[f"F1 {c}" for c in CLASS_NAMES]])
        self.confusion = QLabel()
        self.export_button = QPushButton("Export ONNX and model card")
        self.activate_box = QCheckBox("Use it for live suggestions now")
        self.activate_box.setChecked(True)
        self.status = QLabel()
        self.export_button.clicked.connect(self.export)
        layout = QVBoxLayout(self)
        layout.addWidget(self.verdict)
        layout.addWidget(self.table)
        layout.addWidget(self.confusion)
        row = QHBoxLayout()
        row.addWidget(self.export_button)
        row.addWidget(self.activate_box)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self.exported: Path | None = None

    def metrics(self) -> dict[str, dict]:
        work = Path(self.settings.work_dir)
        found = {}
        for name, folder in (("ResNet50 teacher", Path(self.settings.teacher_checkpoint).parent
                              if self.settings.teacher_checkpoint else work / "teacher"),
                             ("CMI, no distillation", work / "student"),
                             ("CMI, distilled", work / "distilled")):
            path = folder / "metrics.json"
            if path.exists():
                found[name] = json.loads(path.read_text(encoding="utf-8"))
        return found

    def initializePage(self) -> None:  # noqa: N802
        found = self.metrics()
        self.table.setRowCount(len(found))
        for row, (name, m) in enumerate(found.items()):
            test = m["test"]
            cells = [name, f"{m['params'] / 1e6:.2f} M", f"{test['accuracy']:.1%}",
                     f"{test['macro_f1']:.1%}",
                     *[f"{test['per_class'][c]['f1']:.2f}" for c in CLASS_NAMES]]
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.verdict.setText(self._verdict(found))
        kd = found.get("CMI, distilled")
        if kd:
            from ml.metrics import confusion_png

            png = Path(self.settings.work_dir) / "distilled_confusion.png"
            confusion_png(kd["test"]["confusion"], list(CLASS_NAMES), str(png),
                          "distilled student, held-out split")
            self.confusion.setPixmap(QPixmap(str(png)))

    @staticmethod
    def _verdict(found: dict[str, dict]) -> str:
        base, kd = found.get("CMI, no distillation"), found.get("CMI, distilled")
        if not base or not kd:
            return "Not all runs finished."
        acc = (kd["test"]["accuracy"] - base["test"]["accuracy"]) * 100
        f1 = (kd["test"]["macro_f1"] - base["test"]["macro_f1"]) * 100
        paid = "Distillation paid off" if acc > 0 or f1 > 0 else "Distillation did not pay off"
        return (f"<b>{paid}</b>: accuracy {acc:+.1f} points, macro-F1 {f1:+.1f} points against "
                "the same student trained without the teacher (one seed: differences of 1-2 "
                "points can be noise).")

    def export(self) -> None:
        checkpoint = Path(self.settings.work_dir) / "distilled" / "best.pt"
        out, _ = QFileDialog.getSaveFileName(self, "Export model", str(
            Path(self.settings.work_dir) / "cmi_student.onnx"), "ONNX (*.onnx)")
        if out:
            self.export_to(checkpoint, Path(out))

    def export_to(self, checkpoint: Path, out: Path) -> None:
        import subprocess
        import sys

        result = subprocess.run([sys.executable, "-m", "ml.cli", "export", str(checkpoint),
                                 str(out)], capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            self.status.setText(f"Export failed: {result.stderr.strip()[-400:]}")
            return
        card = out.with_name(out.stem + "_MODEL_CARD.md")
        found = self.metrics()
        card.write_text("\n".join(["# Model card", "", f"- File: {out.name}",
                                   f"- Distillation: T={self.settings.temperature}, "
                                   f"alpha={self.settings.alpha}",
                                   f"- Data: {self.settings.data_arg()}", "",
                                   self._verdict(found), ""]), encoding="utf-8")
        self.exported = out
        self.status.setText(f"Exported {out} and {card.name}.")
        if self.activate_box.isChecked() and self.activate is not None:
            self.activate(out)


class TrainingWizard(QWizard):
    def __init__(self, activate=None, project_frames=None, cuda: bool = False,
                 work_dir: Path | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Train a crack model")
        self.settings = WizardSettings(work_dir=str(work_dir or Path(
            tempfile.mkdtemp(prefix="sewer-training-"))))
        self.data_page = DataPage(self.settings, project_frames)
        self.check_page = CheckPage(self.settings)
        self.teacher_page = TeacherPage(self.settings)
        self.student_page = StudentPage(self.settings, cuda)
        self.run_page = RunPage(self.settings)
        self.results_page = ResultsPage(self.settings, activate)
        for page in (self.data_page, self.check_page, self.teacher_page, self.student_page,
                     self.run_page, self.results_page):
            self.addPage(page)
        self.resize(900, 760)

