"""A tall panel inside a scroll area, so that it does not set the window's minimum height."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


def scrolled(widget: QWidget) -> QScrollArea:
    """`widget` scrolls vertically when its dock is short (a 768-pixel laptop screen) and keeps
    its full width: no sideways scrolling of form fields."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setMinimumWidth(widget.minimumSizeHint().width()
                         + area.verticalScrollBar().sizeHint().width())
    return area
