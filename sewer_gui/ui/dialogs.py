"""File choosers, settings and help: the modal parts, kept apart from the window's logic."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ml.runtime.classifier import CrackClassifier
from ml.runtime.decision import DecisionPolicy
from sewer_gui.app_settings import AppSettings, save_settings
from sewer_gui.export_folders import ExportFolderError, export_folder, free_name
from sewer_gui.resources import default_model_path
from sewer_gui.ui.actions import shortcut_rows
from sewer_gui.ui.widgets.choice_box import Role, ask_choice
from sewer_gui.ui.widgets.sizing import fit_to_screen


class DialogsMixin:
    def export_pdf_dialog(self) -> None:
        if not self.checks.allows("PDF report", [self.session.inspection]):
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export PDF report",
                                              str(self.project.default_path(".pdf")),
                                              "PDF (*.pdf)")
        if path:
            self.export_pdf(Path(path), preview=True)

    def show_pdf_preview(self, path: Path, pages: list) -> None:
        from PySide6.QtWidgets import QLabel, QScrollArea, QWidget

        from sewer_gui.ui.widgets.video_view import bgr_to_qimage

        dialog = QDialog(self)
        dialog.setWindowTitle(f"Report preview - {Path(path).name} (Esc closes)")
        inner = QWidget()
        column = QVBoxLayout(inner)
        # It opens over the window: say where the file went and how to get back (a trial).
        column.addWidget(QLabel(f"Written to {Path(path).resolve()}. Esc closes this preview."))
        for page in pages:
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(bgr_to_qimage(page)))
            column.addWidget(label)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        layout = QVBoxLayout(dialog)
        layout.addWidget(scroll)
        fit_to_screen(dialog, 920, 900)
        dialog.open()
        self.preview_dialog = dialog

    def export_exchange_dialog(self) -> None:
        if not self.checks.allows("exchange tables", self.session.job):
            return
        folder = self._export_folder("Export exchange tables", "_exchange")
        if folder is not None:
            self.export_exchange(folder)

    def export_snapshots_dialog(self) -> None:
        folder = self._export_folder("Export snapshots", "_snapshots")
        if folder is not None:
            self.export_snapshots(folder)

    def _export_folder(self, title: str, suffix: str) -> Path | None:
        """A folder named like a file: the proposed new one (Enter takes it), one typed, or an
        existing one (used if empty, else given a sub-folder named after the segment). A
        folder dialog cannot make a new folder by keys, and a trial's typed path came back
        as the root. An earlier export's folder is offered again by a question: a save
        dialog opens an existing folder on Enter and leaves no name to save (a trial)."""
        name = self.project.default_path(suffix).name
        proposal = self.project.default_folder() / name
        if proposal.is_dir():
            answer = self.ask_export_again(title, proposal)
            if answer != "other":
                return proposal if answer == "again" else None
            proposal = free_name(proposal)
        chosen, _filter = QFileDialog.getSaveFileName(
            self, f"{title}: name a new folder, or choose one", str(proposal), "Folders (*)",
            options=QFileDialog.Option.DontConfirmOverwrite)
        if not chosen:
            return None
        try:
            return export_folder(Path(chosen), name)
        except ExportFolderError as exc:
            self.report_error(title, str(exc))
            return None

    def ask_export_again(self, title: str, folder: Path) -> str:
        """"again" (Enter), "other" or "cancel" (Esc); tests replace this method."""
        return ask_choice(self, QMessageBox.Icon.Question, title,
                          f"{folder} holds an earlier export. Write this one there again "
                          "(its files are replaced), or choose another folder?",
                          [("again", "&Replace its files", Role.AcceptRole),
                           ("other", "&Other folder...", Role.ActionRole)], default="again")

    def choose_model_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose crack model", "", "ONNX (*.onnx)")
        if path:
            self.activate_model(Path(path))

    def activate_model(self, path: Path) -> bool:
        """Load a model and remember the previous one so that it can be restored."""
        previous = self.settings.model_path or str(default_model_path())
        if not self.load_model(path):
            return False
        self.settings = dataclasses.replace(self.settings, model_path=str(path),
                                            previous_model_path=previous)
        save_settings(self.settings)
        return True

    def restore_previous_model(self) -> None:
        previous = self.settings.previous_model_path or str(default_model_path())
        self.activate_model(Path(previous))

    def settings_dialog(self) -> None:
        dialog = SettingsDialog(self.settings, self, in_use=self.classifier)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            new = dialog.result_settings()
            switch = bool(new.model_path) and new.model_path != self.settings.model_path
            # activate_model records the model in use as the previous one: keep it until then
            self.settings = dataclasses.replace(new, model_path=self.settings.model_path) \
                if switch else new
            save_settings(self.settings)
            if switch:
                self.activate_model(Path(new.model_path))
            elif self.inference is not None:
                self.inference.threshold = new.threshold

    def training_wizard(self) -> None:
        import sys

        if getattr(sys, "frozen", False):  # whether torch is there is checked in a child
            self.report_error("Training", "Training needs PyTorch, which the desktop bundle "
                                          "does not have (it infers only). Install the project "
                                          "with its 'train' extra and start the wizard there.")
            return
        from sewer_gui.ui.wizard import TrainingWizard

        active = Path(self.settings.model_path or default_model_path())
        wizard = TrainingWizard(activate=self.activate_model, active_model=active,
                                project_frames=self.export_training_frames, parent=self)
        # Closed wizards go (each watched the whole app's events for its dialogs' closing).
        wizard.finished.connect(wizard.deleteLater)
        wizard.open()
        self.wizard = wizard

    def export_training_frames(self, folder: Path) -> tuple[Path, dict]:
        """The coders' decisions on every inspection of the project as an ImageFolder dataset."""
        from sewer_gui.decisions import export_decisions

        target = Path(folder)
        counts = export_decisions(self.session.project_inspections(), target)
        self.statusBar().showMessage(f"Exported {sum(counts.values())} frames to {target}", 6000)
        return target, counts

    def export_training_frames_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export training frames to folder",
                                                  str(self.project.default_folder()))
        if folder:
            self.export_training_frames(Path(folder))

    def show_help(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows()
        table = QTableWidget(len(rows), 3)
        table.setHorizontalHeaderLabels(["Menu", "Command", "Key"])
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.setItem(r, c, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        table.verticalHeader().setVisible(False)
        layout = QVBoxLayout(dialog)
        layout.addWidget(table)
        # As wide as the three columns need: at 520 px the keys were cut ("Ctrl+Shift+").
        needed = table.horizontalHeader().length() + table.verticalScrollBar().sizeHint().width()
        fit_to_screen(dialog, needed + 40, 640)
        self.help_dialog = dialog
        dialog.open()


class SettingsDialog(QDialog):
    def __init__(self, settings: AppSettings, parent=None,
                 in_use: CrackClassifier | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self._settings = settings
        self.model_path = QLineEdit(settings.model_path)
        self.model_path.setPlaceholderText(f"bundled: {default_model_path().name}")
        own = DecisionPolicy.from_metadata(in_use.metadata).crack_threshold if in_use else None
        self.in_use = QLabel(f"{in_use.path.name}: {in_use.model_id}" if in_use
                             else "none (live suggestions are off)")
        self.in_use.setWordWrap(True)
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.0, 0.99)
        self.threshold.setSingleStep(0.05)
        # Shown at 0: the coder sees the figure the suggestion card quotes.
        self.threshold.setSpecialValueText("the model's own" + (f" ({own:.0%})" if own else ""))
        self.threshold.setValue(settings.threshold)
        self.stride = QDoubleSpinBox()
        self.stride.setRange(0.05, 5.0)
        self.stride.setValue(settings.scan_stride_s)
        self.units = QComboBox()
        self.units.addItems(["ft", "m"])
        self.units.setCurrentText(settings.units)
        self.surveyor = QLineEdit(settings.surveyor)
        self.certificate = QLineEdit(settings.certificate)
        self.live = QCheckBox("Live suggestions while playing")
        self.live.setChecked(settings.live_suggestions)
        self.reopen = QCheckBox("Reopen the last project on start")
        self.reopen.setChecked(settings.reopen_last_project)
        form = QFormLayout(self)
        form.addRow("Model file (.onnx)", self.model_path)
        form.addRow("Model in use", self.in_use)
        form.addRow("Suggestion threshold", self.threshold)
        form.addRow("Scan stride (s)", self.stride)
        form.addRow("Units for new inspections", self.units)
        form.addRow("Surveyor name", self.surveyor)
        form.addRow("PACP certificate", self.certificate)
        form.addRow("", self.live)
        form.addRow("", self.reopen)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def result_settings(self) -> AppSettings:
        return dataclasses.replace(
            self._settings, model_path=self.model_path.text().strip(),
            threshold=self.threshold.value(), scan_stride_s=self.stride.value(),
            units=self.units.currentText(), surveyor=self.surveyor.text().strip(),
            certificate=self.certificate.text().strip(), live_suggestions=self.live.isChecked(),
            reopen_last_project=self.reopen.isChecked())
