"""Side panels: the suggestion card, the observation editor, header, ratings and validation."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from sewer_gui.pacp.codes import CodeTable
from sewer_gui.pacp.model import InspectionHeader, Observation
from sewer_gui.pacp.ratings import InspectionRatings
from sewer_gui.pacp.validation import Finding, Severity
from sewer_gui.session import Suggestion
from sewer_gui.ui.widgets.clock_face import ClockFace
from sewer_gui.ui.widgets.code_picker import CodePicker

CONTINUOUS_CHOICES = ["", *[f"S{n:02d}" for n in range(1, 6)], *[f"F{n:02d}" for n in range(1, 6)]]


class SuggestionPanel(QWidget):
    """The model's proposal for the frame on screen, with confirm / fracture / reject."""

    confirmRequested = Signal()  # noqa: N815
    fractureRequested = Signal()  # noqa: N815
    rejectRequested = Signal()  # noqa: N815

    def __init__(self, table: CodeTable, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = table
        self.code_label = QLabel("-")
        self.code_label.setStyleSheet("font-size: 22pt; font-weight: bold; color: #e65100;")
        self.detail = QLabel("No suggestion. Play the video with live suggestions on (L).")
        self.detail.setWordWrap(True)
        self.alternatives = QLabel("")
        self.alternatives.setStyleSheet("color: #546e7a;")
        self.confirm = QPushButton("Confirm (Enter)")
        self.fracture = QPushButton("Fracture twin (F)")
        self.reject = QPushButton("Reject (Backspace)")
        self.confirm.clicked.connect(self.confirmRequested)
        self.fracture.clicked.connect(self.fractureRequested)
        self.reject.clicked.connect(self.rejectRequested)
        buttons = QHBoxLayout()
        for b in (self.confirm, self.fracture, self.reject):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.code_label)
        layout.addWidget(self.detail)
        layout.addWidget(self.alternatives)
        layout.addLayout(buttons)
        self.show_suggestion(None)

    def show_suggestion(self, suggestion: Suggestion | None, code: str = "") -> None:
        for b in (self.confirm, self.fracture, self.reject):
            b.setEnabled(suggestion is not None)
        if suggestion is None:
            self.code_label.setText("-")
            self.detail.setText("No crack suggested at this frame.")
            self.alternatives.setText("")
            return
        code = code or suggestion.code
        spec = self.table.get(code)
        grade = spec.grade_rule.grade(None, None) if spec else None
        self.code_label.setText(code)
        self.detail.setText(f"{spec.description if spec else code} - structural grade "
                            f"{grade if grade else '-'} - confidence {suggestion.confidence:.0%}"
                            f"\nmodel {suggestion.model_id}")
        alts = ", ".join(f"{c} {p:.0%}" for c, p in suggestion.alternatives)
        self.alternatives.setText(f"Alternatives: {alts}")


