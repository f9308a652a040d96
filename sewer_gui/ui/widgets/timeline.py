"""The video timeline: a scrubber with observation and AI-candidate markers."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


@dataclass(frozen=True)
class Marker:
    time_s: float
    end_s: float
    colour: str
    label: str


class Timeline(QWidget):
    seekRequested = Signal(float)  # noqa: N815 - seconds

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._duration = 0.0
        self._position = 0.0
        self._observations: list[Marker] = []
        self._candidates: list[Marker] = []
        self.setMinimumHeight(38)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("Click or drag to seek. Blue: observations. Orange: AI candidates.")

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(600, 38)

    def set_duration(self, seconds: float) -> None:
        self._duration = max(seconds, 0.0)
        self.update()

    def set_position(self, seconds: float) -> None:
        self._position = seconds
        self.update()

    def set_markers(self, observations: list[Marker], candidates: list[Marker]) -> None:
        self._observations, self._candidates = observations, candidates
        self.update()

    def _x(self, seconds: float) -> float:
        if self._duration <= 0:
            return 8.0
        return 8 + (self.width() - 16) * min(max(seconds / self._duration, 0), 1)

    def _seek_from(self, event: QMouseEvent) -> None:
        if self._duration > 0:
            fraction = (event.position().x() - 8) / max(self.width() - 16, 1)
            self.seekRequested.emit(min(max(fraction, 0.0), 1.0) * self._duration)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._seek_from(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._seek_from(event)

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        track = QRectF(8, 16, self.width() - 16, 8)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#cfd8dc"))
        p.drawRoundedRect(track, 4, 4)
        if self._duration > 0:
            done = QRectF(track.left(), track.top(), self._x(self._position) - 8, track.height())
            p.setBrush(QColor("#78909c"))
            p.drawRoundedRect(done, 4, 4)
        for m in self._candidates:
            x0, x1 = self._x(m.time_s), self._x(m.end_s)
            p.setBrush(QColor(m.colour))
            p.drawRect(QRectF(x0, 4, max(x1 - x0, 3), 9))
        for m in self._observations:
            x = self._x(m.time_s)
            p.setPen(QPen(QColor(m.colour), 2))
            p.drawLine(int(x), 26, int(x), 36)
        x = self._x(self._position)
        p.setPen(QPen(QColor("#d32f2f"), 2))
        p.drawLine(int(x), 2, int(x), 36)
        p.end()
