"""The coders' decisions as training labels (an ImageFolder tree the training wizard reads).

- confirmed or AI-edited crack codes: their crack class;
- rejected as "not a defect": ND (a clean-wall example);
- rejected as "wrong code": the coder's code (its crack class, or ND for a non-crack code);
- dismissed (a duplicate or an already-coded defect): no label at all;
- snapshots of manual non-crack codes (access points, taps, roots ...): ND.
"""

from __future__ import annotations

from pathlib import Path

from ml.classes import CrackClass, class_for_label
from sewer_gui.pacp.model import Inspection, ReviewState

# Codes whose snapshots show no crack: useful 'ND' examples when exporting coders' decisions.
NON_CRACK_PREFIXES = ("A", "M", "T", "R", "I", "D", "O", "J", "S")


def decision_label(code: str, review: ReviewState) -> CrackClass | None:
    """The training class a coder's decision teaches, or None when it teaches nothing."""
    if review is ReviewState.REJECTED:
        return CrackClass.ND  # the coder saw no defect where the model suggested one
    if review not in (ReviewState.ACCEPTED, ReviewState.RELABELLED):
        return None  # pending or dismissed
    label = class_for_label(code)
    if label is not None:
        return label
    if code.startswith(NON_CRACK_PREFIXES) and not code.startswith(("DR", "DF")):
        return CrackClass.ND
    return None  # broken, hole, collapse, deformed: neither a crack class nor clean wall


def export_decisions(inspections: list[Inspection], out: Path) -> dict[str, int]:
    """Write every labelled snapshot of every inspection; returns the count per class folder."""
    counts: dict[str, int] = {}
    for number, inspection in enumerate(inspections, start=1):
        for k, obs in enumerate(inspection.observations):
            label = decision_label(obs.code, obs.review) if obs.snapshot_jpeg else None
            if label is None:
                continue
            folder = Path(out) / label.value
            folder.mkdir(parents=True, exist_ok=True)
            name = (f"i{inspection.id or number}_o{obs.id or k}_{obs.code}_{obs.review}"
                    f"_{obs.distance:.2f}.jpg")
            (folder / name).write_bytes(obs.snapshot_jpeg)
            counts[label.value] = counts.get(label.value, 0) + 1
    return counts
