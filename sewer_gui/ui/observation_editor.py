"""Edits the selected observation; every change is reported as a field dict (undoable).

Everything can be typed: the code (searchable), clock positions ("3", "3 9", "10-2"), continuous
S##/F## up to 99. Enter in any field commits it and says so (`committed`), so the window can give
the keys back to the video.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from sewer_gui.pacp.clock import format_clock, parse_clock
from sewer_gui.pacp.codes import CodeTable
from sewer_gui.pacp.model import Observation
from sewer_gui.ui.widgets.clock_face import ClockFace
from sewer_gui.ui.widgets.code_picker import CodePicker
from sewer_gui.ui.widgets.sizing import scrolled

CONTINUOUS_CHOICES = ["", *[f"S{n:02d}" for n in range(1, 6)], *[f"F{n:02d}" for n in range(1, 6)]]
REFUSED = "background: #ffcdd2;"
CONTINUOUS_TYPED = QRegularExpression(r"^$|^[SsFf](0[1-9]|[1-9][0-9])$")


class ObservationEditor(QWidget):
    edited = Signal(object, dict)  # observation, {field: value}
    committed = Signal()  # Enter in a field: the coder is done with it
    problem = Signal(str)  # typed text that could not be used, and why
    solved = Signal()  # a refused text corrected: what `problem` said is stale

    def __init__(self, table: CodeTable, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = table
        self.obs: Observation | None = None
        self.code = CodePicker(table)
        self.distance = self._spin(0, 100000, 2)
        self.continuous = QComboBox()
        self.continuous.setEditable(True)
        self.continuous.addItems(CONTINUOUS_CHOICES)
        self.continuous.setValidator(QRegularExpressionValidator(CONTINUOUS_TYPED, self))
        self.continuous.lineEdit().setPlaceholderText("S01..S99 / F01..F99")
        self.joint = QCheckBox("At a joint")
        self.value_1, self.value_2 = self._spin(0, 10000, 1), self._spin(0, 10000, 1)
        self.value_hints: dict[QDoubleSpinBox, QLabel] = {}
        self.percent = self._spin(0, 100, 0)
        self.percent.setSingleStep(5)
        self.clock = ClockFace()
        self.clock_text = QLineEdit()
        self.clock_text.setPlaceholderText("type 3, 3 9 or 10-2")
        self.clock_text.setAccessibleName("Clock positions")
        self.remarks = QLineEdit()
        self.description = QLabel("")
        self.description.setWordWrap(True)
        self._layout()
        self._connect()
        self.set_observation(None)

    def _layout(self) -> None:
        """The code and its description stay in view; the other fields scroll below them in a
        short dock (a trial: the clock field taking the keys scrolled the Code row away)."""
        clock_row = QHBoxLayout()
        clock_row.addWidget(self.clock_text)
        clock_row.addWidget(self.clock, 1)
        fields = QWidget()
        form = QFormLayout(fields)
        for label, field in (("Clock", clock_row),
                             ("Distance", self.distance), ("Continuous", self.continuous),
                             ("", self.joint), ("Value 1", self._with_hint(self.value_1)),
                             ("Value 2", self._with_hint(self.value_2)),
                             ("Percent", self.percent),
                             ("Remarks", self.remarks)):
            form.addRow(label, field)
        pinned = QFormLayout()
        code_label = QLabel("Code")
        # As wide as the widest label below: the two forms' fields line up.
        widest = max(form.itemAt(r, QFormLayout.ItemRole.LabelRole).widget().sizeHint().width()
                     for r in range(form.rowCount())
                     if form.itemAt(r, QFormLayout.ItemRole.LabelRole) is not None)
        code_label.setMinimumWidth(widest)
        pinned.addRow(code_label, self.code)
        pinned.addRow("", self.description)
        form.setContentsMargins(0, 0, 0, 0)  # in line with the pinned row above
        column = QVBoxLayout(self)
        column.addLayout(pinned)
        self.fields = scrolled(fields)
        column.addWidget(self.fields, 1)
        self.setTabOrder(self.code, self.clock_text)
        # A scroll area follows the keys only for Tab inside it; Tab from the code comes from
        # outside, and the window's keys (C, a quick code) set the focus directly.
        QApplication.instance().focusChanged.connect(self._keep_in_view)

    def _keep_in_view(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and self.fields.widget().isAncestorOf(new):
            self.fields.ensureWidgetVisible(new)

    def _connect(self) -> None:
        self.code.codeChosen.connect(lambda c: self._emit(code=c))
        self.code.committed.connect(lambda done: done and self.committed.emit())
        self.code.unknownCode.connect(lambda t: self.problem.emit(f"'{t}' is not a code"))
        self.code.codeChosen.connect(lambda _c: self.solved.emit())
        self.distance.editingFinished.connect(lambda: self._emit(distance=self.distance.value()))
        self.continuous.activated.connect(lambda _i: self._commit_continuous())
        self.continuous.lineEdit().editingFinished.connect(self._commit_continuous)
        self.joint.clicked.connect(lambda v: self._emit(joint=bool(v)))
        for name in ("value_1", "value_2", "percent"):
            spin = getattr(self, name)
            spin.editingFinished.connect(lambda n=name, s=spin: self._emit(**{n: self._value(s)}))
        self.clock.clockChanged.connect(lambda a, b: self._emit(clock_from=a, clock_to=b))
        self.clock_text.editingFinished.connect(self._commit_clock)
        self.clock_text.returnPressed.connect(self._clock_entered)
        self.remarks.editingFinished.connect(lambda: self._emit(remarks=self.remarks.text()))
        for line in (self.remarks, self.continuous.lineEdit()):
            line.returnPressed.connect(self.committed)
        for spin in (self.distance, self.value_1, self.value_2, self.percent):
            spin.lineEdit().returnPressed.connect(self.committed)

    def _with_hint(self, spin: QDoubleSpinBox) -> QWidget:
        """The spin box with what the code's value measures beside it, wrapping in the field
        column: as a form label, "Tap diameter (in / mm)" widened the form past the dock and
        cut off the clock (a trial)."""
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        hint = QLabel("")
        hint.setWordWrap(True)
        hint.setBuddy(spin)
        layout.addWidget(spin, 1)
        layout.addWidget(hint, 1)
        self.value_hints[spin] = hint
        return row

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

    def _commit_continuous(self) -> None:
        self._emit(continuous=self.continuous.currentText().strip().upper())

    def _clock_entered(self) -> None:
        """Enter on a refused clock keeps the keys here to correct it: a trial's next keys
        (a space among them) went to the video and started playback."""
        if self._commit_clock():
            self.committed.emit()
        else:
            self.clock_text.setFocus()
            self.clock_text.selectAll()

    def _commit_clock(self) -> bool:
        if self.obs is None:
            return False
        try:
            clock_from, clock_to = parse_clock(self.clock_text.text())
            spec = self.table.get(self.obs.code)
            if spec is not None and spec.clock_positions == 1 and clock_to is not None:
                raise ValueError(f"{spec.code} takes one clock position")
        except ValueError as exc:
            self.clock_text.setStyleSheet(REFUSED)
            self.problem.emit(str(exc))
            return False
        if self.clock_text.styleSheet() == REFUSED:
            self.solved.emit()
        self.clock_text.setStyleSheet("")
        self._emit(clock_from=clock_from, clock_to=clock_to)
        return True

    def _label_values(self, labels: tuple[str, str]) -> None:
        """Say what the code's values measure (a trial saw only "Value 1" for a tap's size)."""
        for spin, label in ((self.value_1, labels[0]), (self.value_2, labels[1])):
            self.value_hints[spin].setText(label)
            spin.setAccessibleName(label or ("Value 1" if spin is self.value_1 else "Value 2"))

    def field_widget(self, name: str) -> QWidget | None:
        """The widget that edits an observation field (validation's `Finding.field`); the code
        when that one is disabled for this code (a value the code does not take) or unknown."""
        widgets = {"distance": self.distance, "continuous": self.continuous.lineEdit(),
                   "joint": self.joint, "value_1": self.value_1, "value_2": self.value_2,
                   "percent": self.percent, "clock_from": self.clock_text,
                   "clock_to": self.clock_text, "remarks": self.remarks}
        widget = widgets.get(name)
        if widget is None or not widget.isEnabled():
            return self.code.lineEdit() if self.obs is not None else None
        return widget

    def set_observation(self, obs: Observation | None) -> None:
        self.obs = obs
        for w in (self.code, self.distance, self.continuous, self.joint, self.value_1,
                  self.value_2, self.percent, self.clock, self.clock_text, self.remarks):
            w.setEnabled(obs is not None)
        if obs is None:
            self._label_values(("", ""))
            self.description.setText("Select an observation in the table.")
            self.code.set_code("")
            self.clock.set_clock(None, None)
            for line in (self.clock_text, self.remarks):
                line.clear()
            # Nothing selected shows nothing: not the last row's distance or values.
            for spin in (self.distance, self.value_1, self.value_2, self.percent):
                spin.setValue(spin.minimum())
            self.continuous.setCurrentText("")
            self.joint.setChecked(False)
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
        self.clock_text.setText(format_clock(obs.clock_from, obs.clock_to))
        self.clock_text.setStyleSheet("")
        self.remarks.setText(obs.remarks)
        if spec:
            self.value_1.setEnabled(spec.values >= 1)
            self.value_2.setEnabled(spec.values >= 2)
            self._label_values(spec.value_labels)
            self.percent.setEnabled(spec.percent)
            self.clock.set_positions(spec.clock_positions)
            self.clock_text.setEnabled(spec.clock_positions > 0)
            self.continuous.setEnabled(spec.continuous)
            self.joint.setEnabled(spec.joint)
