"""An ImageFolder tree of synthetic stills, one folder per class, with each scene described.

`scenes.jsonl` beside the folders holds one line per image: its file, label and the full
`FrameSpec`, so any picture can be re-rendered and the data counted ("how many frames had a
lateral in view?").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from ml.classes import CrackClass
from ml.synth.frames import render_frame, render_matched_pair

CRACK_CLASSES = tuple(c for c in CrackClass if c is not CrackClass.ND)


def class_counts(per_class: int, no_crack_share: float | None) -> dict[CrackClass, int]:
    """Images per class: `per_class` for each crack subtype; ND sized to `no_crack_share`.

    Real footage is mostly crack-free, and the no-crack class has to hold every look-alike
    (joints, laterals, roots, liners, text, title cards), so it gets the larger share.
    """
    counts = {c: per_class for c in CRACK_CLASSES}
    if no_crack_share is None:
        counts[CrackClass.ND] = per_class
    else:
        if not 0 < no_crack_share < 1:
            raise ValueError(f"no-crack share must be between 0 and 1, not {no_crack_share}")
        cracks = per_class * len(CRACK_CLASSES)
        counts[CrackClass.ND] = int(round(cracks * no_crack_share / (1 - no_crack_share)))
    return {c: counts[c] for c in CrackClass}


def class_codes(text: str) -> tuple[CrackClass, ...]:
    """"nd, CL" -> (ND, CL); unknown codes are named in the error."""
    codes = [c.strip().upper() for c in text.split(",") if c.strip()]
    unknown = [c for c in codes if c not in {k.value for k in CrackClass}]
    if unknown or not codes:
        raise ValueError(f"{text!r}: unknown class code(s) {', '.join(unknown) or '(none)'}; "
                         f"use {', '.join(k.value for k in CrackClass)}")
    return tuple(CrackClass(c) for c in codes)


def write_stills(out: Path, per_class: int, size: int, seed: int,
                 on_progress: Callable[[int, int], None] | None = None,
                 no_crack_share: float | None = 0.5, shard: tuple[int, int] = (0, 1),
                 only: tuple[CrackClass, ...] | None = None,
                 matched_no_crack: bool = False, crack_twins: bool = False) -> dict[str, int]:
    """Write the PNGs; the same seed gives the same images. `shard=(k, n)` writes every n-th;
    `only` keeps those classes (the others' images are not drawn, the kept ones unchanged);
    `matched_no_crack` draws each no-crack still as a crack scene without its crack;
    `crack_twins` also writes that crack scene (`CL/CL_<seed>_<k>_twin.png`, ...)."""
    out = Path(out)
    counts = class_counts(per_class, no_crack_share)
    if only is not None:
        counts = {c: (n if c in only else 0) for c, n in counts.items()}
    # Interleaved by index, so a stopped or partial run still holds every class.
    jobs = sorted(((ci, label, k) for ci, label in enumerate(CrackClass)
                   for k in range(counts[label])), key=lambda job: (job[2], job[0]))
    jobs = jobs[shard[0]::shard[1]]
    out.mkdir(parents=True, exist_ok=True)
    suffix = "" if shard == (0, 1) else f".{shard[0]}"
    # Twins are named after the subtype drawn for them: list the ones on disk once, not per image.
    twins_on_disk = {p.name for p in out.glob(f"*/*_{seed}_*_twin.png")} if crack_twins else set()
    with open(out / f"scenes{suffix}.jsonl", "a", encoding="utf-8") as scenes:
        for done, (class_index, label, k) in enumerate(jobs, 1):
            name = f"{label.value}/{label.value}_{seed}_{k:05d}.png"
            paired = matched_no_crack and label is CrackClass.ND
            done_before = (out / name).exists() and (not (paired and crack_twins) or any(
                f"{c.value}_{seed}_{k:05d}_twin.png" in twins_on_disk for c in CRACK_CLASSES))
            if not done_before:  # a stopped run resumes where it was
                # One generator per image: any subset can be regenerated on its own.
                rng = np.random.default_rng([seed, class_index, k])
                if paired:
                    still, (twin, twin_spec) = render_matched_pair(rng, size)
                    twin_name = f"{twin_spec.label}/{twin_spec.label}_{seed}_{k:05d}_twin.png"
                    stills = [(name, *still)] + ([(twin_name, twin, twin_spec)]
                                                 if crack_twins else [])
                else:
                    stills = [(name, *render_frame(rng, label, size))]
                for file, image, spec in stills:
                    if (out / file).exists():  # the half of a pair written before a stop
                        continue
                    (out / file).parent.mkdir(parents=True, exist_ok=True)
                    cv2.imwrite(str(out / file), image)
                    scenes.write(json.dumps({"file": file, **spec.to_json()}) + "\n")
            if on_progress:
                on_progress(done, len(jobs))
    return {label.value: counts[label] for label in CrackClass}
