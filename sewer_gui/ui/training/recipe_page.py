"""How to train: fine-tune (default), from scratch or distil; options; the whole run's time."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWizardPage,
)

from ml.classes import CLASS_NAMES
from sewer_gui.distill_choices import KD_DEFAULTS, KD_METHODS, TEACHERS, KdRecipe, cpu_has_bf16
from sewer_gui.resources import resources_dir
from sewer_gui.run_folders import steps_to_run
from sewer_gui.training_recipe import (
    BALANCE,
    METHOD_DEFAULTS,
    METHODS,
    WizardSettings,
    estimate_seconds,
    new_student_args,
)
from sewer_gui.ui.training.estimate import Estimator, duration_words

EXPLAIN = {
    "temperature": "Softens the teacher's outputs so the student also learns which wrong "
                   "classes look alike.",
    "alpha": "Hinton KD only: weight of the teacher's soft targets against the true labels "
             "(0 = ignore the teacher, 1 = only the teacher). DIST and DKD add theirs to the "
             "full loss on the true labels.",
    "bf16": "bf16 mixed precision with channels-last layout: faster training on CPUs with "
            "AVX-512 BF16 or AMX. Check the accuracy against a run without it. On CUDA mixed "
            "precision is already on.",
    "no_bf16": "This CPU has no native bf16 (AVX-512 BF16 or AMX), where it would be slower.",
    "epochs": "Passes over the training images. Fine-tuning needs few; from scratch needs many.",
    "lr": "Learning rate of the AdamW optimiser. Low when fine-tuning, so that the model keeps "
          "what it knew.",
    "size": "Images are resized to this many pixels square (fine-tuning keeps the model's own).",
}
CACHE_NOTE = ("The teacher's outputs on the training images are computed once and cached beside "
              "its checkpoint: distilling costs about what training the student alone costs, "
              "and a reused teacher is not run again on the same data.")


def shipped_checkpoint() -> Path:
    return resources_dir() / "models" / "cmi_student.pt"


def _row(*widgets) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    return row


class RecipePage(QWizardPage):
    def __init__(self, settings: WizardSettings, kd: KdRecipe = KD_DEFAULTS,
                 bf16_capable: bool | None = None) -> None:
        super().__init__()
        self.setTitle("How to train")
        self.settings = settings
        self.kd = kd  # the measured best setting: its method's default T and alpha
        self.method = QComboBox()
        for key, text in METHODS.items():
            self.method.addItem(text, key)
        self.start = QLineEdit(str(shipped_checkpoint()))
        self.teacher = QLineEdit()
        self.teacher.setPlaceholderText("empty: train the teacher chosen below first")
        self.teacher_arch = self._combo({k: c.label for k, c in TEACHERS.items()},
                                        settings.teacher_arch)
        self.kd_method = self._combo({k: m.label for k, m in KD_METHODS.items()},
                                     settings.kd_method)
        self.teacher_epochs = self._spin(QSpinBox(), 1, 500, settings.teacher_epochs)
        self.temperature = self._spin(QDoubleSpinBox(), 1, 20, settings.temperature, 0.5)
        self.alpha = self._spin(QDoubleSpinBox(), 0, 1, settings.alpha, 0.05)
        self.epochs = self._spin(QSpinBox(), 1, 500, settings.student_epochs)
        self.lr = self._spin(QDoubleSpinBox(), 1e-5, 1, settings.lr, 1e-4, 5)
        self.batch = self._spin(QSpinBox(), 1, 1024, settings.batch_size)
        self.size = self._spin(QSpinBox(), 32, 512, settings.image_size)
        self.balance = QComboBox()
        for key, text in BALANCE.items():
            self.balance.addItem(text, key)
        self.device = QComboBox()
        self.device.addItem("cpu")
        self.bf16_capable = cpu_has_bf16() if bf16_capable is None else bf16_capable
        self.bf16 = QCheckBox("bf16 mixed precision on CPU")
        self.bf16.setChecked(settings.bf16_cpu and self.bf16_capable)
        self.bf16.setToolTip(EXPLAIN["bf16" if self.bf16_capable else "no_bf16"])
        self.kd_info = QLabel(CACHE_NOTE + (f" Default {kd.text()}: {kd.source}." if kd.source
                                            else ""))
        self.estimate = QLabel("Checking PyTorch and timing a few batches...")
        for label in (self.kd_info, self.estimate):  # wrapped to the page's width, never cut
            label.setWordWrap(True)
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        again = QPushButton("&Estimate again")
        again.clicked.connect(self.start_estimate)
        form = QFormLayout()
        form.addRow("Method", self.method)
        form.addRow("Start from", _row(self.start, self._browse(self.start, "Student")))
        form.addRow("Teacher", _row(self.teacher, self._browse(self.teacher, "Teacher")))
        form.addRow("New teacher", self.teacher_arch)
        form.addRow("Teacher epochs", self.teacher_epochs)
        form.addRow("Distillation", self.kd_method)
        form.addRow("Temperature T", self.temperature)
        form.addRow("Alpha", self.alpha)
        form.addRow("Epochs", self.epochs)
        form.addRow("Learning rate", self.lr)
        form.addRow("Batch size", self.batch)
        form.addRow("Image size", self.size)
        form.addRow("Imbalance", self.balance)
        form.addRow("Device", self.device)
        form.addRow("", self.bf16)
        self.form = form
        # The notes sit below the form, not in its rows: a form row of wrapped text that
        # appears later (distillation) keeps the height it had hidden and clips the text.
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.kd_info)
        layout.addWidget(self.estimate)
        layout.addLayout(_row(again))
        layout.addStretch(1)
        for key, spin in (("temperature", self.temperature), ("alpha", self.alpha),
                          ("epochs", self.epochs), ("lr", self.lr), ("size", self.size)):
            spin.setToolTip(EXPLAIN[key])
        self.method.currentIndexChanged.connect(self._method_changed)
        self.teacher.textChanged.connect(self._enable)
        self.kd_method.currentIndexChanged.connect(self._kd_method_changed)
        self.device.currentIndexChanged.connect(self._enable)
        for spin in (self.epochs, self.teacher_epochs):
            spin.valueChanged.connect(self.show_estimate)
        # What the timing depends on: a change drops the shown time and times again.
        for signal in (self.size.valueChanged, self.batch.valueChanged, self.start.textChanged,
                       self.teacher.textChanged, self.teacher_arch.currentIndexChanged,
                       self.device.currentIndexChanged):
            signal.connect(self._options_changed)
        self.estimator = Estimator(self)
        self.estimator.estimated.connect(self._estimated)
        self.estimator.failed.connect(self._estimate_failed)
        self._retimer = QTimer(self)  # typing a size times once, after the last key
        self._retimer.setSingleShot(True)
        self._retimer.setInterval(400)
        self._retimer.timeout.connect(self.start_estimate)
        self._active = False  # between initializePage and cleanupPage
        self.torch_ok: bool | None = None
        self.last_estimate: dict | None = None
        self._enable()

    @staticmethod
    def _spin(spin, low, high, value, step=None, decimals=None):
        if decimals is not None:
            spin.setDecimals(decimals)
        spin.setRange(low, high)
        if step is not None:
            spin.setSingleStep(step)
        spin.setValue(value)
        return spin

    @staticmethod
    def _combo(choices: dict[str, str], current: str) -> QComboBox:
        combo = QComboBox()
        for key, text in choices.items():
            combo.addItem(text, key)
        combo.setCurrentIndex(max(combo.findData(current), 0))
        return combo

    def _browse(self, target: QLineEdit, what: str) -> QPushButton:
        button = QPushButton("Choose...")
        button.clicked.connect(lambda: target.setText(QFileDialog.getOpenFileName(
            self, f"{what} checkpoint", "", "PyTorch (*.pt)")[0] or target.text()))
        return button

    def method_key(self) -> str:
        return str(self.method.currentData())

    def _method_changed(self) -> None:
        epochs, lr = METHOD_DEFAULTS[self.method_key()]
        self.epochs.setValue(epochs)
        self.lr.setValue(lr)
        self._enable()
        self._options_changed()

    def _options_changed(self) -> None:
        """Another method, size, batch, device or teacher: the shown time is not theirs."""
        if not self._active:
            return
        self.store()
        if self.estimate_args() == self.estimator.args:
            return
        self.estimator.stop()  # a late result of the old options is never shown
        self.last_estimate = None
        self.estimate.setText("The options changed: timing a few batches again...")
        self._retimer.start()
        self.completeChanged.emit()

    def _kd_method_changed(self) -> None:
        """Each method starts from its measured (else its paper's) temperature."""
        key = str(self.kd_method.currentData())
        measured = key == self.kd.method
        self.temperature.setValue(self.kd.temperature if measured
                                  else KD_METHODS[key].default_temperature)
        if measured:
            self.alpha.setValue(self.kd.alpha)
        self._enable()

    def _enable(self) -> None:
        method = self.method_key()
        distill = method == "distill"
        new_teacher = distill and not self.teacher.text().strip()
        shown = {self.start: method == "finetune", self.size: method != "finetune",
                 self.teacher: distill, self.temperature: distill, self.alpha: distill,
                 self.kd_method: distill, self.teacher_arch: new_teacher,
                 self.teacher_epochs: new_teacher}
        for widget, visible in shown.items():
            self.form.setRowVisible(self._row_of(widget), visible)
        self.kd_info.setVisible(distill)
        self.alpha.setEnabled(KD_METHODS[str(self.kd_method.currentData())].uses_alpha)
        self.bf16.setEnabled(self.bf16_capable and self.device.currentText() == "cpu")
        self.completeChanged.emit()

    def _row_of(self, widget) -> int:
        for row in range(self.form.rowCount()):
            item = self.form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            layout = item.layout() if item else None
            if item and (item.widget() is widget or
                         layout and any(layout.itemAt(i).widget() is widget
                                        for i in range(layout.count()))):
                return row
        return -1

    def initializePage(self) -> None:  # noqa: N802
        self._active = True
        self.store()
        self.start_estimate()

    def store(self) -> None:
        s = self.settings
        s.method = self.method_key()
        s.start_checkpoint = self.start.text().strip() if s.method == "finetune" else ""
        s.teacher_checkpoint = self.teacher.text().strip() if s.method == "distill" else ""
        s.teacher_arch, s.kd_method = (str(self.teacher_arch.currentData()),
                                       str(self.kd_method.currentData()))
        s.bf16_cpu = self.bf16.isChecked() and self.bf16.isEnabled()
        s.teacher_epochs, s.student_epochs = self.teacher_epochs.value(), self.epochs.value()
        s.temperature, s.alpha, s.lr = self.temperature.value(), self.alpha.value(), self.lr.value()
        s.batch_size, s.image_size = self.batch.value(), self.size.value()
        s.balance, s.device = str(self.balance.currentData()), self.device.currentText()

    def start_estimate(self) -> None:
        """Times a few batches in a child (which also says whether torch and CUDA are there)."""
        self._retimer.stop()
        self.store()
        if self.estimator.start(self.estimate_args()):
            self.last_estimate = None
            self.estimate.setText("Timing a few batches...")

    def estimate_args(self) -> list[str]:
        """The `ml.cli estimate` arguments of the stored settings."""
        s = self.settings
        args = ["estimate", "--data", s.data_arg(), "--batch-size", str(s.batch_size),
                "--image-size", str(s.image_size), "--device", s.device, "--split-by", "group"]
        if s.method == "finetune" and Path(s.start_checkpoint).is_file():
            args += ["--init-from", s.start_checkpoint]  # its architecture and input size
        elif s.method != "finetune":
            args += new_student_args(s.student_arch)
        if s.method == "distill" and not s.teacher_checkpoint:
            args += ["--teacher-too", s.teacher_arch]
        return args

    def _estimated(self, event: dict) -> None:
        self.torch_ok = True
        if event.get("cuda") and self.device.findText("cuda") < 0:
            self.device.addItem("cuda")
            self.device.setCurrentText("cuda")  # timed again there (_options_changed)
            return
        self.last_estimate = event
        self.show_estimate()

    def show_estimate(self) -> None:
        """The whole run's time from the last timed batches (epochs may change meanwhile)."""
        event = self.last_estimate
        if event is None or not self._active:
            return  # not timed yet, or training has started with the options stored
        self.store()
        seconds = estimate_seconds(steps_to_run(self.settings), event,
                                   self.settings.synthetic_per_class * len(CLASS_NAMES))
        per = ", ".join(f"{arch} {s * 1000:.0f} ms" for arch, s in
                        event["seconds_per_step"].items())
        self.estimate.setText(f"The whole run: about {duration_words(seconds)} on "
                              f"{self.settings.device} ({event['train_images']} training "
                              f"images; measured per batch: {per}; other programs running "
                              "on this computer can make it several times longer or shorter).")
        self.completeChanged.emit()

    def _estimate_failed(self, lines: list[str]) -> None:
        if any("No module named 'torch" in line for line in lines):
            self.torch_ok = False
            self.estimate.setText("Training needs PyTorch, which this installation does not "
                                  "have. Install the project with its 'train' extra.")
        else:
            self.estimate.setText("Could not time the run: " + " ".join(lines))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        if self.torch_ok is False:
            return False
        if self.method_key() == "finetune" and not Path(self.start.text().strip()).is_file():
            self.estimate.setText(f"{self.start.text()}: no such checkpoint. Choose the model's "
                                  "PyTorch checkpoint (.pt) or train from scratch.")
            return False
        return True

    def validatePage(self) -> bool:  # noqa: N802
        self.store()
        # Training starts now: a late timing must not change the stored options under it
        # (a review: a CUDA answer switched the device mid-run, and Back, Next then moved the
        # unchanged run to a new folder), nor take its CPU.
        self.cleanupPage()
        return True

    def shown_again(self) -> None:
        """Back from the run page (Qt does not initialise a page it goes back to)."""
        if not self._active:
            self._active = True
            if self.last_estimate is None:
                self.start_estimate()

    def cleanupPage(self) -> None:  # noqa: N802
        self._active = False
        self._retimer.stop()
        self.estimator.stop()
