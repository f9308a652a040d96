"""A pipe cross-section with the 12 clock positions: click sets 'from', shift-click sets 'to'."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


class ClockFace(QWidget):
    clockChanged = Signal(object, object)  # noqa: N815 - (from, to); None clears

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._from: int | None = None
        self._to: int | None = None
        self._positions = 2  # how many positions the current code takes (0, 1 or 2)
        self.setMinimumSize(QSize(120, 120))
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setToolTip("Click: clock 'at/from'. Shift+click: clock 'to'. Right-click: clear.")
        self.setAccessibleName("Clock position")

    def set_positions(self, count: int) -> None:
        self._positions = count
        self.setEnabled(count > 0)
        self.update()

    def set_clock(self, clock_from: int | None, clock_to: int | None) -> None:
        self._from, self._to = clock_from, clock_to
        self.update()

    def clock(self) -> tuple[int | None, int | None]:
        return self._from, self._to

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt name
        return width

    def _geometry(self) -> tuple[QPointF, float]:
        side = min(self.width(), self.height()) - 24
        return QPointF(self.width() / 2, self.height() / 2), side / 2

    @staticmethod
    def _angle(hour: int) -> float:
        return math.radians(hour * 30 - 90)

    def _hour_at(self, pos: QPointF) -> int:
        centre, _radius = self._geometry()
        angle = math.degrees(math.atan2(pos.y() - centre.y(), pos.x() - centre.x())) + 90
        hour = round((angle % 360) / 30) % 12
        return 12 if hour == 0 else hour

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if not self.isEnabled():
            return
        if event.button() == Qt.MouseButton.RightButton:
            self._from = self._to = None
        else:
            hour = self._hour_at(event.position())
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and self._positions == 2:
                self._to = hour
            else:
                self._from = hour
                if self._positions == 1:
                    self._to = None
        self.update()
        self.clockChanged.emit(self._from, self._to)

    def paintEvent(self, _event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        centre, radius = self._geometry()
        enabled = self.isEnabled()
        painter.setPen(QPen(QColor("#607d8b"), 2))
        painter.setBrush(QColor("#eceff1") if enabled else QColor("#f5f5f5"))
        painter.drawEllipse(centre, radius, radius)
        if self._from is not None and self._to is not None:
            span = ((self._to - self._from) % 12 or 12) * 30
            pen = QPen(QColor("#e65100"), 6)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            box = QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius)
            start = 90 - self._from * 30  # Qt: degrees counter-clockwise from 3 o'clock
            painter.drawArc(box, int(start * 16), int(-span * 16))
        painter.setFont(QFont(self.font().family(), 8))
        for hour in range(1, 13):
            angle = self._angle(hour)
            point = QPointF(centre.x() + math.cos(angle) * (radius - 12),
                            centre.y() + math.sin(angle) * (radius - 12))
            chosen = hour in (self._from, self._to)
            painter.setPen(QPen(QColor("#e65100") if chosen else QColor("#37474f")))
            if chosen:
                painter.setBrush(QColor("#ffe0b2"))
                painter.drawEllipse(point, 9, 9)
            painter.drawText(QRectF(point.x() - 10, point.y() - 8, 20, 16),
                             Qt.AlignmentFlag.AlignCenter, str(hour))
        painter.end()
