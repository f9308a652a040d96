"""User settings as a frozen, versioned dataclass saved as YAML (no Qt; QSettings is not used)."""

from __future__ import annotations

import dataclasses
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
    threshold: float = 0.5  # smoothed confidence that raises a suggestion (as the scan's)
    smoothing_frames: int = 5
    scan_stride_s: float = 0.4
    live_suggestions: bool = True
    units: str = "ft"
    surveyor: str = ""
    certificate: str = ""
    autosave_seconds: int = 3
    recent_files: tuple[str, ...] = field(default_factory=tuple)
    version: int = SETTINGS_VERSION

    def with_recent(self, path: str, keep: int = 8) -> AppSettings:
        recent = (path, *[p for p in self.recent_files if p != path])[:keep]
        return dataclasses.replace(self, recent_files=recent)


def settings_path() -> Path:
    return config_dir() / "settings.yaml"


def load_settings() -> AppSettings:
    """Settings from disk; a missing or damaged file gives the defaults (never blocks start-up)."""
    path = settings_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return AppSettings()
    if not isinstance(data, dict):
        return AppSettings()
    known = {f.name: f for f in dataclasses.fields(AppSettings)}
    clean = {k: v for k, v in data.items() if k in known}
    if "recent_files" in clean:
        clean["recent_files"] = tuple(str(p) for p in clean["recent_files"] or ())
    try:
        return dataclasses.replace(AppSettings(), **clean)
    except TypeError:
        return AppSettings()


def save_settings(settings: AppSettings) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = dataclasses.asdict(settings)
    data["recent_files"] = list(settings.recent_files)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    tmp.replace(path)
