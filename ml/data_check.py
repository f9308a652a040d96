"""Check every image of a dataset before training, without torch or Qt.

The wizard runs `check_images` in a worker thread and shows its progress; the result says which
files cannot be read and which are byte-identical copies, and `write_manifest` turns the user's
choices (leave out bad files and copies, map unknown folders onto classes) into the one CSV the
training child reads, so a bad file is excluded by choice rather than crashing the run.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ml.classes import CLASS_NAMES, CrackClass
from ml.datasets import IMAGE_SUFFIXES, Sample, group_from_name


@dataclass
class CheckResult:
    checked: int = 0
    unreadable: dict[Path, str] = field(default_factory=dict)  # file -> reason
    duplicates: dict[Path, Path] = field(default_factory=dict)  # copy -> first file seen

    def usable(self, samples: list[Sample], drop_unreadable: bool = True,
               drop_duplicates: bool = True) -> list[Sample]:
        out = []
        for s in samples:
            if drop_unreadable and s.path in self.unreadable:
                continue
            if drop_duplicates and s.path in self.duplicates:
                continue
            out.append(s)
        return out


def check_images(samples: list[Sample], result: CheckResult) -> Iterator[int]:
    """Decode every image and hash its bytes into `result`; yields the count done after each
    file, so the caller shows progress and stops by not asking for more.
    """
    seen: dict[str, Path] = {}
    for k, sample in enumerate(samples, start=1):
        try:
            data = sample.path.read_bytes()
        except OSError as exc:
            result.unreadable[sample.path] = f"cannot be read ({exc.strerror or exc})"
            data = b""
        if data:
            if cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) is None:
                result.unreadable[sample.path] = "not a readable image"
            else:
                digest = hashlib.sha1(data, usedforsecurity=False).hexdigest()
                first = seen.setdefault(digest, sample.path)
                if first != sample.path:
                    result.duplicates[sample.path] = first
        elif sample.path not in result.unreadable:
            result.unreadable[sample.path] = "empty file"
        result.checked = k
        yield k


def unmapped_folders(sources: list[str]) -> list[Path]:
    """Sub-folders of ImageFolder sources whose name is not a class or PACP crack code."""
    from ml.classes import class_for_label

    found = []
    for source in sources:
        root = Path(source)
        if root.is_dir():
            found.extend(p for p in sorted(root.iterdir())
                         if p.is_dir() and class_for_label(p.name) is None)
    return found


def mapped_samples(folder: Path, label: CrackClass) -> list[Sample]:
    """The images of a folder the user mapped onto a class by hand."""
    return [Sample(p, label, group_from_name(p.stem)) for p in sorted(Path(folder).rglob("*"))
            if p.suffix.lower() in IMAGE_SUFFIXES]


def missing_classes(samples: list[Sample]) -> list[str]:
    present = {s.label.value for s in samples}
    return [name for name in CLASS_NAMES if name not in present]


def write_manifest(samples: list[Sample], path: Path) -> Path:
    """A CSV manifest (path,code,group) with absolute paths: the data the training child reads."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "code", "group"])
        writer.writerows([str(s.path.resolve()), s.label.value, s.group] for s in samples)
    return path

