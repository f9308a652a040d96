"""Things between the lens and the wall, and what the camera and codec do to the picture.

All work in image space on float BGR (0-255) or uint8 frames. Cobwebs and hanging roots are lit
from right in front of the lamp, so they show as bright or dark thin lines across the frame:
classic crack look-alikes that real footage is full of.
"""

from __future__ import annotations

import cv2
import numpy as np


def cobwebs(rng: np.random.Generator, image: np.ndarray) -> None:
    """Thin, bright, slightly curved strands near the lens, partly out of focus."""
    h, w = image.shape[:2]
    layer = np.zeros((h, w), np.float32)
    anchor = np.array((rng.uniform(0, w), rng.uniform(0, h * 0.4)))
    for _ in range(int(rng.integers(2, 9))):
        end = np.array((rng.uniform(-0.2, 1.2) * w, rng.uniform(-0.2, 1.2) * h))
        mid = (anchor + end) / 2 + rng.normal(0, w * 0.06, 2)
        t = np.linspace(0, 1, 30)[:, None]
        curve = (1 - t) ** 2 * anchor + 2 * (1 - t) * t * mid + t ** 2 * end
        cv2.polylines(layer, [np.round(curve).astype(np.int32)], False, 1.0,
                      int(rng.integers(1, 3)), cv2.LINE_AA)
    layer = cv2.GaussianBlur(layer, (0, 0), rng.uniform(0.5, 2.0)) * rng.uniform(120, 255)
    image += layer[..., None]


def hanging_roots(rng: np.random.Generator, image: np.ndarray) -> None:
    """A curtain of roots from a joint or lateral at the crown: dark brown branching strands."""
    h, w = image.shape[:2]
    layer = np.zeros((h, w), np.float32)
    x0 = rng.uniform(0.2, 0.8) * w
    for _ in range(int(rng.integers(5, 30))):
        x = x0 + rng.normal(0, w * 0.12)
        pts = [(x, rng.uniform(-0.05, 0.15) * h)]
        for _ in range(int(rng.integers(4, 12))):
            x += rng.normal(0, w * 0.015)
            pts.append((x, pts[-1][1] + rng.uniform(0.02, 0.07) * h))
        cv2.polylines(layer, [np.round(np.array(pts)).astype(np.int32)], False, 1.0,
                      int(rng.integers(1, 4)), cv2.LINE_AA)
    layer = cv2.GaussianBlur(layer, (0, 0), 0.8)[..., None]
    colour = np.array((40, 70, 110), np.float32) * rng.uniform(0.5, 1.6)
    image[:] = image * (1 - layer) + colour * layer


def steam(rng: np.random.Generator, image: np.ndarray) -> None:
    """Steam or fog: a milky veil, thicker in patches, that lifts the blacks."""
    h, w = image.shape[:2]
    small = rng.uniform(0, 1, (max(2, h // 40), max(2, w // 40))).astype(np.float32)
    veil = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    veil = np.clip(veil * rng.uniform(0.3, 0.8), 0, 1)[..., None]
    image[:] = image * (1 - veil) + rng.uniform(120, 210) * veil


def water_glints(rng: np.random.Generator, image: np.ndarray, lower_half_only: bool = True) -> None:
    """Specular reflections of the lamp on flowing water: bright streaks low in the frame."""
    h, w = image.shape[:2]
    layer = np.zeros((h, w), np.float32)
    for _ in range(int(rng.integers(3, 25))):
        cx = rng.uniform(0.2, 0.8) * w
        cy = rng.uniform(0.55 if lower_half_only else 0.0, 1.0) * h
        axes = (int(rng.uniform(3, 25)), int(rng.uniform(1, 4)))
        cv2.ellipse(layer, (int(cx), int(cy)), axes, rng.normal(0, 15), 0, 360, 1.0, -1,
                    cv2.LINE_AA)
    image += cv2.GaussianBlur(layer, (0, 0), 1.2)[..., None] * rng.uniform(80, 220)


def debris(rng: np.random.Generator, image: np.ndarray) -> None:
    """Loose debris, paper and stones on the invert."""
    h, w = image.shape[:2]
    for _ in range(int(rng.integers(3, 20))):
        centre = (int(rng.uniform(0.15, 0.85) * w), int(rng.uniform(0.6, 1.0) * h))
        earth = np.array((60, 90, 120)) * rng.uniform(0.4, 1.8)  # browns and greys
        colour = tuple(float(c) for c in np.clip(earth + rng.normal(0, 12, 3), 0, 255))
        axes = (int(rng.uniform(2, w * 0.05)), int(rng.uniform(2, h * 0.03)))
        cv2.ellipse(image, centre, axes, rng.uniform(0, 180), 0, 360, colour, -1, cv2.LINE_AA)


def opening(rng: np.random.Generator, image: np.ndarray) -> None:
    """A pipe end or lateral seen close and oblique: a large dark ellipse entering from an edge,
    with a crisp lit rim. Real panned footage is full of these curved dark-light edges."""
    h, w = image.shape[:2]
    side = rng.integers(0, 4)
    along = rng.uniform(0.1, 0.9)
    centre = [(along * w, -0.1 * h), (1.1 * w, along * h), (along * w, 1.1 * h),
              (-0.1 * w, along * h)][side]
    axes = (rng.uniform(0.3, 0.8) * w, rng.uniform(0.3, 0.8) * h)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, np.pi)
    dx, dy = xs - centre[0], ys - centre[1]
    u = (dx * np.cos(angle) + dy * np.sin(angle)) / axes[0]
    v = (-dx * np.sin(angle) + dy * np.cos(angle)) / axes[1]
    rough = cv2.resize(rng.normal(0, 1, (8, 8)).astype(np.float32), (w, h)) * rng.uniform(0, 0.04)
    radius = np.sqrt(u * u + v * v) + rough
    rim_width = rng.uniform(0.02, 0.08)
    inside = np.clip((1 - radius) * w / 3, 0, 1)
    rim = np.clip(1 - abs(radius - 1 - rim_width / 2) / rim_width * 2, 0, 1)
    dark = rng.uniform(5, 60) * (1 + 0.5 * np.clip(1 - radius, 0, 1))  # a lit inner wall
    image[:] = image * (1 - inside[..., None]) + dark[..., None] * inside[..., None]
    image += rim[..., None] * rng.uniform(30, 120)


def crust(rng: np.random.Generator, image: np.ndarray) -> None:
    """Encrustation or scale on the near wall: jagged rust-brown or dark patches in a band."""
    h, w = image.shape[:2]

    def noise(cells: int) -> np.ndarray:
        small = rng.normal(0, 1, (cells, cells)).astype(np.float32)
        return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)

    field = noise(6) + 0.5 * noise(14) + 0.25 * noise(40)  # lumps with ragged edges
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, np.pi)
    offset = rng.uniform(-0.4, 0.4) * w
    band = abs((xs - w / 2) * np.sin(angle) - (ys - h / 2) * np.cos(angle) - offset)
    reach = rng.uniform(0.08, 0.3) * w
    patch = ((field + 1.2 - band / reach * 1.5) > 0.6).astype(np.float32)
    patch = cv2.GaussianBlur(patch, (0, 0), 1.0)[..., None]
    colour = np.array((40, 70, 110), np.float32) * rng.uniform(0.3, 1.3)
    texture = 1 + 0.3 * rng.standard_normal((h, w, 1)).astype(np.float32)
    image[:] = image * (1 - patch) + colour * texture * patch


