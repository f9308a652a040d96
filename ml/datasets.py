"""Find and check labelled images without torch: ImageFolder trees and CSV manifests.

Both the trainer and the GUI's wizard (which must not import torch) use this module, so a bad
dataset gets the same message wherever it is opened.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ml.classes import CLASS_NAMES, CrackClass, class_for_label

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}


class DatasetError(ValueError):
    """A dataset that cannot be used; the message names the folder or file and the problem."""


@dataclass(frozen=True)
class Sample:
    path: Path
    label: CrackClass
    group: str = ""  # inspection or video the frame came from; frames of one group stay together


@dataclass
class DatasetIndex:
    samples: list[Sample]
    source: str
    skipped: list[str] = field(default_factory=list)  # folders or rows that were not classes

    def counts(self) -> dict[str, int]:
        found = Counter(s.label.value for s in self.samples)
        return {name: found.get(name, 0) for name in CLASS_NAMES}

    def imbalance_ratio(self) -> float:
        present = [n for n in self.counts().values() if n > 0]
        return max(present) / min(present) if present else 0.0


def index_image_folder(root: Path) -> DatasetIndex:
    """Images in sub-folders named by PACP code (CC, CL, FL, CH3, ND, ...)."""
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"{root}: not a folder")
    samples: list[Sample] = []
    skipped: list[str] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        label = class_for_label(folder.name)
        if label is None:
            skipped.append(f"{folder.name}/ is not a crack class or PACP crack code")
            continue
        samples.extend(Sample(p, label, group_from_name(p.stem)) for p in
                       sorted(folder.rglob("*")) if p.suffix.lower() in IMAGE_SUFFIXES)
    if not samples:
        hint = f" ({'; '.join(skipped)})" if skipped else ""
        raise DatasetError(f"{root}: no images in class folders named {', '.join(CLASS_NAMES)} "
                           f"or PACP crack codes{hint}")
    return DatasetIndex(samples, str(root), skipped)


def index_manifest(path: Path) -> DatasetIndex:
    """A CSV with columns path,code; relative paths are taken from the manifest's folder.

    Every bad row is named at once (a trial fixed one, ran again and met the next)."""
    path = Path(path)
    problems: list[str] = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or not {"path", "code"} <= set(reader.fieldnames):
                raise DatasetError(f"{path}: a manifest needs the columns path,code")
            samples = []
            for row in reader:
                # csv skips blank lines, so a row starts as many lines before the reader's
                # line as its fields hold line breaks (an unclosed quote holds many).
                last = reader.line_num
                values = [v for v in row.values() if isinstance(v, str)] + list(
                    row.get(None) or ())
                # An unclosed quote also swallows the last line's own line break.
                breaks = sum(str(v).rstrip("\r\n").count("\n") for v in values)
                first = last - breaks
                problem = _row_problem(row)
                if problem:
                    where = f"line {first}" if first == last else f"lines {first}-{last}"
                    problems.append(f"{where}: {problem}")
                    continue
                image = Path(row["path"].strip())
                image = image if image.is_absolute() else path.parent / image
                group = (row.get("group") or "").strip() or group_from_name(image.stem)
                samples.append(Sample(image, class_for_label(row["code"]), group))
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read the manifest ({exc.strerror})") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DatasetError(f"{path}: not a readable CSV manifest ({exc})") from exc
    if problems:
        shown = "; ".join(problems[:MANIFEST_PROBLEMS_SHOWN])
        more = len(problems) - MANIFEST_PROBLEMS_SHOWN
        raise DatasetError(f"{path}: {len(problems)} bad row(s): {shown}"
                           + (f"; and {more} more" if more > 0 else ""))
    if not samples:
        raise DatasetError(f"{path}: the manifest lists no images")
    return DatasetIndex(samples, str(path))


MANIFEST_PROBLEMS_SHOWN = 8


def _row_problem(row: dict) -> str:
    path, code = row.get("path"), row.get("code")
    if "\n" in (path or "") + (code or "") + "".join(str(v) for v in row.get(None) or ()):
        return "a field runs over several lines: a quote (\") opened here is not closed"
    if not (path or "").strip():
        return "no image path"
    if code is None or not code.strip():
        return "no code"
    if class_for_label(code) is None:
        return f"unknown class or code {code!r}"
    return ""


def group_from_name(stem: str) -> str:
    """The inspection or video a frame belongs to, from its file name's first token.

    `i12_o3_CL_4.20` (the app's exported frames) -> `i12`; a leading class code is skipped
    (`CL_drive7_0001` -> `drive7`). Names without a separator form no group ("").
    """
    tokens = [t for t in re.split(r"[_\-]", stem) if t]
    if tokens and class_for_label(tokens[0]) is not None:
        tokens = tokens[1:]
    return tokens[0] if len(tokens) > 1 else ""


def index_dataset(source: Path) -> DatasetIndex:
    source = Path(source)
    if source.suffix.lower() == ".csv":
        return index_manifest(source)
    return index_image_folder(source)


def merge(indexes: list[DatasetIndex]) -> DatasetIndex:
    return DatasetIndex([s for i in indexes for s in i.samples],
                        " + ".join(i.source for i in indexes),
                        [k for i in indexes for k in i.skipped])


def read_image(path: Path) -> np.ndarray:
    """BGR uint8, or DatasetError naming the file."""
    data = np.fromfile(str(path), dtype=np.uint8) if Path(path).is_file() else None
    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data is not None and data.size else None
    if image is None:
        raise DatasetError(f"{path}: missing or not a readable image")
    return image


def unreadable(index: DatasetIndex, limit: int | None = None) -> list[str]:
    """Messages for images that cannot be decoded (all of them, or the first `limit` samples)."""
    problems = []
    for sample in index.samples[:limit]:
        try:
            read_image(sample.path)
        except DatasetError as exc:
            problems.append(str(exc))
    return problems


def stratified_split(index: DatasetIndex, seed: int, val_fraction: float,
                     test_fraction: float) -> dict[str, list[Sample]]:
    """Seeded train/val/test split that keeps every class's share in each part."""
    rng = np.random.default_rng(seed)
    parts: dict[str, list[Sample]] = {"train": [], "val": [], "test": []}
    for name in CLASS_NAMES:
        members = [s for s in index.samples if s.label.value == name]
        order = rng.permutation(len(members))
        n_test = int(round(len(members) * test_fraction))
        n_val = int(round(len(members) * val_fraction))
        if len(members) >= 3:
            n_test, n_val = max(n_test, 1), max(n_val, 1)
        for rank, k in enumerate(order):
            part = "test" if rank < n_test else "val" if rank < n_test + n_val else "train"
            parts[part].append(members[k])
    if not parts["train"]:
        raise DatasetError(f"{index.source}: too few images to split into train/val/test")
    return parts


MIN_SPLIT_GROUPS = 6  # fewer groups cannot fill train, validation and test


def _frames_by_group(groups: list[str]) -> dict[str, list[int]]:
    by_group: dict[str, list[int]] = {}
    for k, group in enumerate(groups):
        by_group.setdefault(group or f"#frame{k}", []).append(k)
    return by_group


def holds_out_groups(groups: list[str]) -> bool:
    """Whether `grouped_split` keeps whole groups out of training (one entry per frame); the
    wizard asks this too, before it calls a test split unseen."""
    sizes = [len(members) for members in _frames_by_group(groups).values()]
    return len(sizes) >= MIN_SPLIT_GROUPS and max(sizes) > 1


def grouped_split(index: DatasetIndex, seed: int, val_fraction: float,
                  test_fraction: float) -> dict[str, list[Sample]]:
    """Train/val/test by whole groups (inspection or video), so near-identical frames of one
    video never sit on both sides. Falls back to `stratified_split` when there are fewer than
    six groups (they cannot fill three parts) or no frame shares a group with another.
    """
    if not holds_out_groups([sample.group for sample in index.samples]):
        return stratified_split(index, seed, val_fraction, test_fraction)
    groups = {name: [index.samples[k] for k in members]
              for name, members in _frames_by_group([s.group for s in index.samples]).items()}
    rng = np.random.default_rng(seed)
    names = sorted(groups)
    targets = {"test": test_fraction, "val": val_fraction,
               "train": 1.0 - val_fraction - test_fraction}
    parts: dict[str, list[Sample]] = {"train": [], "val": [], "test": []}
    total = len(index.samples)
    for k in rng.permutation(len(names)):
        # the part furthest below its share takes the next group
        part = max(targets, key=lambda p: targets[p] - len(parts[p]) / total)
        parts[part].extend(groups[names[k]])
    if not parts["train"] or not parts["test"]:
        raise DatasetError(f"{index.source}: too few groups to split into train/val/test")
    return parts


SPLITTERS = {"frame": stratified_split, "group": grouped_split}


def split_index(index: DatasetIndex, by: str, seed: int, val_fraction: float,
                test_fraction: float) -> dict[str, list[Sample]]:
    if by not in SPLITTERS:
        raise ValueError(f"split_by must be one of {', '.join(SPLITTERS)}")
    return SPLITTERS[by](index, seed, val_fraction, test_fraction)


def write_split(parts: dict[str, list[Sample]], path: Path) -> None:
    """The split as a CSV (path,code,group,part): what a comparison re-reads to use the same test."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "code", "group", "part"])
        for part, samples in parts.items():
            writer.writerows([str(s.path.resolve()), s.label.value, s.group, part]
                             for s in samples)


def read_split(path: Path, part: str = "test") -> list[Sample]:
    """One part of a split written by `write_split`."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = [r for r in csv.DictReader(handle) if r.get("part") == part]
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read the split ({exc.strerror})") from exc
    samples = []
    for row in rows:
        label = class_for_label(row.get("code") or "")
        if label is None:
            raise DatasetError(f"{path}: unknown class {row.get('code')!r}")
        samples.append(Sample(Path(row["path"]), label, row.get("group") or ""))
    if not samples:
        raise DatasetError(f"{path}: no {part} images in this split")
    return samples
