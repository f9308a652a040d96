"""Domain-randomised CCTV stills: a frozen scene description sampled from a seed, then rendered.

Following Unity Perception's split: `sample_spec` draws every nuisance's parameters (material,
lamp, lens, pose, features, crack, text, camera faults) from one generator into a `FrameSpec`;
`render_spec` turns a spec into a picture and uses only the spec (its own `seed` drives texture
detail), so any image can be re-rendered and audited from the JSON written beside it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

import cv2
import numpy as np

from ml.classes import CrackClass
from ml.synth import features as feat
from ml.synth import nuisance
from ml.synth.camera import SEAM_PAD, Projection, seamless
from ml.synth.cracks import CrackLook, draw_subtype
from ml.synth.materials import WallLook, paint_wall, sample_look
from ml.synth.optics import Optics, build_projection, tone_map
from ml.synth.overlays import TextLine, burn_text, sample_text, title_card
from ml.synth.scene import GEOMETRY, apply_water

VIEWS_CRACK = {"pipe": 0.72, "wall": 0.18, "closeup": 0.10}
VIEWS_NO_CRACK = {"pipe": 0.50, "wall": 0.14, "closeup": 0.06, "lateral": 0.12, "manhole": 0.06,
                  "card": 0.06, "pipe_end": 0.06}
WALL_FEATURES = ("stain", "roots", "tap", "deposits", "marks", "lateral")
IMAGE_FEATURES = ("cobwebs", "hanging_roots", "steam", "glints", "debris", "opening", "crust",
                  "specks")
START_RADII = 2.0  # texture rows behind the camera, for rays that look backwards
LENGTH_RADII = 8.0


@dataclass(frozen=True)
class CrackSpec:
    label: str
    clock: float
    near_radii: float  # how far ahead of the camera the crack starts
    look: CrackLook


@dataclass(frozen=True)
class Faults:
    blur: float
    noise: float
    motion: int  # motion blur length in pixels of the output
    motion_angle: float
    interlace: int  # field shift in pixels, 0 = progressive
    low_res: float  # shrink factor of an old camera, 1 = none
    jpeg: int | None
    cast: tuple[float, float, float]


@dataclass(frozen=True)
class FrameSpec:
    label: str
    seed: tuple[int, ...]
    view: str
    look: WallLook
    optics: Optics
    exposure: float
    brightness: float
    water_level: float
    wall_features: tuple[str, ...]
    image_features: tuple[str, ...]
    crack: CrackSpec | None
    text: tuple[TextLine, ...]
    faults: Faults
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)


def _choice(rng: np.random.Generator, weights: dict[str, float]) -> str:
    names = list(weights)
    p = np.array([weights[n] for n in names], float)
    return str(rng.choice(names, p=p / p.sum()))


def _pose(rng: np.random.Generator, view: str) -> dict:
    """Yaw, pitch and position for each kind of view (radians, radii)."""
    if view in ("wall", "lateral"):
        swing = rng.uniform(0.7, 1.25)
        direction = rng.uniform(0, 2 * np.pi)
        return {"yaw": swing * np.cos(direction), "pitch": swing * np.sin(direction),
                "offset_x": rng.normal(0, 0.15), "offset_y": rng.normal(0, 0.15)}
    if view == "closeup":
        direction = rng.uniform(0, 2 * np.pi)
        return {"yaw": 0.6 * np.cos(direction), "pitch": -0.6 * np.sin(direction),
                "offset_x": 0.55 * np.cos(direction), "offset_y": -0.55 * np.sin(direction)}
    return {"yaw": rng.normal(0, 0.12), "pitch": rng.normal(0, 0.12),
            "offset_x": rng.normal(0, 0.12), "offset_y": rng.normal(0, 0.12)}


def _brightness(rng: np.random.Generator) -> float:
    """Lamp power; one frame in five burns out most of the near wall, as real footage does."""
    return float(rng.uniform(0.7, 2.2) if rng.random() < 0.8 else rng.uniform(2.2, 4.0))


def sample_faults(rng: np.random.Generator) -> Faults:
    return Faults(blur=float(rng.uniform(0, 1.2)), noise=float(rng.uniform(1, 9)),
                  motion=int(rng.choice((0, rng.integers(2, 9)), p=(0.75, 0.25))),
                  motion_angle=float(rng.uniform(0, 180)),
                  interlace=int(rng.choice((0, rng.integers(1, 4)), p=(0.8, 0.2))),
                  low_res=float(rng.choice((1.0, rng.uniform(1.5, 3.5)), p=(0.6, 0.4))),
                  jpeg=int(rng.uniform(15, 90)) if rng.random() < 0.8 else None,
                  cast=tuple(float(x) for x in rng.uniform(0.85, 1.15, 3)))


def sample_spec(rng: np.random.Generator, label: CrackClass, size: int = 224) -> FrameSpec:
    """One scene of `label` (ND: no crack, full of look-alikes) with every nuisance drawn."""
    crack = label is not CrackClass.ND
    view = _choice(rng, VIEWS_CRACK if crack else VIEWS_NO_CRACK)
    render = size * 2
    optics = Optics(render, render, focal=render * rng.uniform(0.3, 0.6),
                    fisheye=float(rng.uniform(0, 1)), roll=float(rng.normal(0, 0.15)),
                    lamp_reach=float(rng.uniform(0.8, 2.5)), beam=float(rng.uniform(0.5, 1.4)),
                    vignette=float(rng.uniform(0.1, 0.6)), **_pose(rng, view))
    busy = rng.uniform(0.1, 0.6) if crack else rng.uniform(0.3, 1.0)
    wall_features = tuple(f for f in WALL_FEATURES if rng.random() < busy * 0.5)
    if view == "lateral" and "lateral" not in wall_features:
        wall_features += ("lateral",)
    image_features = tuple(f for f in IMAGE_FEATURES if rng.random() < busy * 0.3)
    crack_spec = None
    if crack:
        crack_spec = CrackSpec(label.value, float(rng.uniform(0, 12)),
                               float(rng.uniform(0.5, 1.8)),
                               CrackLook.sample(rng, fracture=bool(rng.random() < 0.3)))
    return FrameSpec(label=label.value, seed=tuple(int(x) for x in rng.integers(0, 2**31, 2)),
                     view=view, look=sample_look(rng), optics=optics,
                     exposure=float(rng.uniform(0.6, 4.0)), brightness=_brightness(rng),
                     water_level=float(rng.choice((0.0, rng.uniform(0.05, 0.35)), p=(0.45, 0.55))),
                     wall_features=wall_features, image_features=image_features,
                     crack=crack_spec, text=sample_text(rng) if view != "card" else (),
                     faults=sample_faults(rng))


def _view_centre(projection: Projection, geo=GEOMETRY) -> tuple[float, float]:
    """Clock and depth (radii) of the wall point at the image centre."""
    h, w = projection.depth.shape
    u = float(projection.map_u[h // 2, w // 2])
    return u / geo.around * 12.0, float(projection.depth[h // 2, w // 2])


def _paint_features(rng, wall, spec: FrameSpec, row0: float, joints: list[float],
                    centre: tuple[float, float]) -> None:
    tpr = GEOMETRY.texels_per_radius
    lo, hi = row0 + 0.5 * tpr, row0 + 3.0 * tpr
    painters = {"stain": feat.draw_stain, "roots": feat.draw_roots, "tap": feat.draw_tap,
                "deposits": feat.draw_deposits}
    for name in spec.wall_features:
        if name in painters:
            painters[name](rng, wall, GEOMETRY, rng.uniform(lo, hi))
        elif name == "marks":
            feat.draw_manufacturing_marks(rng, wall, GEOMETRY, joints)
        elif name == "lateral":
            _lateral(rng, wall, spec, row0, centre)


def _lateral(rng, wall, spec: FrameSpec, row0: float, centre: tuple[float, float]) -> None:
    """A lateral connection: a dark round opening with a lit rim and rings of the pipe inside."""
    tpr = GEOMETRY.texels_per_radius
    if spec.view == "lateral":
        clock, depth = centre
        v = row0 + np.clip(depth, 0.3, 3) * tpr
    else:
        clock, v = rng.choice((rng.uniform(1.5, 4.5), rng.uniform(7.5, 10.5))), \
            row0 + rng.uniform(0.8, 2.5) * tpr
    u = int(GEOMETRY.u_of_clock(clock))
    radius = int(rng.uniform(25, 70))
    cv2.circle(wall, (u, int(v)), radius + 4, tuple(float(c) * 1.3 for c in wall[int(v), u]), -1)
    for k, r in enumerate(np.linspace(radius, 2, 6)):
        shade = 45 * (1 - k / 6) + 5
        cv2.circle(wall, (u, int(v)), int(r), (shade, shade * 1.05, shade * 1.1), -1, cv2.LINE_AA)


def render_spec(spec: FrameSpec, size: int = 224,
                with_crack: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(8-bit BGR picture of `size` px, crack mask of the same size in [0, 1]).

    The crack draws from its own random stream, so `with_crack=False` renders the very same
    scene without it: the difference between the two is what the crack adds to the picture.
    """
    rng = np.random.default_rng(list(spec.seed))
    o = spec.optics
    if spec.view == "card":
        card = title_card(rng, o.width, o.height)
        return cv2.resize(card, (size, size), interpolation=cv2.INTER_AREA), \
            np.zeros((size, size), np.float32)
    tpr = GEOMETRY.texels_per_radius
    row0 = START_RADII * tpr
    wall, joints = paint_wall(rng, spec.look, GEOMETRY, int(LENGTH_RADII * tpr), row0)
    projection = build_projection(o, GEOMETRY)
    centre = _view_centre(projection)
    _paint_features(rng, wall, spec, row0, joints, centre)
    mask_wall = np.zeros(wall.shape[:2], np.float32)
    if spec.crack is not None and with_crack:
        clock, near = spec.crack.clock, spec.crack.near_radii
        if spec.view != "pipe":  # put the crack where the panned camera looks
            clock = centre[0] + (spec.crack.clock - 6) * 0.15
            near = float(np.clip(centre[1] - 0.4, -1.5, 4))
        draw_subtype(wall, np.random.default_rng([*spec.seed, 7]), GEOMETRY,
                     CrackClass(spec.crack.label), clock,
                     row0 + near * tpr, spec.crack.look, mask_wall)
    apply_water(wall, rng, spec.water_level)
    linear = projection.render(seamless(wall), GEOMETRY, row0, exposure=spec.brightness)
    mask = _project_mask(projection, mask_wall, row0)
    image = tone_map(linear, spec.exposure)
    # A crack on burnt-out or black wall is not seen: only count it where the wall is mid-tone.
    mask *= (image.min(axis=2) < 235) & (image.max(axis=2) > 20)
    image = _image_effects(rng, spec, image)
    if spec.view in ("manhole", "pipe_end"):
        image = nuisance.manhole_surround(rng, image) if spec.view == "manhole" else \
            _pipe_end(rng, image)
    return _finish(rng, spec, image, size), cv2.resize(mask, (size, size),
                                                        interpolation=cv2.INTER_AREA)