def specks(rng: np.random.Generator, image: np.ndarray) -> None:
    """Pits, spatter and grit on the wall: many small dark or bright spots."""
    h, w = image.shape[:2]
    for _ in range(int(rng.integers(15, 80))):
        centre = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
        axes = (int(rng.uniform(1, max(1.0, w * 0.012))) + 1,
                int(rng.uniform(1, max(1.0, h * 0.012))) + 1)
        shade = rng.uniform(0.2, 0.6) if rng.random() < 0.8 else rng.uniform(1.3, 1.8)
        colour = tuple(float(c) for c in image[centre[1], centre[0]] * shade)
        cv2.ellipse(image, centre, axes, rng.uniform(0, 180), 0, 360, colour, -1, cv2.LINE_AA)


def colour_cast(image: np.ndarray, gains: tuple[float, float, float]) -> None:
    image *= np.array(gains, np.float32)


def motion_blur(image: np.ndarray, length: int, angle: float) -> np.ndarray:
    if length < 2:
        return image
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0 / length
    rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), angle, 1.0)
    kernel = cv2.warpAffine(kernel, rot, (length, length))
    return cv2.filter2D(image, -1, kernel / max(kernel.sum(), 1e-6))


def interlace(image: np.ndarray, shift: int) -> np.ndarray:
    """Combing from two fields captured at different instants (analogue cameras)."""
    out = image.copy()
    out[1::2] = np.roll(image[1::2], shift, axis=1)
    return out


def low_resolution(image: np.ndarray, factor: float) -> np.ndarray:
    """Shrink to an old camera's resolution (e.g. 320x240) and back: soft, blocky detail."""
    h, w = image.shape[:2]
    small = cv2.resize(image, (max(8, int(w / factor)), max(8, int(h / factor))),
                       interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST if factor > 2.5
                      else cv2.INTER_LINEAR)


def codec(image: np.ndarray, quality: int) -> np.ndarray:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    return cv2.imdecode(data, cv2.IMREAD_COLOR) if ok else image


def manhole_surround(rng: np.random.Generator, pipe_view: np.ndarray) -> np.ndarray:
    """The pipe seen from the manhole: a round opening in a brick or concrete wall."""
    h, w = pipe_view.shape[:2]
    wall = np.empty_like(pipe_view)
    wall[:] = rng.uniform(60, 200, 3)
    wall += rng.normal(0, 18, (h, w, 1)).astype(np.float32)
    if rng.random() < 0.5:  # brick courses
        for y in range(0, h, max(4, h // 12)):
            wall[y:y + 2] *= 0.6
    radius = rng.uniform(0.2, 0.45) * min(h, w)
    centre = (w / 2 + rng.normal(0, w * 0.08), h / 2 + rng.normal(0, h * 0.08))
    ys, xs = np.mgrid[0:h, 0:w]
    inside = (np.hypot(xs - centre[0], ys - centre[1]) < radius).astype(np.float32)
    inside = cv2.GaussianBlur(inside, (0, 0), 1.5)[..., None]
    scale = 2 * radius / min(h, w)
    shrunk = cv2.resize(pipe_view, (max(4, int(w * scale)), max(4, int(h * scale))))
    placed = np.zeros_like(pipe_view)
    x0, y0 = int(centre[0] - shrunk.shape[1] / 2), int(centre[1] - shrunk.shape[0] / 2)
    xs0, ys0 = max(0, x0), max(0, y0)
    xs1, ys1 = min(w, x0 + shrunk.shape[1]), min(h, y0 + shrunk.shape[0])
    placed[ys0:ys1, xs0:xs1] = shrunk[ys0 - y0:ys1 - y0, xs0 - x0:xs1 - x0]
    return wall * (1 - inside) * rng.uniform(0.6, 1.4) + placed * inside
