"""Calibration anchors: set one at this frame (D), list, edit and delete them (Shift+D)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QInputDialog,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


class CalibrationController(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.w = window
        self.dialog: AnchorsDialog | None = None

    def set_anchor(self, distance: float | None = None) -> None:
        """Type the distance the on-screen counter shows; distances between anchors interpolate."""
        w = self.w
        t = w.player.time_s()
        if distance is None:
            value, ok = QInputDialog.getDouble(
                w, "Distance at this frame",
                # Not every video has a counter: then the camera's position is measured.
                f"Distance at {t:.1f} s ({w.session.inspection.units.value}), as the counter "
                "on screen shows it, or as measured:",
                w.session.distance_at(t), 0, 100000, 2)
            if not ok:
                return
            distance = value
        w.session.set_calibration_anchor(t, distance)
        self.changed()

    def changed(self) -> None:
        self.w.on_observations_changed()
        self.w.refresh_overlay()  # the distance on the picture, without waiting for a frame
        if self.dialog is not None:
            self.dialog.fill(self.w.session.calibration_anchors())

    def show_anchors(self) -> None:
        dialog = AnchorsDialog(self.w.session.inspection.units.value, self.w)
        dialog.fill(self.w.session.calibration_anchors())
        dialog.distanceEdited.connect(self._edit)
        dialog.deleteRequested.connect(self._delete)
        dialog.seekRequested.connect(self.w.player.seek_time)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def _edit(self, time_s: float, distance: float) -> None:
        self.w.session.set_calibration_anchor(time_s, distance)
        self.changed()

    def _delete(self, time_s: float) -> None:
        self.w.session.remove_calibration_anchor(time_s)
        self.changed()


class AnchorsDialog(QDialog):
    """The anchors as a table: edit a distance in place, Delete removes, Enter goes there."""

    distanceEdited = Signal(float, float)  # noqa: N815 - time, new distance
    deleteRequested = Signal(float)  # noqa: N815
    seekRequested = Signal(float)  # noqa: N815

    def __init__(self, unit: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Calibration anchors")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Video time (s)", f"Distance ({unit})"])
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.itemChanged.connect(self._item_changed)
        self.table.installEventFilter(self)
        self._times: list[float] = []
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Edit a distance in place; Delete removes the selected anchor; "
                                "Enter on a time goes to that frame."))
        layout.addWidget(self.table)
        self.resize(360, 320)

    def fill(self, anchors: list[tuple[float, float]]) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(len(anchors))
        self._times = [t for t, _d in anchors]
        for row, (t, d) in enumerate(anchors):
            when = QTableWidgetItem(f"{t:.2f}")
            when.setFlags(when.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, 0, when)
            self.table.setItem(row, 1, QTableWidgetItem(f"{d:.2f}"))
        self.table.blockSignals(False)

    def _item_changed(self, item: QTableWidgetItem) -> None:
        try:
            distance = float(item.text())
        except ValueError:
            item.setBackground(Qt.GlobalColor.red)
            return
        self.distanceEdited.emit(self._times[item.row()], distance)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt name
        if watched is self.table and isinstance(event, QKeyEvent) and \
                event.type() == QKeyEvent.Type.KeyPress and self.table.state() != \
                QTableWidget.State.EditingState:
            row = self.table.currentRow()
            if event.key() == Qt.Key.Key_Delete and 0 <= row < len(self._times):
                self.deleteRequested.emit(self._times[row])
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                    self.table.currentColumn() == 0 and 0 <= row < len(self._times):
                self.seekRequested.emit(self._times[row])
                return True
        return super().eventFilter(watched, event)
