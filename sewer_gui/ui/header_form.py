"""The inspection header, typed: coded fields are drop-downs from the lookup tables, dates, times,
numbers and years are checked as they are typed; required fields carry an asterisk.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QWidget,
)

from sewer_gui.pacp.header_rules import LookupTable, default_lookups, field_kind, normalise
from sewer_gui.pacp.model import InspectionHeader
from sewer_gui.ui.widgets.coded_box import CodedBox

PLACEHOLDERS = {"date": "YYYY-MM-DD", "time": "HH:MM", "year": "YYYY", "number": "number"}
# Units a number is in (a trial saw only "number"; the report prints them).
UNIT_HINTS = {"height": "inches (mm in a metric job)", "width": "inches (mm in a metric job)",
              **{name: "feet (m in a metric job)"
                 for name in ("total_length", "length_surveyed", "pipe_joint_length")}}
BAD = "background: #ffcdd2;"
MISSING = "background: #fff3e0;"


class HeaderForm(QScrollArea):
    changed = Signal(str, str)  # attribute, normalised text
    problem = Signal(str)  # a typed value that was not taken, and why
    done = Signal()  # Enter or Esc in a field: the keys go back to the video

    def __init__(self, lookups: LookupTable | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lookups = lookups or default_lookups()
        self.setWidgetResizable(True)
        inner = QWidget()
        form = QFormLayout(inner)
        # In a narrow dock a label goes above its field: side by side they scrolled sideways,
        # and Tab took the labels out of sight.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.fields: dict[str, QLineEdit | QComboBox] = {}
        self._tabbed: QLineEdit | None = None  # the field Tab just left
        self.required = {n for n, _c, _l, r in InspectionHeader.columns() if r}
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828;")
        form.addRow(self.message)
        for name, _column, label, required in InspectionHeader.columns():
            widget = self._widget(name)
            widget.setAccessibleName(label)
            self.fields[name] = widget
            form.addRow(f"{label} *" if required else label, widget)
        self.setWidget(inner)

    def _widget(self, name: str) -> QLineEdit | QComboBox:
        kind = field_kind(name, self.lookups)
        if kind == "coded":
            box = CodedBox()
            # Long entries ("VCP - Vitrified clay pipe") do not set the form's width: the
            # list opens as wide as they need.
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(14)
            box.add_choice("", "")
            for code, description in self.lookups.choices[name]:
                box.add_choice(code, description)
            box.view().setMinimumWidth(box.view().sizeHintForColumn(0) + 24)
            # currentIndexChanged also covers typing a letter on the closed list (keyboard search)
            box.currentIndexChanged.connect(
                lambda _i, n=name, b=box: self.changed.emit(n, b.currentData()))
            return box
        edit = QLineEdit()
        edit.setPlaceholderText(UNIT_HINTS.get(name, PLACEHOLDERS.get(kind, "")))
        edit.editingFinished.connect(lambda n=name, e=edit: self._typed(n, e))
        edit.installEventFilter(self)
        return edit

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        """Left with Tab: a refused text then takes the keys back (a trial's bad date let Tab
        move on while the README said a refused value keeps the keys)."""
        if event.type() == QEvent.Type.FocusOut and isinstance(watched, QLineEdit) and \
                event.reason() in (Qt.FocusReason.TabFocusReason,
                                   Qt.FocusReason.BacktabFocusReason):
            self._tabbed = watched
        return False

    def _typed(self, name: str, edit: QLineEdit) -> None:
        try:
            value = normalise(name, edit.text(), self.lookups)
        except ValueError as exc:
            edit.setStyleSheet(BAD)
            label = edit.accessibleName()
            self.message.setText(f"{label}: {exc}")
            self.problem.emit(f"{label}: {exc}")
            if self._tabbed is edit:  # Esc or a click elsewhere still leave it
                QTimer.singleShot(0, lambda: (edit.setFocus(), edit.selectAll()))
            self._tabbed = None
            return  # the stored value stays as it was until the text is valid
        self._tabbed = None
        self.message.setText("")
        edit.setText(value)
        # Taken: no longer marked refused (the Enter handler and set_header go by the mark).
        edit.setStyleSheet(MISSING if not value.strip() and name in self.required else "")
        self.changed.emit(name, value)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt name
        """Enter or Esc that a field passed on (a line edit after committing, a closed
        list): done with the header, unless the field's text was refused."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape):
            focused = QApplication.focusWidget()
            if event.key() == Qt.Key.Key_Escape or focused is None or \
                    focused.styleSheet() != BAD:
                self.done.emit()
                return
        super().keyPressEvent(event)

    def focus_field(self, name: str) -> None:
        """The keys to this field (the first one when unknown), scrolled into view."""
        widget = self.fields.get(name) or next(iter(self.fields.values()))
        self.ensureWidgetVisible(widget)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(widget, QLineEdit):
            widget.selectAll()

    def set_header(self, header: InspectionHeader) -> None:
        for name, widget in self.fields.items():
            value = getattr(header, name)
            if isinstance(widget, QComboBox):
                self._set_choice(name, widget, value)
            elif widget.styleSheet() != BAD or widget.text() == value:
                widget.setText(value)  # a rejected text stays on screen for correction
            if widget.styleSheet() != BAD:
                missing = not value.strip() and name in self.required
                widget.setStyleSheet(MISSING if missing else "")

    def _set_choice(self, name: str, box: QComboBox, value: str) -> None:
        try:
            code = normalise(name, value, self.lookups)
        except ValueError:
            code = None
        index = box.findData(code if code is not None else value)
        if index < 0:  # an imported value that is not in the table: show it, marked bad
            box.blockSignals(True)
            box.addItem(f"{value} (not a code)", value)
            box.blockSignals(False)
            index = box.count() - 1
        box.blockSignals(True)  # showing the stored value is not an edit
        box.setCurrentIndex(max(index, 0))
        box.blockSignals(False)
        box.setStyleSheet(BAD if code is None else "")
