"""Cracks that look like real ones, drawn on the unrolled wall with each PACP subtype's geometry.

A real crack is a jagged, branching line whose width tapers towards its ends, with a dark core
(or dirt and water in it), often a stained or calcite-white rim and spalled edges; a fracture is
an open gap with a lit lip on one side and a shadow on the other. Geometry is per subtype and
stays PACP-right: CL runs along the pipe, CC around it, CS as a helix, CM is a network, CH is a
hinge pattern of longitudinal cracks at the quarter points.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from ml.classes import CrackClass
from ml.synth.wall import WallGeometry

HINGE_CLOCKS = (12.0, 3.0, 6.0, 9.0)


@dataclass(frozen=True)
class CrackLook:
    width: float  # texels at the widest point
    darkness: float  # 0..1 of the core
    rim: str  # "none" | "stain" | "calcite" | "wet"
    fracture: bool
    jagged: float  # high-frequency wobble, texels per step
    branches: int

    @classmethod
    def sample(cls, rng: np.random.Generator, fracture: bool) -> CrackLook:
        if fracture:
            width, dark = rng.uniform(7.0, 14.0), rng.uniform(0.7, 0.95)
        elif rng.random() < 0.35:  # hairline
            width, dark = rng.uniform(2.5, 4.0), rng.uniform(0.45, 0.7)
        else:
            width, dark = rng.uniform(3.5, 7.0), rng.uniform(0.55, 0.9)
        rim = str(rng.choice(("none", "stain", "calcite", "wet"), p=(0.35, 0.3, 0.15, 0.2)))
        return cls(float(width), float(dark), rim, fracture, float(rng.uniform(0.4, 1.6)),
                   int(rng.choice((0, 1, 2, 3), p=(0.4, 0.3, 0.2, 0.1))))


def crack_path(rng: np.random.Generator, start: tuple[float, float], end: tuple[float, float],
               jagged: float) -> np.ndarray:
    """(u, v) points: a slow meander plus jagged zig-zags, pinned at both ends."""
    start_a, end_a = np.array(start, float), np.array(end, float)
    length = float(np.linalg.norm(end_a - start_a))
    steps = int(np.clip(length / 3, 12, 400))
    t = np.linspace(0, 1, steps)[:, None]
    line = start_a * (1 - t) + end_a * t
    direction = (end_a - start_a) / (length + 1e-6)
    normal = np.array([-direction[1], direction[0]])
    meander = np.cumsum(rng.normal(0, 0.35 * jagged, steps))
    meander = cv2.GaussianBlur(meander.reshape(-1, 1), (1, 0), 4).ravel()
    zigzag = rng.normal(0, jagged, steps)
    offset = meander + zigzag
    offset -= np.linspace(offset[0], offset[-1], steps)
    return line + offset[:, None] * normal


def _width_profile(rng: np.random.Generator, n: int, width: float) -> np.ndarray:
    """Widest somewhere inside, tapering to a hairline at the tips, with local variation."""
    t = np.linspace(0, 1, n)
    peak = rng.uniform(0.3, 0.7)
    shape = np.where(t < peak, t / peak, (1 - t) / (1 - peak)) ** rng.uniform(0.3, 0.8)
    wobble = 1 + 0.25 * cv2.GaussianBlur(rng.normal(0, 1, (n, 1)), (1, 0), 3).ravel()
    return np.clip(width * (0.25 + 0.75 * shape) * wobble, 1.0, None)


def _stroke(mask: np.ndarray, path: np.ndarray, widths: np.ndarray, around: int) -> None:
    """Variable-width polyline into `mask`, wrapping across the 12 o'clock seam."""
    for shift in (-around, 0, around):
        pts = path + np.array([shift, 0.0])
        if pts[:, 0].max() < 0 or pts[:, 0].min() >= around:
            continue
        ipts = np.round(pts * 4).astype(np.int32)  # 2 bits of sub-texel precision
        for k in range(len(ipts) - 1):
            cv2.line(mask, tuple(ipts[k]), tuple(ipts[k + 1]), 1.0,
                     max(1, int(round(widths[k]))), cv2.LINE_AA, shift=2)


