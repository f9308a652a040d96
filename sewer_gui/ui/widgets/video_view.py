"""The picture: the current frame scaled to fit, with distance and suggestion overlays."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget


def bgr_to_qimage(frame: np.ndarray) -> QImage:
    rgb = np.ascontiguousarray(frame[:, :, ::-1])
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class VideoView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._distance_text = ""
        self._banner = ""
        self._banner_colour = QColor("#e65100")
        self._placeholder = "Open a video (Ctrl+I) or a project (Ctrl+O)"
        self.setMinimumSize(QSize(320, 240))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Video")

    def set_frame(self, frame: np.ndarray | None) -> None:
        self._image = None if frame is None else bgr_to_qimage(frame)
        self.update()

    def set_distance_text(self, text: str) -> None:
        self._distance_text = text
        self.update()

    def set_banner(self, text: str, colour: str = "#e65100") -> None:
        self._banner, self._banner_colour = text, QColor(colour)
        self.update()

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.update()

    def picture_rect(self) -> QRectF:
        if self._image is None:
            return QRectF(self.rect())
        scaled = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        return QRectF((self.width() - scaled.width()) / 2, (self.height() - scaled.height()) / 2,
                      scaled.width(), scaled.height())

    @staticmethod
    def banner_rect(picture: QRectF) -> QRectF:
        """Near the top, under the distance box: CCTV burns its own text into the bottom."""
        return QRectF(picture.left() + 8, picture.top() + 40, picture.width() - 16, 30)

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#101214"))
        if self._image is None:
            p.setPen(QColor("#b0bec5"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._placeholder)
            p.end()
            return
        target = self.picture_rect()
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.drawImage(target, self._image)
        font = QFont(self.font())
        font.setPointSize(11)
        font.setBold(True)
        p.setFont(font)
        if self._distance_text:
            width = max(182, p.fontMetrics().horizontalAdvance(self._distance_text) + 20)
            box = QRectF(target.right() - width - 8, target.top() + 8, width, 26)
            p.fillRect(box, QColor(0, 0, 0, 160))
            p.setPen(QColor("#ffffff"))
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, self._distance_text)
        if self._banner:
            box = self.banner_rect(target)
            colour = QColor(self._banner_colour)
            colour.setAlpha(215)
            p.fillRect(box, colour)
            p.setPen(QColor("#ffffff"))
            # Shortened to the picture's width: clipped, it lost its key hints at the end.
            text = p.fontMetrics().elidedText(self._banner, Qt.TextElideMode.ElideMiddle,
                                              int(box.width()) - 12)
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        p.end()
