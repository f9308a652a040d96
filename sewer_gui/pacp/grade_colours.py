"""Grade colours shared by the report and the window (plain hex: no reportlab, no Qt)."""

from __future__ import annotations

GRADE_HEX: dict[int | None, str] = {1: "#2e7d32", 2: "#9e9d24", 3: "#f9a825", 4: "#ef6c00",
                                    5: "#c62828", None: "#546e7a"}


def grade_hex(grade: int | None) -> str:
    return GRADE_HEX.get(grade, GRADE_HEX[None])
