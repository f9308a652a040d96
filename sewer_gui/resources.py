"""Locate the shipped `resources/` folder in a checkout, an installed tree or a frozen bundle."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ml.runtime.model_files import runtime_model


def resources_dir() -> Path:
    """The folder holding the code table, the default model and the sample video.

    `SEWER_RESOURCES` wins so that a licensee can point at their own code table; a PyInstaller
    bundle unpacks next to `sys._MEIPASS`; otherwise the folder beside the packages is used.
    """
    override = os.environ.get("SEWER_RESOURCES")
    if override:
        return Path(override)
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def code_table_path() -> Path:
    return resources_dir() / "pacp_codes.csv"


def default_model_path() -> Path:
    """The bundled model as the app runs it (its int8 twin, ml/runtime/model_files.py)."""
    return runtime_model(resources_dir() / "models" / "cmi_student.onnx")


def sample_video_path() -> Path:
    return resources_dir() / "sample" / "demo_pipe.mp4"


def lookup_table_path() -> Path:
    return resources_dir() / "pacp_lookups.csv"
