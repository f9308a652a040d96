"""User text as reportlab paragraph markup: escaped, and cut into pieces that fit on a page.

reportlab reads `<img src=...>`, `<a href=...>` and other tags inside paragraph text. A remark
or a header field is data, never markup: `<`, `>` and `&` are escaped, control characters
(which the PDF text layer cannot carry) are dropped, and line breaks are kept.
A table row cannot split across pages, so long remarks are cut into rows of bounded size.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

REMARK_PIECE = 500  # characters per table row: about 20 lines in the remarks column
REMARK_LINES = 20  # and at most this many line breaks
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def plain(text: str) -> str:
    """The text without characters a PDF cannot show."""
    return _CONTROL.sub("", text)


def markup(text: str, limit: int | None = None) -> str:
    """Escaped paragraph markup for `text`, shortened to `limit` characters with an ellipsis."""
    text = plain(text)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "\u2026"
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br/>".join(escape(line) for line in lines)


def pieces(text: str, size: int = REMARK_PIECE, max_lines: int = REMARK_LINES) -> list[str]:
    """`text` cut into pieces of at most `size` characters and `max_lines` line breaks, at a
    line break or a space where one is near."""
    text = plain(text).strip()
    out: list[str] = []
    while len(text) > size or text.count("\n") >= max_lines:
        head = text[:size]
        breaks = [i for i, ch in enumerate(head) if ch == "\n"]
        if len(breaks) >= max_lines:
            cut = breaks[max_lines - 1]
        else:
            cut = head.rfind(" ", size // 2)
            cut = size if cut <= 0 else cut
        out.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*out, text] if text or not out else out
