"""Sizes that fit the screen: a tall panel that scrolls, a first window size within the screen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFrame, QScrollArea, QWidget


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


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize to width x height, or to the screen's free area where that is smaller (a
    1366 x 768 laptop): a window larger than the screen hides its status bar and edges."""
    screen = widget.screen() or QApplication.primaryScreen()
    if screen is not None:
        free = screen.availableGeometry()
        width, height = min(width, free.width()), min(height, free.height() - 32)  # title bar
    widget.resize(max(width, 200), max(height, 200))
