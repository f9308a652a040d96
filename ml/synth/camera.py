"""Forward-looking CCTV camera inside a cylinder: each pixel looks at one point of the wall.

For a pixel at distance r (pixels) from the vanishing point, the wall point it sees lies at
z = f * R / r along the pipe (R = 1 radius) and at clock angle atan2 of its offset. Sampling the
unrolled wall texture at (angle, z) with cv2.remap gives a geometrically right picture.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ml.synth.wall import WallGeometry


@dataclass(frozen=True)
class Camera:
    width: int
    height: int
    focal: float  # pixels per unit (wall radius) at depth 1
    centre_dx: float = 0.0  # vanishing point offset from the image centre, pixels
    centre_dy: float = 0.0
    roll: float = 0.0  # radians, camera tilt around its axis
    lamp_reach: float = 3.0  # radii at which the lamp light falls to half
    vignette: float = 0.35

    @classmethod
    def random(cls, rng: np.random.Generator, width: int, height: int) -> Camera:
        size = min(width, height)
        return cls(width, height, focal=size * rng.uniform(0.38, 0.5),
                   centre_dx=rng.normal(0, size * 0.05), centre_dy=rng.normal(0, size * 0.05),
                   roll=rng.normal(0, 0.08), lamp_reach=rng.uniform(1.3, 2.4),
                   vignette=rng.uniform(0.2, 0.5))


@dataclass
class Projection:
    """Precomputed per-pixel wall coordinates for one camera (reused for every video frame)."""

    map_u: np.ndarray
    depth: np.ndarray  # radii along the pipe
    light: np.ndarray  # lamp and vignette factor per pixel

    @classmethod
    def build(cls, camera: Camera, geo: WallGeometry) -> Projection:
        ys, xs = np.mgrid[0:camera.height, 0:camera.width].astype(np.float32)
        dx = xs - (camera.width / 2 + camera.centre_dx)
        dy = ys - (camera.height / 2 + camera.centre_dy)
        radius = np.maximum(np.hypot(dx, dy), 0.5)
        # Clockwise angle from 12 o'clock: up is -y in the image.
        angle = (np.arctan2(dx, -dy) + camera.roll) % (2 * np.pi)
        depth = camera.focal / radius
        map_u = (angle / (2 * np.pi) * geo.around).astype(np.float32)
        lamp = 1.0 / (1.0 + (depth / camera.lamp_reach) ** 2)
        near = np.clip(depth / 0.5, 0, 1)  # the very edge is overexposed less, not black
        edge = np.hypot(xs - camera.width / 2, ys - camera.height / 2) / (
            0.5 * np.hypot(camera.width, camera.height))
        vignette = 1.0 - camera.vignette * edge ** 2
        return cls(map_u, depth.astype(np.float32),
                   (lamp * (0.6 + 0.4 * near) * vignette).astype(np.float32))

    def render(self, wall: np.ndarray, geo: WallGeometry, camera_row: float,
               exposure: float = 1.25) -> np.ndarray:
        """Picture of a `seamless` wall from texture row `camera_row` (float BGR, 0-255)."""
        map_v = (camera_row + self.depth * geo.texels_per_radius).astype(np.float32)
        image = cv2.remap(wall, self.map_u + SEAM_PAD, map_v, cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
        return image * self.light[..., None] * exposure


SEAM_PAD = 2  # columns copied across the 12 o'clock seam so that interpolation wraps


def seamless(wall: np.ndarray) -> np.ndarray:
    """The wall with the columns either side of the seam repeated: render() expects this."""
    return np.concatenate([wall[:, -SEAM_PAD:], wall, wall[:, :SEAM_PAD]], axis=1)


def finish_frame(rng: np.random.Generator, image: np.ndarray, blur: float, noise: float,
                 jpeg_quality: int | None, counter_text: str = "") -> np.ndarray:
    """Lens blur, sensor noise, burnt-in counter text and codec artefacts; 8-bit BGR out."""
    if blur > 0.05:
        image = cv2.GaussianBlur(image, (0, 0), blur)
    image = image + rng.normal(0, noise, image.shape).astype(np.float32)
    out = np.clip(image, 0, 255).astype(np.uint8)
    if counter_text:
        overlay_distance(out, counter_text)
    if jpeg_quality is not None:
        ok, data = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(jpeg_quality)])
        if ok:
            out = cv2.imdecode(data, cv2.IMREAD_COLOR)
    return out


def overlay_distance(image: np.ndarray, text: str) -> None:
    """On-screen counter text as crawler cameras burn into the footage."""
    h = image.shape[0]
    scale = max(0.35, h / 640)
    org = (int(h * 0.03), int(h * 0.95))
    cv2.putText(image, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(image, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 1,
                cv2.LINE_AA)
