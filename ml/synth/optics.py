"""A crawler camera that can pan: fish-eye lens, off-axis pose and a hot-spot lamp.

Each pixel's ray is traced from the camera (anywhere inside the unit-radius pipe, turned by yaw,
pitch and roll) to the cylinder wall. The hit point gives the texture column (clock angle) and
row (depth along the pipe), as `camera.Projection` expects, so a panned view shows the wall or a
lateral with no vanishing point in sight. The lamp sits on the camera: light falls with the
square of the distance and with the angle off its beam, so the near wall burns out as in real
footage. With no pan, no offset and no fish-eye the maps equal the on-axis pinhole model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ml.synth.camera import Projection
from ml.synth.wall import WallGeometry


@dataclass(frozen=True)
class Optics:
    width: int
    height: int
    focal: float  # pixels per unit of tan(angle) at the image centre
    fisheye: float = 0.0  # 0 = pinhole, 1 = equidistant fish-eye
    yaw: float = 0.0  # radians, + turns the view towards 3 o'clock
    pitch: float = 0.0  # radians, + turns the view towards 12 o'clock
    roll: float = 0.0
    offset_x: float = 0.0  # camera position in radii from the pipe axis (+x towards 3 o'clock)
    offset_y: float = 0.0  # (+y towards 6 o'clock)
    lamp_reach: float = 1.8  # radii at which the lamp's light falls to half
    beam: float = 0.9  # radians off the lamp axis where the beam falls to 1/e
    vignette: float = 0.3

    def ray_directions(self) -> np.ndarray:
        """Unit ray per pixel in the camera frame (x right, y down, z forward): (H, W, 3)."""
        ys, xs = np.mgrid[0:self.height, 0:self.width].astype(np.float32)
        dx = (xs - self.width / 2) / self.focal
        dy = (ys - self.height / 2) / self.focal
        r = np.maximum(np.hypot(dx, dy), 1e-6)
        theta = (1 - self.fisheye) * np.arctan(r) + self.fisheye * r
        theta = np.minimum(theta, np.pi * 0.95)
        s = np.sin(theta) / r
        return np.stack([dx * s, dy * s, np.cos(theta)], axis=-1)

    def rotation(self) -> np.ndarray:
        cy, sy = np.cos(self.yaw), np.sin(self.yaw)
        cp, sp = np.cos(self.pitch), np.sin(self.pitch)
        cr, sr = np.cos(self.roll), np.sin(self.roll)
        yaw = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
        pitch = np.array([[1, 0, 0], [0, cp, sp], [0, -sp, cp]])
        roll = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
        return (yaw @ pitch @ roll).astype(np.float32)


def build_projection(optics: Optics, geo: WallGeometry) -> Projection:
    """Per-pixel wall coordinates and lamp light for a panned, fish-eye camera."""
    rays = optics.ray_directions()
    world = rays @ optics.rotation().T
    dx, dy, dz = world[..., 0], world[..., 1], world[..., 2]
    cx, cy = optics.offset_x, optics.offset_y
    a = np.maximum(dx * dx + dy * dy, 1e-8)
    b = 2 * (cx * dx + cy * dy)
    c = cx * cx + cy * cy - 1.0
    t = (-b + np.sqrt(b * b - 4 * a * c)) / (2 * a)  # the positive root: always hits the wall
    hit_x, hit_y = cx + t * dx, cy + t * dy
    depth = np.clip(t * dz, -50, 50)
    angle = np.arctan2(hit_x, -hit_y) % (2 * np.pi)  # clockwise from 12 o'clock
    map_u = (angle / (2 * np.pi) * geo.around).astype(np.float32)
    incidence = np.clip(hit_x * dx + hit_y * dy, 0.05, 1.0)  # the wall's normal is radial
    falloff = 1.0 / (1.0 + (t / optics.lamp_reach) ** 2)
    off_axis = np.arccos(np.clip(rays[..., 2], -1, 1))
    beam = 0.25 + 0.75 * np.exp(-(off_axis / optics.beam) ** 2)
    ys, xs = np.mgrid[0:optics.height, 0:optics.width].astype(np.float32)
    edge = np.hypot(xs - optics.width / 2, ys - optics.height / 2) / (
        0.5 * np.hypot(optics.width, optics.height))
    vignette = 1.0 - optics.vignette * edge ** 2
    light = falloff * (0.55 + 0.45 * incidence) * beam * vignette * 1.6
    return Projection(map_u, depth.astype(np.float32), light.astype(np.float32))


def tone_map(linear: np.ndarray, exposure: float) -> np.ndarray:
    """Film-like response: bright regions saturate towards white instead of clipping hard.

    Each channel saturates on its own, so an orange wall under the lamp's hot-spot turns pale
    and then white, as over-exposed real footage does.
    """
    gain = max(exposure, 1e-3)
    return 255.0 * (1.0 - np.exp(-gain * np.maximum(linear, 0) / 255.0)) / (1.0 - np.exp(-gain))
