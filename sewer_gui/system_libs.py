"""Before the first window on Linux: are the system libraries Qt's xcb platform needs present?

A fresh Debian machine has PySide6 from pip but not libxcb-cursor0, libxcb-icccm4,
libxcb-keysyms1 ...; Qt then stops with one missing library at a time. This finds all of them at
once (the plugin's `ldd` plus the ones Qt opens at run time), installs them with apt-get when
run as root, or prints the one command that does. `make run` runs it first.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

# soname -> Debian/Ubuntu package; Qt opens the first few at run time, so ldd cannot see them.
PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1", "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0", "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-randr.so.0": "libxcb-randr0", "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1", "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-shm.so.0": "libxcb-shm0", "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0", "libxkbcommon.so.0": "libxkbcommon0",
    "libxcb.so.1": "libxcb1", "libX11-xcb.so.1": "libx11-xcb1", "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1", "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3", "libglib-2.0.so.0": "libglib2.0-0",
}
RUNTIME_ONLY = ("libxcb-cursor.so.0",)
NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


def xcb_plugin() -> Path | None:
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.origin:
        return None
    plugin = Path(spec.origin).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.is_file() else None


def missing_sonames(ldd_output: str, known: str) -> list[str]:
    """Libraries ldd could not resolve, plus run-time ones absent from `ldconfig -p`."""
    missing = list(dict.fromkeys(NOT_FOUND.findall(ldd_output)))
    missing += [name for name in RUNTIME_ONLY if name not in known and name not in missing]
    return missing


def packages_for(sonames: list[str]) -> list[str]:
    return list(dict.fromkeys(PACKAGES.get(name, name) for name in sonames))


def _run(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def check(run: Callable[[list[str]], str] = _run, is_root: bool | None = None,
          install: Callable[[list[str]], int] | None = None) -> int:
    """0 when Qt can open a window (or nothing can be checked here), 1 when libraries are
    missing and were not installed; prints what it did or what to run."""
    if not sys.platform.startswith("linux") or \
            os.environ.get("QT_QPA_PLATFORM", "xcb").split(":")[0] not in ("xcb", ""):
        return 0
    plugin = xcb_plugin()
    if plugin is None:
        return 0
    sonames = missing_sonames(run(["ldd", str(plugin)]), run(["ldconfig", "-p"]))
    if not sonames:
        return 0
    packages = packages_for(sonames)
    command = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    root = os.geteuid() == 0 if is_root is None else is_root
    if root and shutil.which("apt-get"):
        print(f"Installing the system libraries Qt needs: {' '.join(packages)}", flush=True)
        if (install or _install)(command) == 0:
            return 0
    print("Qt cannot open a window: these system libraries are missing: "
          f"{', '.join(sonames)}.\nInstall them with:\n  sudo {' '.join(command)}",
          file=sys.stderr)
    return 1


def _install(command: list[str]) -> int:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(command, env=env).returncode == 0:
        return 0
    subprocess.run(["apt-get", "update"], env=env)  # a fresh image has no package lists yet
    return subprocess.run(command, env=env).returncode


if __name__ == "__main__":
    sys.exit(check())
