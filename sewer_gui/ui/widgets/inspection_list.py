"""The job's inspections as a table: segment, manholes, date, video, observations, review
progress and quick ratings. A dumb widget: it shows rows and emits what the coder asks for."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sewer_gui.job import SegmentRow
from sewer_gui.ui.keyboard import OPENS_ON_ENTER

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
# Short: the dock is narrow and the long names were cut ("ownstream MI"); the tooltips say them.
# What a coder checks first comes first (a trial could not reach "Reviewed" in the narrow dock).
COLUMNS = (  # header, tooltip, cell
    ("Segment", "Pipe segment reference", lambda r: r.segment),
    ("Up MH", "Upstream manhole", lambda r: r.upstream_mh),
    ("Down MH", "Downstream manhole", lambda r: r.downstream_mh),
    ("Obs.", "Observations", lambda r: str(r.observations)),
    ("Reviewed", "Scan candidates decided of found (before a scan: AI rows reviewed of all)",
     lambda r: r.review_text),
    ("Overall", "Overall quick rating", lambda r: r.ratings.overall.quick),
    ("ST", "Structural quick rating", lambda r: r.ratings.structural.quick),
    ("O&M", "O&M quick rating", lambda r: r.ratings.om.quick),
    ("Date", "Inspection date", lambda r: r.date),
    ("Video", "Video file", lambda r: r.video),
)
HEADERS = tuple(c[0] for c in COLUMNS)
HEADER_TIPS = tuple(c[1] for c in COLUMNS)


def _cells(row: SegmentRow) -> tuple[str, ...]:
    return tuple(cell(row) for _h, _t, cell in COLUMNS)


class SegmentTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[SegmentRow] = []
        self.current = -1

    def set_rows(self, rows: list[SegmentRow], current: int) -> None:
        self.beginResetModel()
        self.rows, self.current = rows, current
        self.endResetModel()

    def rowCount(self, parent: Index = ROOT) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = ROOT) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _cells(self.rows[index.row()])[index.column()]
        if role == Qt.ItemDataRole.FontRole and index.row() == self.current:
            font = QFont()
            font.setBold(True)  # the inspection on screen
            return font
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS[section]
        return None


class InspectionListPanel(QWidget):
    activated = Signal(int)  # the coder opens this inspection (double-click or Enter)
    leaveRequested = Signal()  # noqa: N815 - Esc on the list
    nextSegmentRequested = Signal()  # noqa: N815 - Qt signal style
    duplicateRequested = Signal()  # noqa: N815
    deleteRequested = Signal()  # noqa: N815
    summaryRequested = Signal()  # noqa: N815

    def __init__(self) -> None:
        super().__init__()
        self.model = SegmentTableModel()
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.activated.connect(lambda index: self.activated.emit(index.row()))
        self.view.setProperty(OPENS_ON_ENTER, True)
        self.view.setTabKeyNavigation(False)  # Tab leaves the list, not cell by cell
        self.view.installEventFilter(self)
        self.next_button = QPushButton("Next segment")
        self.duplicate_button = QPushButton("Duplicate")
        self.delete_button = QPushButton("Delete")
        self.undo_button = QPushButton("Undo")
        self.redo_button = QPushButton("Redo")
        self.next_button.clicked.connect(self.nextSegmentRequested)
        self.duplicate_button.clicked.connect(self.duplicateRequested)
        self.delete_button.clicked.connect(self.deleteRequested)
        self.summary_button = QPushButton("Summary PDF")
        self.summary_button.setToolTip("One row per segment: length, the nine ratings, "
                                       "defects by grade")
        self.summary_button.clicked.connect(self.summaryRequested)
        # Two rows of three: one row of six made this dock, and so the window, wider than a
        # 1366-pixel laptop screen.
        buttons = QGridLayout()
        for i, button in enumerate((self.next_button, self.duplicate_button, self.delete_button,
                                    self.undo_button, self.redo_button, self.summary_button)):
            buttons.addWidget(button, i // 3, i % 3)
        # Pre-scan of every video of the job: started, followed and cancelled here.
        self.scan_all_button = QPushButton("Scan all videos")
        self.scan_label = QLabel("")
        self.scan_progress = QProgressBar()
        self.cancel_scan_button = QPushButton("Cancel")
        prescan = QHBoxLayout()
        for widget in (self.scan_all_button, self.scan_label, self.scan_progress,
                       self.cancel_scan_button):
            prescan.addWidget(widget)
        self.show_scan_progress(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        layout.addLayout(prescan)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if watched is self.view and event.type() == QEvent.Type.KeyPress and \
                event.key() == Qt.Key.Key_Escape:
            self.leaveRequested.emit()  # Esc: back to the video
            return True
        return super().eventFilter(watched, event)

    def show_scan_progress(self, running: bool) -> None:
        for widget in (self.scan_label, self.scan_progress, self.cancel_scan_button):
            widget.setVisible(running)
        self.scan_all_button.setEnabled(not running)

    def set_rows(self, rows: list[SegmentRow], current: int) -> None:
        resize = len(rows) != len(self.model.rows)  # not on every edit: a coder's widths stay
        self.model.set_rows(rows, current)
        if resize:
            self.view.resizeColumnsToContents()  # fixed 100 px columns hid "Reviewed"
        self.view.selectRow(current)
        self.delete_button.setEnabled(len(rows) > 1)
