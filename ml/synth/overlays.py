"""Burnt-in on-screen text and full-screen title cards, as inspection cameras write them.

Real footage carries a footage counter, date and time, street, manhole ids and free remarks in
several fonts, colours and corners, and starts or ends with a title card ("camera not usable"
screens too). None of it is a crack; the model must learn to look past it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_PLAIN, cv2.FONT_HERSHEY_DUPLEX,
         cv2.FONT_HERSHEY_COMPLEX, cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_COMPLEX_SMALL)
COLOURS = ((255, 255, 255), (0, 255, 255), (255, 255, 0), (0, 200, 255), (40, 40, 40),
           (255, 160, 60), (60, 255, 60), (230, 180, 255))
STREETS = ("MAIN ST", "OAK AVE", "ELM RD", "HARBOR BLVD", "5TH STREET", "MILL LN", "Kirchweg",
           "RUE DES LILAS", "CALLE MAYOR", "STATION RD")
REMARKS = ("DEAD TAP", "ROOTS", "SAG", "DEBRIS", "CAMERA UNDERWATER", "SURVEY ABANDONED",
           "LATERAL", "MH", "PIPE SIZE 8\"", "VCP 200mm", "DN300 STZ", "PVC", "HEAVY FLOW")


@dataclass(frozen=True)
class TextLine:
    text: str
    x: float  # fraction of the width
    y: float  # fraction of the height (baseline)
    font: int
    scale: float  # fraction of the height per unit of cv2 font scale
    colour: tuple[int, int, int]
    outline: bool
    box: bool  # on a filled box, as many camera titlers do


def _counter(rng: np.random.Generator) -> str:
    d = rng.uniform(0, 400)
    return str(rng.choice((f"{d:06.1f}'", f"{d:.1f}m", f"{d:.2f} m", f"LZ1: +{d:07.2f} m",
                           f"DIST {d:.1f} FT", f"{d:05.1f} ft", f"{d:.2f}M")))


def _date(rng: np.random.Generator) -> str:
    y, m, d = int(rng.integers(1998, 2026)), int(rng.integers(1, 13)), int(rng.integers(1, 29))
    h, mi = int(rng.integers(0, 24)), int(rng.integers(0, 60))
    return str(rng.choice((f"{m:02d}/{d:02d}/{y % 100:02d}", f"{d:02d}.{m:02d}.{y}",
                           f"{y}-{m:02d}-{d:02d} {h:02d}:{mi:02d}", f"{h:02d}:{mi:02d}:{d:02d}")))


def _manholes(rng: np.random.Generator) -> str:
    a, b = int(rng.integers(1, 400)), int(rng.integers(1, 400))
    return str(rng.choice((f"From MH: 1-{a} To MH: 1-{b}", f"MH{a}-MH{b}", f"{a:03d} > {b:03d}",
                           f"US MH {a} DS MH {b}")))


TEXT_MAKERS = (_counter, _date, _manholes, lambda r: str(r.choice(STREETS)),
               lambda r: str(r.choice(REMARKS)))


def sample_text(rng: np.random.Generator) -> tuple[TextLine, ...]:
    """0-5 lines of on-screen text in one titler style (one font and colour per camera)."""
    count = int(rng.choice((0, 1, 2, 3, 4, 5), p=(0.15, 0.2, 0.25, 0.2, 0.12, 0.08)))
    font = int(rng.choice(FONTS))
    colour = tuple(int(c) for c in COLOURS[int(rng.integers(len(COLOURS)))])
    scale = float(rng.uniform(0.0014, 0.0026))
    outline, box = bool(rng.random() < 0.5), bool(rng.random() < 0.15)
    lines = []
    slots = [(0.03, 0.08), (0.55, 0.08), (0.03, 0.16), (0.03, 0.9), (0.03, 0.96), (0.5, 0.96),
             (0.6, 0.9), (0.03, 0.24)]
    order = rng.permutation(len(slots))[:count]
    for k, slot in enumerate(order):
        maker = TEXT_MAKERS[0] if k == 0 else TEXT_MAKERS[int(rng.integers(len(TEXT_MAKERS)))]
        x, y = slots[int(slot)]
        lines.append(TextLine(maker(rng), x + float(rng.normal(0, 0.01)),
                              y + float(rng.normal(0, 0.01)), font, scale, colour, outline, box))
    return tuple(lines)


def burn_text(image: np.ndarray, lines: tuple[TextLine, ...]) -> None:
    h, w = image.shape[:2]
    for line in lines:
        scale = max(0.3, line.scale * h)
        thick = max(1, int(round(scale * 1.2)))
        org = (int(line.x * w), int(line.y * h))
        if line.box:
            (tw, th), _ = cv2.getTextSize(line.text, line.font, scale, thick)
            cv2.rectangle(image, (org[0] - 2, org[1] - th - 3), (org[0] + tw + 2, org[1] + 3),
                          (20, 20, 20), -1)
        if line.outline:
            cv2.putText(image, line.text, org, line.font, scale, (0, 0, 0), thick + 2, cv2.LINE_AA)
        cv2.putText(image, line.text, org, line.font, scale, line.colour, thick, cv2.LINE_AA)


def title_card(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A full-screen card: project, street, manholes, date; or a 'camera not usable' screen."""
    background = rng.choice(("solid", "gradient", "noise", "bars"))
    base = rng.uniform(0, 255, 3) * rng.choice((0.3, 1.0))
    card = np.empty((height, width, 3), np.float32)
    card[:] = base
    if background == "gradient":
        card *= np.linspace(0.5, 1.2, height)[:, None, None]
    elif background == "noise":
        card = rng.uniform(0, 255, (height, width, 1)).repeat(3, 2).astype(np.float32)
    elif background == "bars":
        bars = np.array([(255, 255, 255), (0, 255, 255), (255, 255, 0), (0, 255, 0),
                         (255, 0, 255), (0, 0, 255), (255, 0, 0)], np.float32)
        card = bars[(np.arange(width) * 7 // width)][None].repeat(height, 0)
    out = np.clip(card, 0, 255).astype(np.uint8)
    words = [_manholes(rng), _date(rng), str(rng.choice(STREETS)), str(rng.choice(REMARKS)),
             str(rng.choice(("INSPECTION", "CITY OF SPRINGFIELD", "NO SIGNAL", "CAMERA NOT USABLE",
                             "SURVEY START", "PACP SURVEY", "TAPE 3")))]
    font = int(rng.choice(FONTS))
    colour = tuple(int(c) for c in COLOURS[int(rng.integers(len(COLOURS)))])
    for k, text in enumerate(words[: int(rng.integers(2, 6))]):
        y = int(height * (0.2 + 0.15 * k))
        cv2.putText(out, text, (int(width * rng.uniform(0.03, 0.25)), y), font,
                    max(0.35, height / 300), colour, max(1, height // 200), cv2.LINE_AA)
    return out
