"""A small line chart for live training curves (loss and validation accuracy per epoch)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

COLOURS = ["#1565c0", "#e65100", "#2e7d32", "#6a1b9a", "#c62828", "#00838f"]


class CurveChart(QWidget):
    def __init__(self, title: str, parent: QWidget | None = None,
                 fixed_range: tuple[float, float] | None = None) -> None:
        super().__init__(parent)
        self.title = title
        # Accuracy is drawn on 0..1: scaled to its own values, 10 % would fill the chart.
        self.fixed_range = fixed_range
        self.series: dict[str, list[float]] = {}
        self.setMinimumSize(QSize(260, 150))

    def add_point(self, series: str, value: float) -> None:
        self.series.setdefault(series, []).append(value)
        self.update()

    def clear(self) -> None:
        self.series.clear()
        self.update()

    def drop(self, series: str) -> None:
        """One series gone (a resumed step draws its epochs again from its checkpoint)."""
        self.series.pop(series, None)
        self.update()

    def value_range(self) -> tuple[float, float]:
        if self.fixed_range:
            return self.fixed_range
        values = [v for s in self.series.values() for v in s]
        low, high = min(values + [0.0]), max(values + [0.0])
        return low, high if high > low else low + 1

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#ffffff"))
        area = QRectF(36, 20, self.width() - 46, self.height() - 40)
        p.setPen(QPen(QColor("#b0bec5"), 1))
        p.drawRect(area)
        p.setPen(QColor("#263238"))
        p.drawText(QRectF(0, 0, self.width(), 18), Qt.AlignmentFlag.AlignCenter, self.title)
        values = [v for s in self.series.values() for v in s]
        if not values:
            p.end()
            return
        low, high = self.value_range()
        longest = max(len(s) for s in self.series.values())
        p.drawText(QRectF(0, area.top() - 6, 34, 12), Qt.AlignmentFlag.AlignRight, f"{high:.2g}")
        p.drawText(QRectF(0, area.bottom() - 6, 34, 12), Qt.AlignmentFlag.AlignRight, f"{low:.2g}")
        for k, (name, points) in enumerate(self.series.items()):
            colour = QColor(COLOURS[k % len(COLOURS)])
            p.setPen(QPen(colour, 2))
            coords = [QPointF(area.left() + area.width() * i / max(longest - 1, 1),
                              area.bottom() - area.height() * (v - low) / (high - low))
                      for i, v in enumerate(points)]
            for a, b in zip(coords, coords[1:], strict=False):
                p.drawLine(a, b)
            for c in coords[-1:]:
                p.drawEllipse(c, 2.5, 2.5)
            p.drawText(QPointF(area.left() + 6, area.top() + 14 + 13 * k), name)
        p.end()