def draw_real_crack(wall: np.ndarray, rng: np.random.Generator, path: np.ndarray,
                    look: CrackLook, mask_out: np.ndarray | None = None) -> None:
    """Paint one crack (and its branches) along `path` onto `wall` (float BGR, in place)."""
    around = wall.shape[1]
    core = np.zeros(wall.shape[:2], np.float32)
    widths = _width_profile(rng, len(path), look.width)
    _stroke(core, path, widths, around)
    for _ in range(look.branches):
        k = int(rng.integers(len(path) // 5, max(len(path) // 5 + 1, 4 * len(path) // 5)))
        angle = rng.uniform(0.4, 1.1) * rng.choice((-1, 1))
        seg = path[min(k + 1, len(path) - 1)] - path[k]
        base = np.arctan2(seg[1], seg[0]) + angle
        reach = rng.uniform(0.1, 0.35) * float(np.linalg.norm(path[-1] - path[0]))
        end = path[k] + reach * np.array([np.cos(base), np.sin(base)])
        branch = crack_path(rng, tuple(path[k]), tuple(end), look.jagged)
        _stroke(core, branch, _width_profile(rng, len(branch), look.width * 0.5), around)
    core = np.clip(core, 0, 1)
    if mask_out is not None:
        np.maximum(mask_out, core, out=mask_out)
    margin = int(look.width * 6 + 12)  # rims and spalls reach this far; paint only this box
    reach = float(np.linalg.norm(path[-1] - path[0])) * 0.4  # branches stay within this
    r0 = max(int(path[:, 1].min() - reach) - margin, 0)
    r1 = int(path[:, 1].max() + reach) + margin + 1
    wraps = path[:, 0].min() - reach < 0 or path[:, 0].max() + reach >= around
    c0 = 0 if wraps else max(int(path[:, 0].min() - reach) - margin, 0)
    c1 = around if wraps else int(path[:, 0].max() + reach) + margin + 1
    _paint(wall[r0:r1, c0:c1], rng, core[r0:r1, c0:c1].copy(), look)


def _paint(wall: np.ndarray, rng: np.random.Generator, core: np.ndarray, look: CrackLook) -> None:
    if look.rim != "none":
        rim = cv2.GaussianBlur(core, (0, 0), look.width * rng.uniform(0.8, 2.0))
        rim = np.clip(rim * 2.5 - core, 0, 1)[..., None] * rng.uniform(0.25, 0.6)
        colour = {"stain": (35, 70, 110), "calcite": (215, 220, 220), "wet": (25, 30, 32)}[look.rim]
        wall[:] = wall * (1 - rim) + np.array(colour, np.float32) * rim
    if look.fracture:  # an open gap: light catches one lip, the other throws a shadow
        shift = max(1, int(look.width * 0.4))
        lip = np.roll(core, shift, axis=int(rng.integers(0, 2))) * (1 - core)
        wall *= (1 + 0.35 * lip)[..., None]
    spall = (cv2.GaussianBlur(core, (0, 0), 3) > 0.08) & (rng.random(core.shape) < 0.015)
    if spall.any():
        blobs = cv2.GaussianBlur(spall.astype(np.float32), (0, 0), 2.5) * 6
        wall *= (1 - np.clip(blobs, 0, 0.5) * rng.choice((-0.6, 1.0)))[..., None]
    fill = np.array((20, 28, 35), np.float32) * rng.uniform(0.5, 2.0)  # dirt or water in it
    alpha = (core * look.darkness)[..., None]
    wall[:] = wall * (1 - alpha) + fill * alpha


# ----- subtype geometry: each returns the clock extent of what it drew -----------------------
Painter = Callable[[np.ndarray, np.random.Generator, WallGeometry, float, float, CrackLook,
                    np.ndarray | None], dict]


def _line_along(wall, rng, geo, clock, v0, length, look, mask) -> None:
    u = geo.u_of_clock(clock)
    drift = rng.normal(0, geo.around * 0.008)
    draw_real_crack(wall, rng, crack_path(rng, (u, v0), (u + drift, v0 + length), look.jagged),
                    look, mask)


def _ring_part(wall, rng, geo, clock, span, v, look, mask) -> None:
    u0 = geo.u_of_clock(clock)
    u1 = u0 + span / 12.0 * geo.around
    end_v = v + rng.normal(0, geo.texels_per_radius * 0.03)
    draw_real_crack(wall, rng, crack_path(rng, (u0, v), (u1, end_v), look.jagged), look, mask)


def _cl(wall, rng, geo, clock, v0, look, mask) -> dict:
    _line_along(wall, rng, geo, clock, v0, rng.uniform(0.8, 2.2) * geo.texels_per_radius, look, mask)
    return {"clock_from": clock, "clock_to": None}


def _cc(wall, rng, geo, clock, v0, look, mask) -> dict:
    span = float(rng.uniform(3.0, 11.0))
    _ring_part(wall, rng, geo, clock, span, v0 + rng.uniform(0, 0.5) * geo.texels_per_radius,
               look, mask)
    return {"clock_from": clock, "clock_to": (clock + span) % 12}


def _cs(wall, rng, geo, clock, v0, look, mask) -> dict:
    turns = rng.uniform(0.3, 0.8) * rng.choice((-1, 1))
    u0 = geo.u_of_clock(clock)
    length = rng.uniform(1.0, 2.6) * geo.texels_per_radius
    path = crack_path(rng, (u0, v0), (u0 + turns * geo.around, v0 + length), look.jagged)
    draw_real_crack(wall, rng, path, look, mask)
    return {"clock_from": clock, "clock_to": (clock + 12 * turns) % 12}


def _cm(wall, rng, geo, clock, v0, look, mask) -> dict:
    tpr = geo.texels_per_radius
    length = rng.uniform(0.8, 1.8) * tpr
    for _ in range(int(rng.integers(2, 5))):
        _line_along(wall, rng, geo, clock + rng.uniform(-2.5, 2.5), v0 + rng.uniform(0, 0.4) * tpr,
                    length * rng.uniform(0.5, 1.0), look, mask)
    for _ in range(int(rng.integers(1, 4))):
        _ring_part(wall, rng, geo, clock - rng.uniform(1.5, 3.5), rng.uniform(2, 6),
                   v0 + rng.uniform(0.1, 0.9) * length, look, mask)
    return {"clock_from": (clock - 3) % 12, "clock_to": (clock + 3) % 12}


def _ch(wall, rng, geo, clock, v0, look, mask) -> dict:
    count = int(rng.integers(2, 5))
    chosen = rng.choice(HINGE_CLOCKS, size=count, replace=False)
    length = rng.uniform(1.0, 2.2) * geo.texels_per_radius
    for c in chosen:
        _line_along(wall, rng, geo, float(c) + rng.normal(0, 0.25), v0, length, look, mask)
    return {"clock_from": float(min(chosen)), "clock_to": float(max(chosen)), "hinges": count}


PAINTERS: dict[CrackClass, Painter] = {
    CrackClass.CL: _cl, CrackClass.CC: _cc, CrackClass.CS: _cs, CrackClass.CM: _cm,
    CrackClass.CH: _ch,
}


def draw_subtype(wall: np.ndarray, rng: np.random.Generator, geo: WallGeometry,
                 label: CrackClass, clock: float, v0: float, look: CrackLook,
                 mask: np.ndarray | None = None) -> dict:
    """Draw one defect of `label` near row v0 around `clock`; returns its clock extent."""
    return PAINTERS[label](wall, rng, geo, clock, v0, look, mask)
