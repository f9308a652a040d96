"""Calibration anchors: set one at this frame (D), list, edit and delete them (Shift+D)."""

from __future__ import annotations

import copy

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QUndoCommand
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
        self._change(f"Anchor at {t:.1f} s", lambda: w.session.set_calibration_anchor(t, distance))

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
        self._change(f"Anchor at {time_s:.1f} s",
                     lambda: self.w.session.set_calibration_anchor(time_s, distance))

    def _delete(self, time_s: float) -> None:
        self._change(f"Delete anchor at {time_s:.1f} s",
                     lambda: self.w.session.remove_calibration_anchor(time_s))

    def _change(self, text: str, apply) -> None:
        """A calibration change and the rows that followed the old one, as one undo step: rows
        whose distance came from the calibration move with it; a distance typed by hand stays
        (a trial corrected an anchor and its rows kept the old distances, unsaid, and Ctrl+Z
        then undid an older edit)."""
        s = self.w.session
        rows = [o for o in s.inspection.observations if o.video_time is not None]
        followed = {id(o): abs(o.distance - s.distance_at(o.video_time)) < FOLLOWS for o in rows}
        before, source = _calibration(s), s.distance_source
        apply()
        after = _calibration(s)
        # Rows follow a correction of the same kind of track: not the first anchors replacing
        # a sidecar's or the counter's distances, nor one anchor alone, which is flat (a
        # review: D at 4 s on a sidecar video put every row at 1.5).
        same = s.distance_source == source and (source == "ocr" or min(
            len(before[0].anchors), len(after[0].anchors)) >= 2)
        moved = [(o, o.distance, s.distance_at(o.video_time)) for o in rows
                 if same and followed[id(o)]]
        moves = [(o, old, new) for o, old, new in moved if abs(new - old) >= FOLLOWS]
        others = sum(1 for o in rows if not followed[id(o)])
        _restore(s, before)
        self.w.model.undo_stack.push(_CalibrationCommand(self, text, before, after, moves))
        if not same:
            said = f"{text}: the rows keep their distances (from two anchors on, a correction " \
                   "moves the rows that follow the calibration)"
        else:
            said = f"{text}: {len(moves)} row(s) moved with the calibration (Ctrl+Z undoes it all)"
            if others:
                said += f"; {others} row(s) that did not follow it kept their distances"
        self.w.statusBar().showMessage(said + ".", 8000)


FOLLOWS = 0.006  # a row within this of the track's distance took its distance from it


def _calibration(session) -> tuple:
    return copy.deepcopy(session.track), session.track_source


def _restore(session, state: tuple) -> None:
    session.track, session.track_source = copy.deepcopy(state[0]), state[1]
    session.dirty = True


class _CalibrationCommand(QUndoCommand):
    def __init__(self, controller: CalibrationController, text: str, before: tuple,
                 after: tuple, moves: list) -> None:
        super().__init__(text)
        self.controller, self.before, self.after, self.moves = controller, before, after, moves
        self.video = controller.w.session.inspection.video_path

    def _apply(self, state: tuple, distances: list[float]) -> None:
        session = self.controller.w.session
        if session.inspection.video_path != self.video:  # another video since: not its track
            self.setObsolete(True)
            return
        _restore(session, state)
        for (obs, _old, _new), distance in zip(self.moves, distances, strict=True):
            obs.distance = distance
        self.controller.w.model.refresh()
        self.controller.changed()

    def redo(self) -> None:
        self._apply(self.after, [new for _o, _old, new in self.moves])

    def undo(self) -> None:
        self._apply(self.before, [old for _o, old, _new in self.moves])


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