class ObservationEditor(QWidget):
    """Edits the selected observation; each change is reported as a field dict (undoable)."""

    edited = Signal(object, dict)  # observation, {field: value}

    def __init__(self, table: CodeTable, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = table
        self.obs: Observation | None = None
        self.code = CodePicker(table)
        self.distance = self._spin(0, 100000, 2)
        self.continuous = QComboBox()
        self.continuous.addItems(CONTINUOUS_CHOICES)
        self.joint = QCheckBox("At a joint")
        self.value_1, self.value_2 = self._spin(0, 10000, 1), self._spin(0, 10000, 1)
        self.percent = self._spin(0, 100, 0)
        self.percent.setSingleStep(5)
        self.clock = ClockFace()
        self.remarks = QLineEdit()
        self.description = QLabel("")
        self.description.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Code", self.code)
        form.addRow("", self.description)
        form.addRow("Distance", self.distance)
        form.addRow("Continuous", self.continuous)
        form.addRow("", self.joint)
        form.addRow("Value 1", self.value_1)
        form.addRow("Value 2", self.value_2)
        form.addRow("Percent", self.percent)
        form.addRow("Clock", self.clock)
        form.addRow("Remarks", self.remarks)
        self.code.codeChosen.connect(lambda c: self._emit(code=c))
        self.distance.editingFinished.connect(lambda: self._emit(distance=self.distance.value()))
        self.continuous.activated.connect(
            lambda _i: self._emit(continuous=self.continuous.currentText()))
        self.joint.clicked.connect(lambda v: self._emit(joint=bool(v)))
        self.value_1.editingFinished.connect(lambda: self._emit(value_1=self._value(self.value_1)))
        self.value_2.editingFinished.connect(lambda: self._emit(value_2=self._value(self.value_2)))
        self.percent.editingFinished.connect(lambda: self._emit(percent=self._value(self.percent)))
        self.clock.clockChanged.connect(lambda a, b: self._emit(clock_from=a, clock_to=b))
        self.remarks.editingFinished.connect(lambda: self._emit(remarks=self.remarks.text()))
        self.set_observation(None)

    @staticmethod
    def _spin(low: float, high: float, decimals: int) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(low - (1 if low == 0 else 0), high)
        spin.setDecimals(decimals)
        spin.setSpecialValueText("-")  # the minimum shows as '-': no value
        return spin

    @staticmethod
    def _value(spin: QDoubleSpinBox) -> float | None:
        return None if spin.value() == spin.minimum() else spin.value()

    def _emit(self, **changes: object) -> None:
        if self.obs is not None:
            self.edited.emit(self.obs, changes)

    def set_observation(self, obs: Observation | None) -> None:
        self.obs = obs
        for w in (self.code, self.distance, self.continuous, self.joint, self.value_1,
                  self.value_2, self.percent, self.clock, self.remarks):
            w.setEnabled(obs is not None)
        if obs is None:
            self.description.setText("Select an observation in the table.")
            return
        spec = self.table.get(obs.code)
        self.code.set_code(obs.code)
        self.description.setText(spec.description if spec else "Unknown code")
        self.distance.setValue(obs.distance)
        self.continuous.setCurrentText(obs.continuous)
        self.joint.setChecked(obs.joint)
        for spin, value in ((self.value_1, obs.value_1), (self.value_2, obs.value_2),
                            (self.percent, obs.percent)):
            spin.setValue(spin.minimum() if value is None else value)
        self.clock.set_clock(obs.clock_from, obs.clock_to)
        self.remarks.setText(obs.remarks)
        if spec:
            self.value_1.setEnabled(spec.values >= 1)
            self.value_2.setEnabled(spec.values >= 2)
            self.percent.setEnabled(spec.percent)
            self.clock.set_positions(spec.clock_positions)
            self.continuous.setEnabled(spec.continuous)
            self.joint.setEnabled(spec.joint)


class HeaderForm(QScrollArea):
    """The inspection header; required fields carry an asterisk."""

    changed = Signal(str, str)  # attribute, text

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        inner = QWidget()
        form = QFormLayout(inner)
        self.fields: dict[str, QLineEdit] = {}
        for name, _column, label, required in InspectionHeader.columns():
            edit = QLineEdit()
            edit.setAccessibleName(label)
            edit.editingFinished.connect(lambda n=name, e=edit: self.changed.emit(n, e.text()))
            self.fields[name] = edit
            text = f"{label} *" if required else label
            form.addRow(text, edit)
        self.setWidget(inner)

    def set_header(self, header: InspectionHeader) -> None:
        for name, edit in self.fields.items():
            edit.setText(getattr(header, name))
            missing = not edit.text().strip() and name in {
                n for n, _c, _l, r in InspectionHeader.columns() if r}
            edit.setStyleSheet("background: #fff3e0;" if missing else "")


class RatingsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        for col, title in enumerate(("", "Rating", "Index", "Quick")):
            label = QLabel(f"<b>{title}</b>")
            grid.addWidget(label, 0, col)
        self.cells: dict[tuple[str, str], QLabel] = {}
        for row, family in enumerate(("Structural", "O&M", "Overall"), start=1):
            grid.addWidget(QLabel(family), row, 0)
            for col, what in enumerate(("rating", "index", "quick"), start=1):
                cell = QLabel("-")
                cell.setAlignment(Qt.AlignmentFlag.AlignCenter)
                self.cells[(family, what)] = cell
                grid.addWidget(cell, row, col)
        note = QLabel("Only reviewed observations count.")
        note.setStyleSheet("color: #607d8b;")
        grid.addWidget(note, 4, 0, 1, 4)
        grid.setRowStretch(5, 1)  # keep the figures together at the top

    def set_ratings(self, ratings: InspectionRatings) -> None:
        for family, rating in (("Structural", ratings.structural), ("O&M", ratings.om),
                               ("Overall", ratings.overall)):
            self.cells[(family, "rating")].setText(str(rating.pipe_rating))
            self.cells[(family, "index")].setText(f"{rating.index:.2f}")
            self.cells[(family, "quick")].setText(rating.quick)


class ValidationPanel(QListWidget):
    """Errors and warnings; activating one jumps to its observation."""

    observationRequested = Signal(object)  # noqa: N815
    headerRequested = Signal()  # noqa: N815

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._findings: list[Finding] = []
        self.itemActivated.connect(self._jump)
        self.itemClicked.connect(self._jump)

    def set_findings(self, findings: list[Finding]) -> None:
        self._findings = findings
        self.clear()
        if not findings:
            self.addItem("No errors or warnings.")
            return
        for f in findings:
            item = QListWidgetItem(f.describe())
            item.setForeground(QColor("#c62828") if f.severity is Severity.ERROR
                               else QColor("#8d6e00"))
            self.addItem(item)

    def _jump(self, item: QListWidgetItem) -> None:
        row = self.row(item)
        if 0 <= row < len(self._findings):
            finding = self._findings[row]
            if finding.observation is None:
                self.headerRequested.emit()
            else:
                self.observationRequested.emit(finding.observation)
