"""Pages of a written PDF as images, for the in-app preview (pypdfium2, no Qt)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pypdfium2 as pdfium


def render_pages(pdf: Path, scale: float = 1.4, limit: int = 20) -> list[np.ndarray]:
    """BGR arrays (PDFium's byte order) of the first `limit` pages at `scale` x 72 dpi."""
    document = pdfium.PdfDocument(str(pdf))
    try:
        pages = []
        for index in range(min(len(document), limit)):
            bitmap = document[index].render(scale=scale)
            pages.append(np.ascontiguousarray(bitmap.to_numpy()[:, :, :3]))
        return pages
    finally:
        document.close()
