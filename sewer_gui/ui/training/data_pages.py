"""Choose the frames, then check every one of them in a worker thread before training."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)
from superqt.utils import WorkerBase, create_worker

from ml.classes import CLASS_NAMES, CrackClass
from ml.data_check import (
    CheckResult,
    check_images,
    mapped_samples,
    missing_classes,
    unmapped_folders,
)
from ml.datasets import DatasetError, Sample, holds_out_groups, index_dataset
from sewer_gui.run_folders import earlier_runs, write_checked_data
from sewer_gui.training_recipe import (
    SAME_GROUPS,
    WizardSettings,
)

LEAVE_OUT = "(leave out)"
MIN_FRAMES = 6  # fewer cannot be split into training, validation and test frames


class DataPage(QWizardPage):
    def __init__(self, settings: WizardSettings, project_frames: Callable | None) -> None:
        super().__init__()
        self.setTitle("Choose training data")
        self.setSubTitle("Folders named by PACP code (CC, CL, FL, CH3, ND, ...), CSV manifests "
                         "(path,code[,group]) or the frames your coders confirmed or rejected. "
                         "Frames of one inspection or video stay on one side of the test split.")
        self.settings = settings
        self.project_frames = project_frames
        self.sources = QListWidget()
        self.synthetic = QSpinBox()
        self.synthetic.setRange(0, 5000)
        self.synthetic.setSpecialValueText("none")
        self.synthetic.setSuffix(" per class")
        self.synthetic.setToolTip("Synthetic stills mixed into training only (never into the "
                                  "test frames), so that the model keeps what it knew.")
        buttons = QHBoxLayout()
        for text, slot in (("Add &folder...", self._add_folder),
                           ("Add &manifest...", self._add_manifest),
                           ("Add this &project's frames", self._add_project),
                           ("&Remove", self._remove)):
            button = QPushButton(text)
            # Enter is Next, not the last button pressed (a trial: Enter after adding a folder
            # opened the folder picker again).
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        self.sources.installEventFilter(self)  # Delete removes the selected entries
        self.resume = QComboBox()
        self.resume.addItem("Start a new run", "")
        for label, folder, finished in earlier_runs():
            self.resume.addItem(label, str(folder))
            self.resume.setItemData(self.resume.count() - 1, finished, Qt.ItemDataRole.UserRole + 1)
        self.resume.currentIndexChanged.connect(lambda _index: self.completeChanged.emit())
        layout = QVBoxLayout(self)
        layout.addWidget(self.sources)
        layout.addLayout(buttons)
        form = QFormLayout()
        form.addRow("Mix in &synthetic stills", self.synthetic)
        form.addRow("&Earlier runs", self.resume)
        layout.addLayout(form)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self.sources and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self._remove()
            return True
        return super().eventFilter(watched, event)

    def add_source(self, path: str) -> None:
        self.sources.addItem(path)
        self.sources.setCurrentRow(self.sources.count() - 1)
        self.completeChanged.emit()

    def resuming(self) -> str:
        """The earlier run chosen (to resume, or to show its results), else ""."""
        return str(self.resume.currentData() or "")

    def showing_results(self) -> bool:
        return bool(self.resume.currentData(Qt.ItemDataRole.UserRole + 1))

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
            # Into the run folder, which keeps them as long as the run (not a temporary one
            # that outlived the app, or was gone when the run was resumed).
            folder, counts = self.project_frames(Path(self.settings.work_dir) / "project_frames")
            for row in reversed(range(self.sources.count())):  # an earlier export: replaced
                if Path(self.sources.item(row).text()).name == folder.name:
                    self.sources.takeItem(row)
            if counts:
                self.add_source(str(folder))

    def _remove(self) -> None:
        """The selected entries, else the one with the keyboard's cursor (a trial: Delete did
        nothing until Space had selected it)."""
        items = self.sources.selectedItems() or [self.sources.currentItem()]
        for item in filter(None, items):
            self.sources.takeItem(self.sources.row(item))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return self.sources.count() > 0 or bool(self.resuming())

    def validatePage(self) -> bool:  # noqa: N802
        self.settings.sources = [self.sources.item(i).text() for i in range(self.sources.count())]
        self.settings.synthetic_per_class = self.synthetic.value()
        return True


def _index_and_check(sources: list[str], mapping: dict[Path, CrackClass],
                     result: CheckResult, found: list[Sample], errors: list[str]) -> Iterator[int]:
    """Index the sources (and folders mapped by hand), then check every image; yields counts."""
    for source in sources:
        try:
            found.extend(index_dataset(Path(source)).samples)
        except DatasetError as exc:
            if not any(Path(f).parent == Path(source) for f in mapping):
                errors.append(str(exc))
    for folder, label in mapping.items():
        found.extend(mapped_samples(folder, label))
    yield 0
    yield from check_images(found, result)


def _class_counts(used: list[Sample]) -> dict[str, int]:
    return {n: sum(s.label.value == n for s in used) for n in CLASS_NAMES}


class CheckPage(QWizardPage):
    """Every image decoded and hashed in a worker; bad files and copies left out by choice."""

    def __init__(self, settings: WizardSettings) -> None:
        super().__init__()
        self.setTitle("Check the data")
        self.settings = settings
        self.progress = QProgressBar()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.counts = QTableWidget(len(CLASS_NAMES), 2)
        self.counts.setHorizontalHeaderLabels(["Class", "Frames used"])
        self.counts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.counts.setMaximumHeight(230)
        self.counts.setTabKeyNavigation(False)  # Tab leaves the table for the boxes below
        self.mapping = QTableWidget(0, 2)
        self.mapping.setHorizontalHeaderLabels(["Folder", "Class"])
        self.mapping.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.mapping.setMaximumHeight(120)
        self.mapping.setTabKeyNavigation(False)
        self.bad = QListWidget()
        self.bad.setMaximumHeight(100)
        self.leave_out_bad = QCheckBox()
        self.leave_out_copies = QCheckBox()
        self.leave_out_copies.setChecked(True)
        for box in (self.leave_out_bad, self.leave_out_copies):
            box.toggled.connect(self._left_out)
        self.mapping_label = QLabel("Folders that are not a class (choose one to use them):")
        layout = QVBoxLayout(self)
        for widget in (self.progress, self.summary, self.counts, self.mapping_label,
                       self.mapping, self.bad, self.leave_out_bad, self.leave_out_copies):
            layout.addWidget(widget)
        self.worker: WorkerBase | None = None
        self.result = CheckResult()
        self.samples: list[Sample] = []
        self.errors: list[str] = []
        self.checked = False
        self._agreed_bad: set = set()  # the unreadable files the user agreed to leave out
        self.moved_from = ""  # a run folder the last Next left for other frames

    def initializePage(self) -> None:  # noqa: N802
        self._fill_mapping()
        self.start_check()

    def _fill_mapping(self) -> None:
        folders = unmapped_folders(self.settings.sources)
        self.mapping.setRowCount(len(folders))
        self.mapping.setVisible(bool(folders))
        self.mapping_label.setVisible(bool(folders))
        for row, folder in enumerate(folders):
            item = QTableWidgetItem(folder.name)
            item.setToolTip(str(folder))
            self.mapping.setItem(row, 0, item)
            combo = QComboBox()
            combo.addItems([LEAVE_OUT, *CLASS_NAMES])
            combo.setProperty("folder", str(folder))
            combo.currentIndexChanged.connect(self.start_check)
            self.mapping.setCellWidget(row, 1, combo)

    def folder_mapping(self) -> dict[Path, CrackClass]:
        chosen = {}
        for row in range(self.mapping.rowCount()):
            combo = self.mapping.cellWidget(row, 1)
            if combo.currentText() != LEAVE_OUT:
                chosen[Path(combo.property("folder"))] = CrackClass(combo.currentText())
        return chosen

    def start_check(self) -> None:
        self.stop()
        self.result, self.samples, self.errors, self.checked = CheckResult(), [], [], False
        self.progress.setValue(0)
        self.summary.setText("Checking every image...")
        worker = create_worker(_index_and_check, list(self.settings.sources),
                               self.folder_mapping(), self.result, self.samples, self.errors,
                               _start_thread=False)
        worker.yielded.connect(self._progress)
        worker.errored.connect(lambda exc: self.errors.append(str(exc)))
        worker.finished.connect(self._done)
        self.worker = worker
        self.completeChanged.emit()
        worker.start()

    def stop(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:  # it stops at its next image; its lists are no longer ours
            worker.finished.disconnect(self._done)
            worker.quit()

    def _progress(self, done: int) -> None:
        self.progress.setMaximum(max(len(self.samples), 1))
        self.progress.setValue(done)

    def _done(self) -> None:
        self.worker, self.checked = None, True
        if set(self.result.unreadable) != self._agreed_bad:
            with QSignalBlocker(self.leave_out_bad):  # other files: asked again
                self.leave_out_bad.setChecked(False)
        self.progress.setValue(self.progress.maximum())
        self._show()
        self.completeChanged.emit()

    def _left_out(self) -> None:
        """Ticking a box changes what is used, and whether Next may go on."""
        self._agreed_bad = set(self.result.unreadable) if self.leave_out_bad.isChecked() \
            else set()
        self._show()
        self.completeChanged.emit()

    def usable(self) -> list[Sample]:
        """Unreadable files are never used; Next waits until the user agrees to leave them out."""
        return self.result.usable(self.samples, True, self.leave_out_copies.isChecked())

    def _show(self) -> None:
        if not self.checked:
            return
        bad, copies = self.result.unreadable, self.result.duplicates
        self.bad.clear()
        self.bad.addItems([f"{path}: {why}" for path, why in bad.items()])
        self.bad.setVisible(bool(bad))
        self.leave_out_bad.setText(f"&Leave out the {len(bad)} unreadable file(s) listed above")
        self.leave_out_bad.setVisible(bool(bad))
        self.leave_out_copies.setText(f"Leave out {len(copies)} &duplicate copies (same bytes "
                                      "as another file)")
        self.leave_out_copies.setVisible(bool(copies))
        used = self.usable()
        counts = _class_counts(used)
        for row, name in enumerate(CLASS_NAMES):
            self.counts.setItem(row, 0, QTableWidgetItem(name))
            self.counts.setItem(row, 1, QTableWidgetItem(str(counts[name])))
        self.summary.setText(self._summary(used, counts))

    def _summary(self, used: list[Sample], counts: dict[str, int]) -> str:
        groups = len({s.group for s in used if s.group})
        where = ("; the test frames come from whole ones that training never sees." if
                 holds_out_groups([s.group for s in used]) else f": {SAME_GROUPS}")
        if used or not self.errors:
            lines = [f"Checked {self.result.checked} images: {len(used)} usable, from {groups} "
                     f"inspection(s) or video(s){where}", *self.errors]
        else:  # nothing to split: what is wrong comes first
            lines = ["Nothing to train on:", *self.errors]
        blocker = self._blocker(used, counts)
        if blocker:
            lines.append(blocker)
        if self.result.unreadable and not self.leave_out_bad.isChecked():
            lines.append(f"{len(self.result.unreadable)} file(s) cannot be read: leave them out "
                         "(below) or fix them before training.")
        missing = missing_classes(used)
        if missing:
            lines.append(f"No frames of {', '.join(missing)}: the new model learns nothing new "
                         "about them, and the comparison cannot measure them.")
        present = [n for n in counts.values() if n]
        if present and max(present) > 5 * min(present):
            lines.append(f"Imbalance: the largest class has {max(present) / min(present):.0f}x "
                         "the frames of the smallest. Balanced batches (the default on the "
                         "next page) or a class-weighted loss make up for it.")
        return "\n".join(lines)

    def _blocker(self, used: list[Sample], counts: dict[str, int]) -> str:
        """Why Next stays off, in words (a trial met a greyed Next and no reason)."""
        if self.errors:
            return ("Remove or fix the rejected source(s) named above: training uses every "
                    "listed source.") if used else ""
        if not used:
            return "No usable frames: every listed frame is left out."
        if len(used) < MIN_FRAMES:
            return f"At least {MIN_FRAMES} usable frames are needed to train; there are " \
                   f"{len(used)}."
        present = [n for n, k in counts.items() if k]
        if len(present) < 2 and not self.settings.synthetic_per_class:
            return (f"Every usable frame is {present[0]}: trained on one class alone a model "
                    "learns to answer only that. Add frames of another class, or go Back and mix "
                    "in synthetic stills (training only: the test then measures this class "
                    "alone).")
        return ""

    def isComplete(self) -> bool:  # noqa: N802
        if not self.checked or self.errors and not self.samples:
            return False
        if self.result.unreadable and not self.leave_out_bad.isChecked():
            return False
        used = self.usable()
        counts = _class_counts(used)
        return not self._blocker(used, counts)

    def validatePage(self) -> bool:  # noqa: N802
        before = self.settings.work_dir
        self.settings.manifest = str(write_checked_data(self.settings, self.usable()))
        if self.settings.work_dir != before:
            self.moved_from = before  # the run page says so in its log
        return True

    def cleanupPage(self) -> None:  # noqa: N802
        self.stop()
