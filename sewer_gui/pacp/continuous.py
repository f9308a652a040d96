"""Continuous defects while coding: start the next free S##, finish a running one with F##."""

from __future__ import annotations

import dataclasses

from sewer_gui.pacp.model import Inspection, Observation, Origin

MAX_RUNS = 99


def open_starts(inspection: Inspection) -> list[Observation]:
    """Counted S## rows that have no F## yet, in entry order."""
    running: dict[str, Observation] = {}
    for obs in inspection.observations:
        role = obs.continuous_role
        if role is None or not obs.counts:
            continue
        if role[0] == "S":
            running[role[1]] = obs
        else:
            running.pop(role[1], None)
    return list(running.values())


def next_start_label(inspection: Inspection) -> str:
    """The lowest S## not running now (S01..S99); ValueError when all 99 are open."""
    busy = {obs.continuous_role[1] for obs in open_starts(inspection) if obs.continuous_role}
    for number in range(1, MAX_RUNS + 1):
        if f"{number:02d}" not in busy:
            return f"S{number:02d}"
    raise ValueError("99 continuous defects are open: finish one first")


def finish_row(start: Observation, distance: float, video_time: float | None,
               snapshot_jpeg: bytes | None) -> Observation:
    """The F## row for `start`: same code and clock positions, at the current distance."""
    role = start.continuous_role
    if role is None or role[0] != "S":
        raise ValueError(f"{start.code} at {start.distance:g} is not the start of a run")
    if distance < start.distance:
        raise ValueError(f"the finish ({distance:g}) would lie before S{role[1]} at "
                         f"{start.distance:g}")
    return dataclasses.replace(start, distance=distance, video_time=video_time,
                               continuous=f"F{role[1]}", snapshot_jpeg=snapshot_jpeg, id=None,
                               remarks="", origin=Origin.MANUAL, confidence=None, model_id="",
                               ai_code="")
