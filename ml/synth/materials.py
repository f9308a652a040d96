"""Pipe materials as seen in real footage, and the wall texture painted from one of them.

Colours are BGR albedos under a white lamp; the colour cast of a camera is applied later. Real
sewers are mostly orange-brown vitrified clay and PVC, grey or encrusted concrete, brick, black
corrugated HDPE and white, green or blue liners.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ml.synth.wall import WallGeometry, smooth_noise


@dataclass(frozen=True)
class Material:
    colour: tuple[float, float, float]  # BGR albedo
    roughness: float  # texture contrast
    ribs: float = 0.0  # corrugation rib spacing in radii (0: smooth)
    rib_depth: float = 0.55  # how far a rib's crest and trough swing the brightness
    joint_radii: tuple[float, float] = (2.5, 6.0)  # joint spacing range, radii
    streaks: float = 0.3  # chance of longitudinal flow streaks and tide marks
    liner: bool = False  # lined pipe: folds instead of joints


MATERIALS: dict[str, Material] = {
    "vcp": Material((45, 95, 190), 12.0, streaks=0.6),
    # Glazed clay under a white lamp: the saturated red-orange of most real US footage.
    "vcp_glazed": Material((22, 80, 205), 8.0, streaks=0.5),
    "pvc_orange": Material((30, 105, 225), 5.0, joint_radii=(8.0, 14.0)),
    "pvc_white": Material((205, 208, 208), 4.0, joint_radii=(8.0, 14.0)),
    "pvc_grey": Material((150, 152, 150), 4.0, joint_radii=(8.0, 14.0)),
    # Profile-wall PVC: fine, shallow rings every centimetre or two (many faint "CC" rings).
    "pvc_profile": Material((30, 100, 215), 4.0, ribs=0.07, rib_depth=0.15,
                            joint_radii=(10.0, 16.0)),
    "concrete": Material((120, 125, 128), 16.0, streaks=0.5),
    "concrete_encrusted": Material((95, 115, 130), 24.0, streaks=0.8),
    "brick": Material((60, 78, 130), 14.0),
    "hdpe_corrugated": Material((48, 50, 52), 6.0, ribs=0.18, joint_radii=(10.0, 16.0)),
    # Corrugated metal pipe (galvanised steel, often rusty): pale grey, deep ribs; real frames
    # of it were claimed as multiple cracks (CM).
    "corrugated_steel": Material((140, 145, 150), 10.0, ribs=0.22, rib_depth=0.6,
                                 joint_radii=(10.0, 16.0), streaks=0.6),
    "liner_white": Material((215, 220, 220), 5.0, liner=True),
    "liner_green": Material((150, 205, 150), 5.0, liner=True),
    "liner_blue": Material((200, 150, 90), 5.0, liner=True),
}
# How often each appears, roughly as in municipal footage (clay and PVC lead).
MATERIAL_WEIGHTS: dict[str, float] = {
    "vcp": 2.0, "vcp_glazed": 1.5, "pvc_orange": 2.0, "pvc_profile": 0.6, "pvc_white": 0.8,
    "pvc_grey": 0.6, "concrete": 1.5, "concrete_encrusted": 1.0, "brick": 0.6,
    "hdpe_corrugated": 0.8, "corrugated_steel": 0.5, "liner_white": 0.5, "liner_green": 0.5,
    "liner_blue": 0.3,
}


@dataclass(frozen=True)
class WallLook:
    material: str
    tint: tuple[float, float, float]  # per-channel albedo variation
    joint_every: float  # radii
    joint_gap: float  # how dark a joint's gap is (0..1)
    joint_offset: float  # texels one spigot is displaced at a joint (an offset joint)
    encrustation: float  # 0..1, crusts and mineral deposits on the wall
    # Real clay and concrete joints are wide, rough bands (a 1-3 cm gap in a 20 cm pipe is
    # 10-35 texels), often with the bell's end as a second ring: the look-alike that real
    # footage confuses with a circumferential crack.
    joint_width: float = 4.0  # texels
    joint_bell: bool = False
    # Old clay, concrete and orange PVC close up: mottled rust, pink and dark stains with pitted grain
    # (0: a clean wall). Smooth, even walls were all the renderer drew, and models trained on
    # them claimed real weathered walls as cracks.
    weathering: float = 0.0


WEATHERED = ("vcp", "vcp_glazed", "concrete", "concrete_encrusted", "brick", "pvc_orange",
             "corrugated_steel")


def sample_look(rng: np.random.Generator, material: str | None = None) -> WallLook:
    names = list(MATERIAL_WEIGHTS)
    weights = np.array([MATERIAL_WEIGHTS[n] for n in names])
    name = material or str(rng.choice(names, p=weights / weights.sum()))
    spec = MATERIALS[name]
    base_crust = 0.6 if name == "concrete_encrusted" else 0.0
    return WallLook(material=name,
                    tint=tuple(float(x) for x in rng.uniform(0.92, 1.08, 3) * rng.uniform(0.8, 1.15)),
                    joint_every=float(rng.uniform(*spec.joint_radii)),
                    joint_gap=float(rng.uniform(0.15, 0.6)),
                    joint_offset=float(rng.choice((0.0, rng.uniform(2, 10)), p=(0.7, 0.3))),
                    encrustation=float(min(1.0, base_crust + rng.uniform(0, 0.5) * rng.random())),
                    joint_width=float(rng.choice((rng.uniform(2, 7), rng.uniform(8, 30)),
                                                 p=(0.35, 0.65))),
                    joint_bell=bool(rng.random() < 0.4),
                    weathering=float(rng.uniform(0.3, 1.0)) if name in WEATHERED
                    and rng.random() < 0.45 else 0.0)


def paint_wall(rng: np.random.Generator, look: WallLook, geo: WallGeometry,
               length: int, start_row: float) -> tuple[np.ndarray, list[float]]:
    """Wall texture of `length` rows and the rows of its joints (float BGR 0-255)."""
    spec = MATERIALS[look.material]
    shape = (length, geo.around)
    tone = smooth_noise(rng, shape, 64) * 22 + smooth_noise(rng, shape, 8) * spec.roughness
    grain = rng.normal(0, spec.roughness * 0.4, shape).astype(np.float32)
    colour = np.array(spec.colour, np.float32) * np.array(look.tint, np.float32)
    tone += grain
    tone *= 1 / 140.0
    tone += 1
    wall = tone[..., None] * colour[None, None, :]
    if look.material == "brick":
        _brick_courses(wall, geo)
    if spec.ribs:
        _ribs(wall, geo, spec.ribs, spec.rib_depth, start_row)
    if rng.random() < spec.streaks:
        _streaks(rng, wall, geo)
    if look.encrustation > 0.05:
        _encrust(rng, wall, geo, look.encrustation)
    if look.weathering > 0:
        _weather(rng, wall, geo, look.weathering)
    joints = _joints(rng, wall, geo, look, start_row)
    if spec.liner:
        _liner_folds(rng, wall, geo)
    np.clip(wall, 0, 255, out=wall)
    return wall, joints


def _brick_courses(wall: np.ndarray, geo: WallGeometry) -> None:
    course = max(6, geo.around // 40)
    mortar = np.array((120, 128, 135), np.float32)
    wall[:, ::course] = mortar
    brick = course * 3
    for v in range(0, wall.shape[0], brick // 2):
        stagger = (v // (brick // 2)) % 2 * (course // 2)
        for u in range(stagger, wall.shape[1], course * 2):
            wall[v:v + 2, u:u + course] = mortar


def _ribs(wall: np.ndarray, geo: WallGeometry, spacing_radii: float, depth: float,
          start_row: float) -> None:
    """Corrugation: bright crests and dark troughs every few centimetres (rings, not cracks)."""
    rows = np.arange(wall.shape[0], dtype=np.float32) - start_row
    phase = rows / (spacing_radii * geo.texels_per_radius) * 2 * np.pi
    wall *= (1.0 + depth * np.sin(phase) ** 3)[:, None, None]


def _streaks(rng: np.random.Generator, wall: np.ndarray, geo: WallGeometry) -> None:
    """Flow streaks and tide marks: long soft bands along the pipe, darker or rust coloured."""
    for _ in range(int(rng.integers(1, 6))):
        u = rng.uniform(0, geo.around)
        width = rng.uniform(3, 30)
        cols = np.arange(geo.around, dtype=np.float32)
        dist = np.minimum(abs(cols - u), geo.around - abs(cols - u))
        band = np.exp(-(dist / width) ** 2)[None, :, None]
        tint = np.array((30, 60, 90), np.float32) * rng.uniform(0.5, 1.2)
        strength = rng.uniform(0.2, 0.6)
        wall[:] = wall * (1 - strength * band) + tint * strength * band


def _encrust(rng: np.random.Generator, wall: np.ndarray, geo: WallGeometry, amount: float) -> None:
    """Mineral crusts: lumpy, lighter or rust-brown patches, densest along the water line."""
    rows, around = wall.shape[:2]
    crust = np.clip(smooth_noise(rng, (rows, around), 10) * 2.5 + amount * 2 - 1.6, 0, 1)
    crust *= np.clip(smooth_noise(rng, (rows, around), 40) + 0.8, 0, 1)
    colour = np.array((150, 170, 185) if rng.random() < 0.5 else (40, 75, 120), np.float32)
    lumps = 1 + smooth_noise(rng, (rows, around), 3) * 0.35
    wall[:] = wall * (1 - crust[..., None]) + colour * lumps[..., None] * crust[..., None]


STAINS = np.array(((25, 45, 75), (110, 105, 150), (20, 60, 135), (165, 185, 205)), np.float32)


def _weather(rng: np.random.Generator, wall: np.ndarray, geo: WallGeometry, amount: float) -> None:
    """Mottled stains at two scales, each towards a rust, pink, dark or pale tone, and pits.

    Blotches are soft-edged and grainy, unlike the flat crust patches, so the model sees
    texture without a line in it, as on real old clay and concrete.
    """
    rows, around = wall.shape[:2]
    for scale, weight in ((24, 0.6), (6, 0.4)):
        colour = STAINS[int(rng.integers(len(STAINS)))] * rng.uniform(0.8, 1.2)
        blotch = np.clip(smooth_noise(rng, (rows, around), scale) * 2.2 - 0.3, 0, 1)
        blotch *= amount * weight
        wall[:] = wall * (1 - blotch[..., None]) + colour * blotch[..., None]
    grain = smooth_noise(rng, (rows, around), 2) * 0.25 + rng.normal(0, 0.08, (rows, around))
    wall *= (1 + amount * grain.astype(np.float32))[..., None]
    pits = rng.random((rows, around)) < 0.004 * amount
    wall[cv2.dilate(pits.astype(np.uint8), np.ones((2, 2), np.uint8)) > 0] *= 0.45


def _joints(rng: np.random.Generator, wall: np.ndarray, geo: WallGeometry, look: WallLook,
            start_row: float) -> list[float]:
    """Full rings with a rough dark gap, a lit lip, a bell end and, for offset joints, a step."""
    spacing = look.joint_every * geo.texels_per_radius
    rows: list[float] = []
    v = start_row - spacing + rng.uniform(0, spacing)
    around = np.arange(geo.around)
    while v < wall.shape[0]:
        if v > 0:
            rows.append(float(v))
            width = look.joint_width * rng.uniform(0.8, 1.2)
            _joint_ring(rng, wall, geo, look, v, width)
            if look.joint_offset:
                shade = 1 + 0.25 * np.cos(around / geo.around * 2 * np.pi + rng.uniform(0, 6))
                lo, hi = int(v + width), int(v + width + look.joint_offset)
                wall[lo:hi] *= shade[None, :, None] * 0.8
        v += spacing * rng.uniform(0.95, 1.05)
    return rows


def _ring_noise(rng: np.random.Generator, around: int, knots: int) -> np.ndarray:
    """Smooth periodic noise in about [-1, 1] along the circumference."""
    values = rng.standard_normal(knots + 1)
    values[-1] = values[0]
    return np.interp(np.arange(around), np.linspace(0, around, knots + 1), values)


def _joint_ring(rng: np.random.Generator, wall: np.ndarray, geo: WallGeometry, look: WallLook,
                v: float, width: float) -> None:
    """One joint: a regular ring (machined ends) whose gap holds dirt and mortar; the lip is lit."""
    around = geo.around
    wave = np.sin(np.arange(around) / around * 2 * np.pi * rng.integers(1, 3)) * rng.uniform(0, 2)
    near = v + wave + _ring_noise(rng, around, 30) * min(width * 0.12, 2.5)
    far = near + width * (1 + 0.2 * _ring_noise(rng, around, 20)).clip(0.5)
    lip = max(2.0, width * rng.uniform(0.3, 0.8))
    r0, r1 = int(np.floor(near.min())) - 2, int(v + width * 4 + lip + 8)
    r0, r1 = max(r0, 0), min(r1, wall.shape[0])
    if r1 <= r0:
        return
    r = np.arange(r0, r1, dtype=np.float32)[:, None]
    inside = np.clip(np.minimum(r - near + 0.5, far - r + 0.5), 0, 1)  # anti-aliased band
    lit = np.clip(np.minimum(r - far + 0.5, far + lip - r + 0.5), 0, 1)
    dirt = 1 + 0.35 * rng.standard_normal((r1 - r0, around)).astype(np.float32)
    factor = 1 + inside * (look.joint_gap * dirt - 1) + lit * 0.2
    if look.joint_bell:  # the bell's end: a thinner dark line a little further on
        bell = far + lip + width * rng.uniform(0.8, 2.0)
        thin = max(1.5, width * 0.3)
        factor *= 1 - 0.5 * np.clip(np.minimum(r - bell + 0.5, bell + thin - r + 0.5), 0, 1)
    wall[r0:r1] *= factor[..., None].astype(np.float32)


def _liner_folds(rng: np.random.Generator, wall: np.ndarray, geo: WallGeometry) -> None:
    """Cured-in-place liners wrinkle: soft shaded ridges running along the pipe."""
    for _ in range(int(rng.integers(0, 4))):
        u = rng.uniform(0, geo.around)
        cols = np.arange(geo.around, dtype=np.float32)
        d = (cols - u + geo.around / 2) % geo.around - geo.around / 2
        width = rng.uniform(2, 8)
        ridge = (np.tanh(d / width) * np.exp(-(d / (3 * width)) ** 2))[None, :, None]
        wall *= 1 + 0.35 * ridge
    if rng.random() < 0.3:  # a shrunk liner end or a seam: a ring fold
        v = int(rng.uniform(0, wall.shape[0]))
        wall[v:v + int(rng.integers(3, 9))] *= 0.7
    cv2.GaussianBlur(wall, (0, 0), 0.6, dst=wall)
