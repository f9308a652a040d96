"""Files an exchange table points at: only regular files inside the exchange folder, bounded.

An exchange folder comes from someone else. Its media tables name files by location and name,
and a hostile table could name `/etc/passwd`, `../../secret`, a symlink out of the folder,
`/dev/zero` or a FIFO. None of those may be read, stored as a snapshot or exported again.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePath

import cv2
import numpy as np

MAX_SNAPSHOT_BYTES = 20 * 1024 * 1024  # a snapshot is a frame grab, well under a megabyte
MAX_TABLE_BYTES = 256 * 1024 * 1024


class MediaError(ValueError):
    """A referenced file that may not or cannot be used; the caller adds file and line."""


def inside(folder: Path, location: str, name: str) -> Path:
    """`folder/location/name` with every link resolved, refused if it leaves `folder`."""
    root = Path(folder).resolve()
    for part in (location, name):
        if "\x00" in part:
            raise MediaError(f"{part!r} contains a NUL character")
    target = (root / location / name).resolve()
    if not target.is_relative_to(root) or target == root:
        raise MediaError(f"{PurePath(location, name)} is outside the exchange folder")
    return target


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes (never a device, FIFO or folder)."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise MediaError(f"{path} is not a regular file")
        if info.st_size > limit:
            raise MediaError(f"{path} is larger than {limit // (1024 * 1024)} MB")
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise MediaError(f"{path} cannot be read ({exc.strerror or exc})") from exc
    if len(data) > limit:  # grew between the check and the read
        raise MediaError(f"{path} is larger than {limit // (1024 * 1024)} MB")
    return data


def read_snapshot(folder: Path, location: str, name: str) -> bytes:
    """A snapshot image from the exchange folder that decodes as an image."""
    path = inside(folder, location, name)
    data = read_regular_file(path, MAX_SNAPSHOT_BYTES)
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_REDUCED_GRAYSCALE_8) \
        if data else None
    if image is None:
        raise MediaError(f"{path} is not a JPEG or PNG image")
    return data


def video_reference(location: str, name: str) -> str:
    """The stored video path: a bare file name, under a relative location that stays put.

    The video is not read on import; it is opened later, relative to the project, so an
    absolute or climbing location (`C:\\Videos`, `../..`) is dropped and only the name is kept.
    """
    bare = PurePath(name.replace("\\", "/")).name
    if not bare or bare in (".", "..") or "\x00" in bare:
        return ""
    parts = PurePath(location.replace("\\", "/")).parts
    if not parts or PurePath(location).is_absolute() or ".." in parts or ":" in location \
            or location.startswith(("/", "\\")):
        return bare
    return str(PurePath(*parts, bare))