def _project_mask(projection: Projection, mask_wall: np.ndarray, row0: float) -> np.ndarray:
    """The crack mask as the camera sees it, weighted by how well each pixel is lit."""
    if not mask_wall.any():
        return np.zeros(projection.depth.shape, np.float32)
    map_v = (row0 + projection.depth * GEOMETRY.texels_per_radius).astype(np.float32)
    seen = cv2.remap(seamless(mask_wall), projection.map_u + SEAM_PAD, map_v, cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    return seen * np.clip(projection.light * 3, 0, 1)


def _pipe_end(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """Looking out of the pipe end into a bright manhole: a blown-out disc ahead."""
    h, w = image.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w]
    disc = np.hypot(xs - w / 2 - rng.normal(0, w * 0.05), ys - h / 2 - rng.normal(0, h * 0.05))
    glow = np.clip(1.2 - disc / (rng.uniform(0.08, 0.25) * w), 0, 1)[..., None]
    return image * (1 - glow) + rng.uniform(180, 255) * glow


def _image_effects(rng, spec: FrameSpec, image: np.ndarray) -> np.ndarray:
    effects = {"cobwebs": nuisance.cobwebs, "hanging_roots": nuisance.hanging_roots,
               "steam": nuisance.steam, "glints": nuisance.water_glints,
               "debris": nuisance.debris, "opening": nuisance.opening, "crust": nuisance.crust,
               "specks": nuisance.specks}
    for name in spec.image_features:
        effects[name](rng, image)
    nuisance.colour_cast(image, spec.faults.cast)
    return image


def _finish(rng: np.random.Generator, spec: FrameSpec, image: np.ndarray, size: int) -> np.ndarray:
    """Camera, titler and codec in their real order at the render size, then shrink to `size`."""
    f = spec.faults
    if f.blur > 0.05:
        image = cv2.GaussianBlur(image, (0, 0), f.blur * 2)
    image = nuisance.motion_blur(image, f.motion * 2, f.motion_angle)
    image = image + rng.normal(0, f.noise, image.shape).astype(np.float32)
    out = np.clip(image, 0, 255).astype(np.uint8)
    if f.low_res > 1.0:
        out = nuisance.low_resolution(out, f.low_res)
    if f.interlace:
        out = nuisance.interlace(out, f.interlace)
    burn_text(out, spec.text)
    if f.jpeg:
        out = nuisance.codec(out, f.jpeg)
    return cv2.resize(out, (size, size), interpolation=cv2.INTER_AREA)


# A crack counts as drawn when it changes this many pixels (per pixel of frame width) by more
# than CONTRAST_LEVELS grey levels in the finished frame. Chosen by looking at renders sorted by
# this count: below about one pixel per column the crack is lost in blur, glare or distance,
# and a label on such a frame only teaches the model to guess.
CONTRAST_LEVELS = 15
VISIBLE_PIXELS_PER_WIDTH = 0.9


def crack_pixels(spec: FrameSpec, image: np.ndarray, size: int) -> int:
    """How many pixels of the finished `image` the crack changes by a visible amount."""
    if spec.crack is None:
        return 0
    bare, _ = render_spec(spec, size, with_crack=False)
    change = np.abs(image.astype(np.int16) - bare.astype(np.int16)).max(axis=2)
    return int((change > CONTRAST_LEVELS).sum())


def crack_is_visible(spec: FrameSpec, image: np.ndarray, size: int) -> bool:
    """Whether the crack in `image` can be seen: blur, glare, text and distance all count."""
    return crack_pixels(spec, image, size) >= VISIBLE_PIXELS_PER_WIDTH * size


def render_frame(rng: np.random.Generator, label: CrackClass, size: int = 224,
                 tries: int = 12) -> tuple[np.ndarray, FrameSpec]:
    """A still of `label`; crack scenes are redrawn until the crack is visibly in the picture.

    After half the tries the camera is turned to look down the pipe, where a crack is
    easiest to see; the last try is kept whatever it shows, marked `extra["crack_hidden"]` when
    its crack does not show (the hard test counts those frames apart).
    """
    for attempt in range(tries):
        spec = sample_spec(rng, label, size)
        if attempt >= tries // 2:
            spec = _forward(spec)
        image, _ = render_spec(spec, size)
        if spec.crack is None or crack_is_visible(spec, image, size):
            return image, spec
    return image, replace(spec, extra={**spec.extra, "crack_hidden": True})


def render_matched_pair(rng: np.random.Generator, size: int = 224, tries: int = 12
                        ) -> tuple[tuple[np.ndarray, FrameSpec], tuple[np.ndarray, FrameSpec]]:
    """A crack still and the very same scene without its crack: ((no-crack), (crack twin)).

    Crack stills are kept only where their crack shows, so they lean towards sharp, mid-tone,
    forward views with few distractors; no-crack stills drawn on their own do not. A model then
    learns "clean, well-exposed wall" as crack evidence and claims it on real plain walls, and
    any background feature seen mostly without cracks as no-crack evidence. In a pair the
    crack is the only difference, so neither shortcut pays.
    """
    subtypes = [c for c in CrackClass if c is not CrackClass.ND]
    label = subtypes[int(rng.integers(len(subtypes)))]
    image, spec = render_frame(rng, label, size, tries)
    bare, _ = render_spec(spec, size, with_crack=False)
    bare_spec = replace(spec, label=CrackClass.ND.value, crack=None,
                        extra={**spec.extra, "matched_from": label.value})
    return (bare, bare_spec), (image, spec)


def _forward(spec: FrameSpec) -> FrameSpec:
    optics = replace(spec.optics, yaw=0.0, pitch=0.0, offset_x=0.0, offset_y=0.0)
    return replace(spec, view="pipe", optics=optics)
