"""An ImageFolder tree of synthetic stills, one folder per class."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from ml.classes import CrackClass
from ml.synth.scene import render_still


def write_stills(out: Path, per_class: int, size: int, seed: int,
                 on_progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Write `per_class` PNGs per class; the same seed gives the same images."""
    out = Path(out)
    total = per_class * len(CrackClass)
    done = 0
    for class_index, label in enumerate(CrackClass):
        folder = out / label.value
        folder.mkdir(parents=True, exist_ok=True)
        for k in range(per_class):
            # One generator per image: any subset can be regenerated on its own.
            rng = np.random.default_rng([seed, class_index, k])
            image = render_still(rng, label, size)
            cv2.imwrite(str(folder / f"{label.value}_{seed}_{k:05d}.png"), image)
            done += 1
            if on_progress:
                on_progress(done, total)
    return {label.value: per_class for label in CrackClass}
