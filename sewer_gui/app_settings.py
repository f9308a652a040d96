"""User settings as a frozen, versioned dataclass saved as YAML (no Qt; QSettings is not used)."""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from platformdirs import user_config_dir

SETTINGS_VERSION = 1


def config_dir() -> Path:
    """Where settings live; `SEWER_CONFIG_DIR` redirects it (tests, portable installs)."""
    return Path(os.environ.get("SEWER_CONFIG_DIR") or user_config_dir("sewer-pacp-assistant"))


@dataclass(frozen=True)
class AppSettings:
    model_path: str = ""  # empty: the bundled model
    previous_model_path: str = ""  # what "restore previous model" goes back to
    # Calibrated P(crack) that raises a suggestion (live and scan); 0 = the model's own
    # threshold, fitted for few false alarms on crack-free frames (ml/runtime/decision.py).
    threshold: float = 0.0
    smoothing_frames: int = 5
    scan_stride_s: float = 0.4
    live_suggestions: bool = True
    units: str = "ft"
    surveyor: str = ""
    certificate: str = ""
    autosave_seconds: int = 3
    recent_files: tuple[str, ...] = field(default_factory=tuple)
    reopen_last_project: bool = True  # a start without a file opens the latest project
    version: int = SETTINGS_VERSION

    def last_project(self) -> Path | None:
        """The most recent project file that still exists, when a start should reopen it."""
        if not self.reopen_last_project:
            return None
        return next((Path(p) for p in self.recent_files
                     if p.endswith(".sewerproj") and Path(p).is_file()), None)

    def without_recent(self, path: str) -> AppSettings:
        return dataclasses.replace(self, recent_files=tuple(p for p in self.recent_files
                                                            if p != path))

    def with_recent(self, path: str, keep: int = 8) -> AppSettings:
        recent = (path, *[p for p in self.recent_files if p != path])[:keep]
        return dataclasses.replace(self, recent_files=recent)


def settings_path() -> Path:
    return config_dir() / "settings.yaml"


# field -> (lowest, highest) for numbers; values outside fall back to the default
_RANGES: dict[str, tuple[float, float]] = {
    "threshold": (0.0, 1.0), "smoothing_frames": (1, 1000), "scan_stride_s": (0.01, 3600.0),
    "autosave_seconds": (0, 86400)}
_CHOICES: dict[str, tuple[str, ...]] = {"units": ("ft", "m")}


def load_settings() -> AppSettings:
    """Settings from disk; a missing or damaged file gives the defaults (never blocks start-up)."""
    return read_settings()[0]


def read_settings() -> tuple[AppSettings, list[str]]:
    """Settings and what was wrong with the file: each bad value falls back to its default."""
    path = settings_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return AppSettings(), []
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        return AppSettings(), [f"{path}: unreadable ({reason}); using the defaults"]
    if data is None:
        return AppSettings(), []
    if not isinstance(data, dict):
        return AppSettings(), [f"{path}: not a mapping of settings; using the defaults"]
    clean: dict[str, object] = {}
    problems: list[str] = []
    for f in dataclasses.fields(AppSettings):
        if f.name in data and f.name != "version":
            try:
                clean[f.name] = _checked(f.name, data[f.name], getattr(AppSettings(), f.name))
            except ValueError as exc:
                problems.append(f"{path}: {f.name} {exc}; using the default "
                                f"{getattr(AppSettings(), f.name)!r}")
    return dataclasses.replace(AppSettings(), **clean), problems


def _checked(name: str, value: object, default: object) -> object:
    """`value` if it has the type and range of the field whose default is `default`."""
    shown = repr(value)[:60]
    if isinstance(default, tuple):  # recent_files
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{shown} is not a list of file names")
        return tuple(value)
    if isinstance(default, bool | str):
        if type(value) is not type(default):
            kind = "true or false" if isinstance(default, bool) else "text"
            raise ValueError(f"{shown} is not {kind}")
        if name in _CHOICES and value not in _CHOICES[name]:
            raise ValueError(f"{shown} is not one of {', '.join(_CHOICES[name])}")
        return value
    whole = isinstance(default, int)
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if not numeric or not math.isfinite(value) or (whole and value != int(value)):
        raise ValueError(f"{shown} is not {'a whole number' if whole else 'a number'}")
    low, high = _RANGES.get(name, (-math.inf, math.inf))
    if not low <= value <= high:
        raise ValueError(f"{shown} is outside {low:g}..{high:g}")
    return type(default)(value)


def save_settings(settings: AppSettings) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = dataclasses.asdict(settings)
    data["recent_files"] = list(settings.recent_files)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    tmp.replace(path)
