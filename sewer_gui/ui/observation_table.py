"""The observation table: a Qt model over the inspection's list, every edit an undoable command."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QUndoCommand, QUndoStack

from sewer_gui.pacp.codes import CodeTable
from sewer_gui.pacp.display import distance_text, video_time_text
from sewer_gui.pacp.model import Inspection, Observation, ReviewState
from sewer_gui.pacp.validation import Finding, Severity

EDITABLE_FIELDS = {"distance", "code", "continuous", "clock_from", "clock_to", "joint",
                   "value_1", "value_2", "percent", "remarks"}


@dataclasses.dataclass(frozen=True)
class Column:
    title: str
    field: str
    render: Callable[[Observation], str]


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


COLUMNS = [
    Column("Distance", "distance", lambda o: distance_text(o.distance)),
    Column("Video", "video_time", lambda o: video_time_text(o.video_time)),
    Column("Code", "code", lambda o: o.code),
    Column("Cont.", "continuous", lambda o: o.continuous),
    Column("From", "clock_from", lambda o: _num(o.clock_from)),
    Column("To", "clock_to", lambda o: _num(o.clock_to)),
    Column("Joint", "joint", lambda o: "yes" if o.joint else ""),
    Column("Value 1", "value_1", lambda o: _num(o.value_1)),
    Column("Value 2", "value_2", lambda o: _num(o.value_2)),
    Column("%", "percent", lambda o: _num(o.percent)),
    Column("Remarks", "remarks", lambda o: o.remarks),
    Column("Source", "origin", lambda o: o.source_text()),
]


def parse_field(name: str, text: str) -> object:
    """Text from an inline editor to the field's type; ValueError on nonsense."""
    text = text.strip()
    if name == "joint":
        return text.lower() in ("1", "yes", "y", "true", "x")
    if name in ("code", "continuous"):
        return text.upper()
    if name == "remarks":
        return text
    if not text:
        if name == "distance":
            raise ValueError("distance cannot be empty")
        return None
    if name in ("clock_from", "clock_to"):
        return int(text)
    return float(text)


class ObservationModel(QAbstractTableModel):
    """Rows are the inspection's observations sorted by distance; the list stays the domain's."""

    changed = Signal()  # any edit, add or removal (ratings, validation and autosave listen)

    def __init__(self, table: CodeTable, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.table = table
        self.inspection = Inspection()
        self.undo_stack = QUndoStack(self)
        self._rows: list[Observation] = []
        self._marks: dict[tuple[int, str], Severity] = {}  # (row, field; "" the row)

    # ----- binding -----------------------------------------------------------------------------
    def set_inspection(self, inspection: Inspection) -> None:
        self.beginResetModel()
        self.inspection = inspection
        self._resort()
        self.endResetModel()
        self.undo_stack.clear()

    def _resort(self) -> None:
        order = sorted(enumerate(self.inspection.observations),
                       key=lambda pair: (pair[1].distance, pair[0]))  # stable: entry order
        self._rows = [obs for _i, obs in order]

    def refresh(self) -> None:
        self.beginResetModel()
        self._resort()
        self.endResetModel()
        self.changed.emit()

    def set_findings(self, findings: list[Finding]) -> None:
        """The code cell of a row with findings is marked, and the cell of the field at fault
        too (a trial looked for the MWL's missing percent in the wrong place)."""
        self._marks = {}
        for f in findings:
            if f.observation is not None:
                for key in ((id(f.observation), ""), (id(f.observation), f.field)):
                    if self._marks.get(key) is not Severity.ERROR:
                        self._marks[key] = f.severity
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(COLUMNS) - 1))

    def observation_at(self, row: int) -> Observation | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, obs: Observation) -> int:
        for i, candidate in enumerate(self._rows):
            if candidate is obs:
                return i
        return -1

    # ----- Qt model -------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        obs = self.observation_at(index.row())
        if obs is None:
            return None
        column = COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return column.render(obs)
        if role == Qt.ItemDataRole.ToolTipRole:
            spec = self.table.get(obs.code)
            return f"{obs.code}: {spec.description if spec else 'unknown code'}"
        if role == Qt.ItemDataRole.ForegroundRole and obs.review is not ReviewState.ACCEPTED:
            return QBrush(QColor("#9e9e9e"))  # rejected, dismissed, pending: never counted
        if role == Qt.ItemDataRole.FontRole and obs.review is not ReviewState.ACCEPTED:
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole:
            mark = self._marks.get((id(obs), "" if column.field == "code" else column.field))
            if mark is Severity.ERROR:
                return QBrush(QColor("#ffcdd2"))
            if mark is Severity.WARNING:
                return QBrush(QColor("#fff9c4"))
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if COLUMNS[index.column()].field in EDITABLE_FIELDS:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: QModelIndex, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        obs = self.observation_at(index.row())
        if obs is None or role != Qt.ItemDataRole.EditRole:
            return False
        name = COLUMNS[index.column()].field
        try:
            parsed = parse_field(name, str(value))
        except ValueError:
            return False
        self.edit(obs, **{name: parsed})
        return True

    # ----- undoable operations -----------------------------------------------------------------
    def add(self, obs: Observation, text: str = "") -> None:
        self.undo_stack.push(_AddCommand(self, obs, text or f"Add {obs.code}"))

    def remove(self, obs: Observation) -> None:
        self.undo_stack.push(_RemoveCommand(self, obs))

    def edit(self, obs: Observation, **changes: object) -> None:
        changes = {k: v for k, v in changes.items() if getattr(obs, k) != v}
        if changes:
            self.undo_stack.push(_EditCommand(self, obs, changes))

    def _apply(self, obs: Observation, values: dict[str, object]) -> None:
        for name, value in values.items():
            setattr(obs, name, value)
        self.refresh()


class _AddCommand(QUndoCommand):
    def __init__(self, model: ObservationModel, obs: Observation, text: str) -> None:
        super().__init__(text)
        self.model, self.obs = model, obs

    def redo(self) -> None:
        self.model.inspection.observations.append(self.obs)
        self.model.refresh()

    def undo(self) -> None:
        self.model.inspection.observations.remove(self.obs)
        self.model.refresh()


class _RemoveCommand(QUndoCommand):
    def __init__(self, model: ObservationModel, obs: Observation) -> None:
        super().__init__(f"Delete {obs.code} at {obs.distance:g}")
        self.model, self.obs = model, obs
        self.position = model.inspection.observations.index(obs)

    def redo(self) -> None:
        self.model.inspection.observations.remove(self.obs)
        self.model.refresh()

    def undo(self) -> None:
        self.model.inspection.observations.insert(self.position, self.obs)
        self.model.refresh()


def field_words(changes: dict[str, object]) -> str:
    """Fields as the coder knows them: "clock", not "clock_from" (a trial read the latter)."""
    words = dict.fromkeys("clock" if name.startswith("clock") else name.replace("_", " ")
                          for name in changes)
    return ", ".join(words)


class _EditCommand(QUndoCommand):
    def __init__(self, model: ObservationModel, obs: Observation,
                 changes: dict[str, object]) -> None:
        super().__init__(f"Edit {obs.code}: {field_words(changes)}")
        self.model, self.obs = model, obs
        self.after = changes
        self.before = {k: getattr(obs, k) for k in changes}

    def redo(self) -> None:
        self.model._apply(self.obs, self.after)

    def undo(self) -> None:
        self.model._apply(self.obs, self.before)
