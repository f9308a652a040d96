"""One writer per project: an OS lock on a small file beside the project.

The operating system drops the lock when its holder exits, even after kill -9, so a crash never
leaves a project locked. The lock file names the holder so that the second opener can be told
who has the project. Locks are per open file, so a second window of the same process is refused
as well.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
from pathlib import Path

_LOCK_OFFSET = 4096  # Windows locks are mandatory: lock a byte past the text others read


class LockHeldError(Exception):
    """Another writer holds the project; the message says who."""


def lock_path(project: Path) -> Path:
    return project.with_name(f".{project.name}.lock")


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class ProjectLock:
    """Held from `acquire` until `release`; raises LockHeldError if another writer holds it."""

    def __init__(self, project: Path) -> None:
        self.path = lock_path(Path(project))
        self._fd: int | None = None

    def acquire(self) -> ProjectLock:
        for _attempt in range(5):  # the file may be unlinked by a releasing holder meanwhile
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if not _try_lock(fd):
                os.close(fd)
                raise LockHeldError(self._holder())
            if self._still_linked(fd):
                self._fd = fd
                self._write_holder()
                return self
            os.close(fd)
        raise LockHeldError("the project's lock file keeps changing")

    def _still_linked(self, fd: int) -> bool:
        try:
            return os.path.samestat(os.fstat(fd), os.stat(self.path))
        except OSError:
            return False

    def _write_holder(self) -> None:
        text = f"{os.getpid()} {socket.gethostname()}\n".encode()
        with contextlib.suppress(OSError):  # the text only improves the message
            os.ftruncate(self._fd, 0)
            os.lseek(self._fd, 0, os.SEEK_SET)
            os.write(self._fd, text)

    def _holder(self) -> str:
        try:
            pid, _space, host = self.path.read_text(encoding="utf-8").strip().partition(" ")
        except (OSError, UnicodeDecodeError):
            pid, host = "", ""
        who = f" (process {pid} on {host})" if pid.isdigit() else ""
        return f"the project is open in another window or program{who}; close it there first"

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            if sys.platform != "win32":
                self.path.unlink()  # before unlocking: a waiting opener then sees a new file
        with contextlib.suppress(OSError):
            os.close(self._fd)  # closing drops the lock
        self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def held_elsewhere(project: Path) -> bool:
    """Whether another window or program holds the project's lock now (a passing look)."""
    try:
        ProjectLock(project).acquire().release()
    except LockHeldError:
        return True
    except OSError:
        return False  # an unwritable folder: opening it says why
    return False
