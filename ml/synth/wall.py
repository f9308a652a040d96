"""The unrolled pipe wall: a texture whose columns go around the pipe and rows along it.

Column u covers the circumference clockwise from 12 o'clock (u = 0 is the crown); row v is the
distance along the pipe in texels. Everything drawn here is projected later, so cracks drawn as
straight columns become true longitudinal cracks in the picture.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MATERIALS = {  # base BGR colour and texture roughness
    "concrete": ((112, 118, 122), 14.0),
    "clay": ((62, 92, 132), 10.0),
    "pvc": ((150, 154, 150), 4.0),
    "brick": ((58, 74, 118), 12.0),
}


@dataclass(frozen=True)
class WallGeometry:
    around: int  # texels around the circumference
    texels_per_radius: float  # texels along the pipe per pipe radius

    def u_of_clock(self, clock: float) -> float:
        """Texture column of a clock position (12 at the crown, 3 on the right)."""
        return (clock % 12) / 12.0 * self.around


def smooth_noise(rng: np.random.Generator, shape: tuple[int, int], scale: int) -> np.ndarray:
    """Low-frequency noise in [-1, 1] that wraps around the circumference without a seam."""
    rows, around = shape
    overlap = around // 4
    wide = around + overlap
    small = rng.standard_normal((max(2, rows // scale), max(2, wide // scale)))
    big = cv2.resize(small.astype(np.float32), (wide, rows), interpolation=cv2.INTER_CUBIC)
    # Cross-fade the start into the continuation past the end so column 0 follows column -1.
    weight = np.linspace(0, 1, overlap, dtype=np.float32)
    out = big[:, :around].copy()
    out[:, :overlap] = big[:, :overlap] * weight + big[:, around:] * (1 - weight)
    return np.clip(out / 2.5, -1, 1)


def base_wall(rng: np.random.Generator, geometry: WallGeometry, length: int, material: str,
              joint_every: float) -> np.ndarray:
    """A clean wall of `length` texels with joints every `joint_every` texels."""
    colour, rough = MATERIALS[material]
    shape = (length, geometry.around)
    tone = smooth_noise(rng, shape, 48) * 18 + smooth_noise(rng, shape, 6) * rough
    grain = rng.normal(0, rough * 0.5, shape)
    wall = np.empty((*shape, 3), np.float32)
    tint = rng.uniform(0.93, 1.07, 3) * rng.uniform(0.6, 1.0)
    for ch in range(3):
        wall[..., ch] = colour[ch] * tint[ch] + tone + grain
    if material == "brick":
        _brick_courses(wall, rng, geometry)
    offset = rng.uniform(0, joint_every)
    v = offset
    while v < length:
        _joint(wall, rng, int(v), geometry)
        v += joint_every * rng.uniform(0.97, 1.03)
    return wall


def _brick_courses(wall: np.ndarray, rng: np.random.Generator, geometry: WallGeometry) -> None:
    course = max(6, int(geometry.around / 40))
    mortar = np.array((95, 105, 110), np.float32)
    for u in range(0, wall.shape[1], course):
        wall[:, u:u + 2] = mortar
    brick_len = course * 3
    for v in range(0, wall.shape[0], brick_len // 2):
        stagger = (v // (brick_len // 2)) % 2 * (course // 2)
        for u in range(stagger, wall.shape[1], course * 2):
            wall[v:v + 2, u:u + course] = mortar


def _joint(wall: np.ndarray, rng: np.random.Generator, v: int, geometry: WallGeometry) -> None:
    """A joint: a dark ring across the whole circumference, with a lighter lip beside it."""
    width = int(rng.integers(2, 5))
    gap = rng.uniform(0.35, 0.6)
    wave = np.sin(np.linspace(0, 2 * np.pi, geometry.around) * rng.integers(1, 3)) * rng.uniform(0, 2)
    for u in range(geometry.around):
        row = int(v + wave[u])
        wall[max(row, 0):row + width, u] *= gap
        wall[row + width:row + width + 2, u] *= 1.12


def polyline_walk(rng: np.random.Generator, start: tuple[float, float], end: tuple[float, float],
                  steps: int, wiggle: float) -> np.ndarray:
    """A crack-like path from start to end (u, v): a straight line with a correlated wobble."""
    t = np.linspace(0, 1, steps)[:, None]
    line = np.array(start) * (1 - t) + np.array(end) * t
    direction = np.array(end, float) - np.array(start, float)
    normal = np.array([-direction[1], direction[0]]) / (np.linalg.norm(direction) + 1e-6)
    wobble = np.cumsum(rng.normal(0, wiggle, steps))
    wobble -= np.linspace(wobble[0], wobble[-1], steps)  # keep the ends where they were asked
    return line + wobble[:, None] * normal


def draw_crack(wall: np.ndarray, rng: np.random.Generator, path: np.ndarray, width: float,
               darkness: float) -> None:
    """Draw a crack along a (u, v) path, wrapping around the circumference seam."""
    around = wall.shape[1]
    for shift in (-around, 0, around):
        pts = path.copy()
        pts[:, 0] += shift
        if pts[:, 0].max() < 0 or pts[:, 0].min() >= around:
            continue
        mask = np.zeros(wall.shape[:2], np.uint8)
        thickness = max(1, int(round(width)))
        cv2.polylines(mask, [np.round(pts).astype(np.int32)], False, 255, thickness, cv2.LINE_AA)
        if width >= 3:  # an open fracture shows a dark core and a shadowed lip
            core = np.zeros_like(mask)
            cv2.polylines(core, [np.round(pts).astype(np.int32)], False, 255,
                          max(1, thickness // 2), cv2.LINE_AA)
            mask = np.maximum(mask // 2, core)
        alpha = (mask.astype(np.float32) / 255.0 * darkness)[..., None]
        wall *= 1 - alpha
