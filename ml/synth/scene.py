"""Scenes: a pipe wall with its features, seen by a camera; stills for training, videos for demo."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ml.classes import CrackClass
from ml.synth import features as feat
from ml.synth.camera import Camera, Projection, finish_frame, seamless
from ml.synth.wall import MATERIALS, WallGeometry, base_wall

GEOMETRY = WallGeometry(around=720, texels_per_radius=720 / (2 * np.pi))
WATER_TINT = np.array((48, 62, 62), np.float32)


@dataclass
class PipeLook:
    material: str
    joint_every: float  # texels
    water_level: float  # fraction of the diameter


def random_look(rng: np.random.Generator) -> PipeLook:
    return PipeLook(material=str(rng.choice(list(MATERIALS))),
                    joint_every=float(rng.uniform(2.5, 6.0) * GEOMETRY.texels_per_radius),
                    water_level=float(rng.choice((0.0, rng.uniform(0.05, 0.3)))))


def apply_water(wall: np.ndarray, rng: np.random.Generator, level: float) -> None:
    if level <= 0:
        return
    u0, u1 = feat.water_columns(GEOMETRY, level)
    cols = np.arange(wall.shape[1])
    inside = (cols >= u0) & (cols <= u1)
    ripple = 1 + 0.12 * np.sin(np.arange(wall.shape[0])[:, None] * rng.uniform(0.05, 0.2))
    wall[:, inside] = (WATER_TINT * rng.uniform(0.7, 1.2)) * ripple[..., None] \
        + wall[:, inside] * 0.25


def add_distractors(rng: np.random.Generator, wall: np.ndarray, v_lo: float, v_hi: float,
                    joints: list[float], busy: float) -> None:
    """Everyday features; `busy` in [0, 1] sets how many."""
    painters = (feat.draw_stain, feat.draw_roots, feat.draw_tap, feat.draw_deposits)
    for painter in painters:
        if rng.random() < busy * 0.5:
            painter(rng, wall, GEOMETRY, rng.uniform(v_lo, v_hi))
    if rng.random() < busy * 0.3:
        feat.draw_manufacturing_marks(rng, wall, GEOMETRY, joints)


def render_still(rng: np.random.Generator, label: CrackClass, size: int = 224) -> np.ndarray:
    """One training picture of `label` (ND: no crack, but joints and distractors as usual)."""
    look = random_look(rng)
    length = int(GEOMETRY.texels_per_radius * 12)
    wall = base_wall(rng, GEOMETRY, length, look.material, look.joint_every)
    camera_row = 0.0
    near = camera_row + GEOMETRY.texels_per_radius * rng.uniform(0.7, 1.3)
    joints = [near + k * look.joint_every for k in range(-1, 3)]
    add_distractors(rng, wall, near, near + GEOMETRY.texels_per_radius * 2.5, joints,
                    busy=rng.uniform(0.2, 1.0) if label is not CrackClass.ND else rng.uniform(0.4, 1.0))
    if label is not CrackClass.ND:
        feat.draw_class(rng, wall, GEOMETRY, label, near, fracture=rng.random() < 0.3)
    apply_water(wall, rng, look.water_level)
    render_size = size * 2  # render large and shrink: thin cracks stay continuous
    camera = Camera.random(rng, render_size, render_size)
    image = Projection.build(camera, GEOMETRY).render(seamless(wall), GEOMETRY, camera_row)
    image = _shrink(image, size)
    text = f"{rng.uniform(0, 300):.1f} ft" if rng.random() < 0.5 else ""
    return finish_frame(rng, image, blur=float(rng.uniform(0, 1.0)),
                        noise=float(rng.uniform(1.5, 7)),
                        jpeg_quality=int(rng.uniform(30, 90)) if rng.random() < 0.7 else None,
                        counter_text=text)


def _shrink(image: np.ndarray, size: int) -> np.ndarray:
    import cv2

    return cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)
