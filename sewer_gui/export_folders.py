"""Where a folder export writes (exchange tables, snapshots): never loose into a busy folder.

A file dialog for folders cannot make a new one by keys alone, so coders pick the folder they
are in; an export then lands beside whatever is there (once, in a trial, in `/`). The chosen
folder is used as it is only when it is empty; otherwise the export gets a sub-folder of its
own, named after the segment, which a later export of the same job replaces file by file.
"""

from __future__ import annotations

from pathlib import Path


class ExportFolderError(ValueError):
    """The chosen folder cannot take an export; the message names it."""


def export_folder(chosen: Path, name: str) -> Path:
    """The folder to write: `chosen` when empty or missing, else `chosen/name`."""
    chosen = Path(chosen).expanduser()
    resolved = chosen.resolve()
    if resolved.parent == resolved:
        raise ExportFolderError(f"{resolved}: the root of a drive or file system; choose or "
                                "make a folder for the export")
    if chosen.exists() and not chosen.is_dir():
        raise ExportFolderError(f"{chosen}: a file, not a folder")
    if chosen.name == name and chosen.parent.name == name and not chosen.exists():
        # A save dialog opens an existing folder on Enter and keeps the name: Enter again on
        # the proposal NAME gives NAME/NAME. It means the earlier export's folder.
        chosen = chosen.parent
    if chosen.name == name:  # the sub-folder of an earlier export: write there again, not nested
        return chosen
    try:
        if not chosen.exists() or not any(chosen.iterdir()):
            return chosen
    except OSError as exc:
        raise ExportFolderError(f"{chosen}: cannot be read ({exc.strerror or exc})") from exc
    return chosen / name


def free_name(folder: Path) -> Path:
    """`folder`, or the first of folder_2, folder_3 ... that does not exist yet."""
    candidate, number = folder, 2
    while candidate.exists():
        candidate, number = folder.with_name(f"{folder.name}_{number}"), number + 1
    return candidate
