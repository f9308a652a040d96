"""On-screen display burnt into CCTV footage: the distance counter and the text around it.

Real crawler cameras print the counter in many styles (`LZ1: +0004.70 m`, `32.0m`, `0066.4'`),
in any corner, beside dates, times, manhole ids and pipe sizes. A `CounterStyle` is drawn once
per drive from a seed so that a counter reader can be tested on styles it was not tuned on.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

FOOT_M = 0.3048

# Formats seen on real footage; `{v}` is the counter value in the style's unit.
METRE_FORMATS = ("LZ1: {s}{v:07.2f} m", "{v:.1f}m", "{v:.2f} m", "D:{v:6.2f}M", "{v:06.2f} M")
FOOT_FORMATS = ("{v:06.1f}'", "{v:6.1f} ft", "{v:.2f}FT", "{s}{v:07.1f} ft")
FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_PLAIN,
         cv2.FONT_HERSHEY_COMPLEX, cv2.FONT_HERSHEY_TRIPLEX)
COLOURS = ((255, 255, 255), (0, 255, 255), (0, 255, 0), (255, 255, 0), (200, 220, 255),
           (40, 40, 40))
CORNERS = ("tl", "tr", "bl", "br")
# Numbers that must not be mistaken for the distance.
COMPETING = ("07/13/10", "2024-05-17", "13.07.2024", "10:42:07", "DN300", "300mm PVC", "12\" VCP",
             "MH 3-182H > MH 3-183", "ID:W12", "P: 0.00PSI", "Z: 1X", "Main St 14")


@dataclass(frozen=True)
class CounterStyle:
    template: str
    unit: str  # "m" or "ft"
    font: int = cv2.FONT_HERSHEY_SIMPLEX
    scale: float = 1.0  # text height relative to the default (about 1/26 of the frame height)
    colour: tuple[int, int, int] = (255, 255, 255)
    outline: bool = True
    corner: str = "bl"
    start: float = 0.0  # counter value (in the style's unit) at the start of the drive
    extras: tuple[str, ...] = ()  # competing text drawn in the other corners

    def text(self, metres: float) -> str:
        value = self.start + (metres / FOOT_M if self.unit == "ft" else metres)
        sign = "-" if value < 0 else "+"
        shown = abs(value) if "{s}" in self.template else value
        return self.template.format(v=shown, s=sign)

    def value(self, metres: float) -> float:
        """What the counter reads at `metres`, rounded as its format rounds it."""
        return _parse_shown(self.text(metres))


def _parse_shown(text: str) -> float:
    digits = "".join(ch for ch in text.split(":")[-1] if ch in "+-.0123456789")
    return float(digits)


DEMO_STYLE = CounterStyle("{v:6.1f} ft", "ft", extras=("MH-17 > MH-18",))


def random_style(rng: np.random.Generator) -> CounterStyle:
    unit = "m" if rng.random() < 0.6 else "ft"
    formats = METRE_FORMATS if unit == "m" else FOOT_FORMATS
    template = formats[int(rng.integers(len(formats)))]
    start = float(rng.uniform(-1.0, 0.0)) if "{s}" in template else 0.0
    colour = COLOURS[int(rng.integers(len(COLOURS)))]
    extras = tuple(rng.choice(COMPETING, size=int(rng.integers(0, 4)), replace=False).tolist())
    return CounterStyle(template, unit, font=FONTS[int(rng.integers(len(FONTS)))],
                        scale=float(rng.uniform(0.8, 1.6)), colour=colour,
                        outline=bool(rng.random() < 0.7) or colour == (40, 40, 40),
                        corner=CORNERS[int(rng.integers(len(CORNERS)))], start=start,
                        extras=extras)


def burn_osd(image: np.ndarray, style: CounterStyle, metres: float) -> None:
    """Draw the counter (and the style's competing text) into `image` in place."""
    used = burn_text(image, style.text(metres), style, style.corner)
    # The other row's corners first; the counter's row only where the text fits beside it.
    others = sorted((c for c in CORNERS if c != style.corner), key=lambda c: c[0] == style.corner[0])
    for text, corner in zip(style.extras, others, strict=False):
        if corner[0] == style.corner[0] and used + _width(image, text, style) > 0.85 * image.shape[1]:
            continue
        burn_text(image, text, style, corner)


def _scale(image: np.ndarray, style: CounterStyle) -> tuple[float, int]:
    scale = max(0.35, image.shape[0] / 640) * style.scale
    if style.font == cv2.FONT_HERSHEY_PLAIN:
        scale *= 1.6  # PLAIN is drawn at about 60 % of the others' height
    return scale, max(1, int(round(scale * 1.3)))


def _width(image: np.ndarray, text: str, style: CounterStyle) -> int:
    scale, thickness = _scale(image, style)
    return cv2.getTextSize(text, style.font, scale, thickness)[0][0]


def burn_text(image: np.ndarray, text: str, style: CounterStyle, corner: str) -> int:
    """Draw one line of text in a corner; returns its width in pixels."""
    h, w = image.shape[:2]
    scale, thickness = _scale(image, style)
    (tw, th), _ = cv2.getTextSize(text, style.font, scale, thickness)
    margin = int(h * 0.04)
    x = margin if corner[1] == "l" else max(0, w - margin - tw)
    y = margin + th if corner[0] == "t" else h - margin
    if style.outline:
        edge = (0, 0, 0) if sum(style.colour) > 200 else (255, 255, 255)
        cv2.putText(image, text, (x, y), style.font, scale, edge, thickness + 2, cv2.LINE_AA)
    cv2.putText(image, text, (x, y), style.font, scale, style.colour, thickness, cv2.LINE_AA)
    return tw


FRAME_SIZES = ((320, 240), (480, 360), (720, 576))


def pipe_picture(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A plain pipe view with no text on it (render_still may burn in a counter of its own)."""
    from ml.synth.camera import Camera, Projection, seamless
    from ml.synth.scene import GEOMETRY, random_look
    from ml.synth.wall import base_wall

    look = random_look(rng)
    wall = base_wall(rng, GEOMETRY, int(GEOMETRY.texels_per_radius * 12), look.material,
                     look.joint_every)
    projection = Projection.build(Camera.random(rng, width, height), GEOMETRY)
    image = projection.render(seamless(wall), GEOMETRY, 0.0)
    image = image + rng.normal(0, rng.uniform(1.5, 6), image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def counter_still(rng: np.random.Generator, size: tuple[int, int] | None = None,
                  style: CounterStyle | None = None) -> tuple[np.ndarray, CounterStyle, float]:
    """A pipe picture with a counter in a random style; returns it, the style and the metres."""
    width, height = size or FRAME_SIZES[int(rng.integers(len(FRAME_SIZES)))]
    image = pipe_picture(rng, width, height)
    style = style or random_style(rng)
    metres = float(rng.uniform(0.0, 120.0))
    burn_osd(image, style, metres)
    return image, style, metres
