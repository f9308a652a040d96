"""Things drawn on the unrolled wall: the crack classes and the look-alikes that are not cracks."""

from __future__ import annotations

import cv2
import numpy as np

from ml.classes import CrackClass
from ml.synth.wall import WallGeometry, draw_crack, polyline_walk

HINGE_CLOCKS = (12.0, 3.0, 6.0, 9.0)


def crack_style(rng: np.random.Generator, fracture: bool) -> tuple[float, float]:
    """(width in texels, darkness) of a thin crack or of a visibly open fracture."""
    # Widths are texels of a 720-texel circumference: about 0.3 px each in a 112 px frame, so a
    # hairline must be several texels wide to survive as a pixel the camera (and model) sees.
    if fracture:
        return rng.uniform(8.0, 12.0), rng.uniform(0.7, 0.9)
    return rng.uniform(3.5, 6.5), rng.uniform(0.55, 0.85)


def _longitudinal(rng, wall, geo: WallGeometry, clock: float, v0: float, length: float,
                  fracture: bool) -> None:
    u = geo.u_of_clock(clock)
    drift = rng.normal(0, geo.around * 0.006)
    path = polyline_walk(rng, (u, v0), (u + drift, v0 + length), 40, 0.6)
    draw_crack(wall, rng, path, *crack_style(rng, fracture))


def _circumferential(rng, wall, geo: WallGeometry, clock_from: float, span_clock: float, v: float,
                     fracture: bool) -> None:
    u0 = geo.u_of_clock(clock_from)
    u1 = u0 + span_clock / 12.0 * geo.around
    path = polyline_walk(rng, (u0, v), (u1, v + rng.normal(0, geo.texels_per_radius * 0.04)),
                         60, 0.9)
    draw_crack(wall, rng, path, *crack_style(rng, fracture))


def draw_class(rng: np.random.Generator, wall: np.ndarray, geo: WallGeometry, label: CrackClass,
               v0: float, fracture: bool = False) -> dict:
    """Draw one defect of `label` whose near end is at row v0; returns its clock extent."""
    tpr = geo.texels_per_radius
    length = rng.uniform(0.8, 2.2) * tpr
    clock = float(rng.uniform(0, 12))
    if label is CrackClass.CL:
        _longitudinal(rng, wall, geo, clock, v0, length, fracture)
        return {"clock_from": clock, "clock_to": None}
    if label is CrackClass.CC:
        span = float(rng.uniform(3.0, 10.0))
        _circumferential(rng, wall, geo, clock, span, v0 + length * 0.2, fracture)
        return {"clock_from": clock, "clock_to": (clock + span) % 12}
    if label is CrackClass.CS:
        turns = rng.uniform(0.3, 0.7) * rng.choice((-1, 1))
        u0 = geo.u_of_clock(clock)
        path = polyline_walk(rng, (u0, v0), (u0 + turns * geo.around, v0 + length * 1.2), 60, 0.8)
        draw_crack(wall, rng, path, *crack_style(rng, fracture))
        return {"clock_from": clock, "clock_to": (clock + 12 * turns) % 12}
    if label is CrackClass.CM:
        for _ in range(int(rng.integers(2, 4))):
            _longitudinal(rng, wall, geo, clock + rng.uniform(-2.5, 2.5), v0 + rng.uniform(0, 0.3) * tpr,
                          length * rng.uniform(0.6, 1.0), fracture)
        for _ in range(int(rng.integers(1, 3))):
            _circumferential(rng, wall, geo, clock - rng.uniform(1.5, 3.5), rng.uniform(3, 6),
                             v0 + rng.uniform(0.2, 0.8) * length, fracture)
        return {"clock_from": (clock - 3) % 12, "clock_to": (clock + 3) % 12}
    if label is CrackClass.CH:
        count = int(rng.integers(2, 5))
        chosen = rng.choice(HINGE_CLOCKS, size=count, replace=False)
        for c in chosen:
            _longitudinal(rng, wall, geo, float(c) + rng.normal(0, 0.25), v0, length, fracture)
        return {"clock_from": float(min(chosen)), "clock_to": float(max(chosen)), "hinges": count}
    return {"clock_from": None, "clock_to": None}


# ----- look-alikes and everyday features (all of them appear in ND and behind cracks) -----------
def draw_stain(rng, wall, geo: WallGeometry, v: float) -> None:
    centre = (int(rng.uniform(0, geo.around)), int(v))
    axes = (int(rng.uniform(8, 40)), int(rng.uniform(15, 70)))
    mask = np.zeros(wall.shape[:2], np.float32)
    cv2.ellipse(mask, centre, axes, rng.uniform(0, 180), 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), rng.uniform(3, 9))[..., None]
    tint = np.array((40, 70, 95), np.float32) * rng.uniform(0.6, 1.2)
    wall[:] = wall * (1 - 0.6 * mask) + tint * 0.6 * mask


def draw_roots(rng, wall, geo: WallGeometry, v: float) -> None:
    """Fine roots from a joint: branching thin lines, easily confused with cracks."""
    u = rng.uniform(0, geo.around)
    for _ in range(int(rng.integers(3, 9))):
        angle = rng.uniform(0, 2 * np.pi)
        reach = rng.uniform(10, 45)
        end = (u + np.cos(angle) * reach, v + abs(np.sin(angle)) * reach)
        path = polyline_walk(rng, (u, v), end, 12, 1.5)
        draw_crack(wall, rng, path, rng.uniform(1.0, 2.5), rng.uniform(0.3, 0.6))
    wall[int(v):int(v) + 3] *= 0.8


def draw_tap(rng, wall, geo: WallGeometry, v: float) -> None:
    """A lateral connection: a dark round opening with a lit rim, at 2-4 or 8-10 o'clock."""
    clock = rng.choice((rng.uniform(1.5, 4.5), rng.uniform(7.5, 10.5)))
    centre = (int(geo.u_of_clock(clock)), int(v))
    radius = int(rng.uniform(12, 26))
    cv2.circle(wall, centre, radius + 3, (170, 170, 165), -1, cv2.LINE_AA)
    cv2.circle(wall, centre, radius, (14, 14, 16), -1, cv2.LINE_AA)


def draw_deposits(rng, wall, geo: WallGeometry, v: float) -> None:
    u6 = geo.u_of_clock(6)
    for _ in range(int(rng.integers(4, 14))):
        centre = (int(u6 + rng.normal(0, geo.around * 0.05)), int(v + rng.uniform(0, 80)))
        colour = tuple(float(c) for c in rng.uniform(90, 170, 3))
        cv2.circle(wall, centre, int(rng.uniform(3, 12)), colour, -1, cv2.LINE_AA)


def draw_manufacturing_marks(rng, wall, geo: WallGeometry, joints: list[float]) -> None:
    """Short evenly spaced marks beside every joint: PACP says these are not cracks."""
    clock = rng.uniform(0, 12)
    for v in joints:
        u = geo.u_of_clock(clock)
        path = np.array([(u, v + 6), (u + rng.normal(0, 1), v + 6 + rng.uniform(12, 20))])
        draw_crack(wall, rng, path, 1.5, 0.4)


def water_columns(geo: WallGeometry, level: float) -> tuple[float, float]:
    """Texture columns covered by water at fraction `level` of the diameter (centred on 6)."""
    half_angle = np.arccos(np.clip(1 - 2 * level, -1, 1))  # radians each side of the invert
    half = half_angle / (2 * np.pi) * geo.around
    u6 = geo.u_of_clock(6)
    return u6 - half, u6 + half
