"""`sewer-gui --self-test` and start-up paths, run as a user would (a child process)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sewer_gui.app_settings import AppSettings, load_settings, save_settings, settings_path
from sewer_gui.resources import code_table_path


@pytest.fixture
def resources(tmp_path, tiny_onnx, short_video) -> Path:
    root = tmp_path / "resources"
    (root / "models").mkdir(parents=True)
    (root / "sample").mkdir()
    shutil.copy(code_table_path(), root / "pacp_codes.csv")
    shutil.copy(tiny_onnx, root / "models" / "cmi_student.onnx")
    shutil.copy(short_video, root / "sample" / "demo_pipe.mp4")
    shutil.copy(short_video.with_suffix(".json"), root / "sample" / "demo_pipe.json")
    return root


def _self_test(resources: Path) -> tuple[int, dict]:
    env = {**os.environ, "SEWER_RESOURCES": str(resources), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-m", "sewer_gui.ui.app", "--self-test"], env=env,
                         capture_output=True, text=True, timeout=300)
    return out.returncode, json.loads(out.stdout)


def test_self_test_loads_model_decodes_classifies_and_writes_pdf(resources):
    code, report = _self_test(resources)
    assert code == 0, report
    assert report["ok"] and report["model"] == "tiny-test" and report["frames_classified"] > 0
    assert Path(report["pdf"]).read_bytes().startswith(b"%PDF")


def test_self_test_names_a_broken_model(resources):
    (resources / "models" / "cmi_student.onnx").write_bytes(b"garbage")
    code, report = _self_test(resources)
    assert code == 1 and not report["ok"]
    assert "cmi_student.onnx: not an ONNX model" in report["failed"]


def test_settings_round_trip_and_survive_a_damaged_file():
    saved = AppSettings(threshold=0.7, surveyor="A. Coder").with_recent("/p/a.sewerproj")
    save_settings(saved)
    assert load_settings() == saved
    settings_path().write_text("{{{ not yaml", encoding="utf-8")
    assert load_settings() == AppSettings()
