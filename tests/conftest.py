"""Shared fixtures. Qt runs offscreen and settings go to a temporary folder."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from sewer_gui.pacp.codes import default_code_table  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory, monkeypatch):
    """Point the app's settings and data folders at a temp dir so tests never touch the user's."""
    home = tmp_path_factory.mktemp("settings")
    monkeypatch.setenv("SEWER_CONFIG_DIR", str(home))


@pytest.fixture(scope="session")
def code_table():
    return default_code_table()


@pytest.fixture(scope="session")
def tiny_jpeg() -> bytes:
    import cv2
    import numpy as np

    image = np.zeros((48, 64, 3), np.uint8)
    image[:, :, 1] = 120
    cv2.circle(image, (32, 24), 12, (200, 200, 200), 2)
    ok, data = cv2.imencode(".jpg", image)
    assert ok
    return data.tobytes()
