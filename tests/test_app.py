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
def resources(tmp_path, tiny_onnx) -> Path:
    root = tmp_path / "resources"
    (root / "models").mkdir(parents=True)
    (root / "sample").mkdir()
    shutil.copy(code_table_path(), root / "pacp_codes.csv")
    shutil.copy(code_table_path().with_name("pacp_lookups.csv"), root / "pacp_lookups.csv")
    shutil.copy(tiny_onnx, root / "models" / "cmi_student.onnx")
    # The shipped demo: the self-test reads its counter, which needs footage of real size.
    demo = code_table_path().parent / "sample"
    shutil.copy(demo / "demo_pipe.mp4", root / "sample" / "demo_pipe.mp4")
    shutil.copy(demo / "demo_pipe.json", root / "sample" / "demo_pipe.json")
    return root


def _self_test(resources: Path) -> tuple[int, dict]:
    temp = resources.parent / "tmp"
    temp.mkdir(exist_ok=True)
    env = {**os.environ, "SEWER_RESOURCES": str(resources), "QT_QPA_PLATFORM": "offscreen",
           "TMPDIR": str(temp)}
    out = subprocess.run([sys.executable, "-m", "sewer_gui.ui.app", "--self-test"], env=env,
                         capture_output=True, text=True, timeout=300)
    return out.returncode, json.loads(out.stdout)


def test_self_test_loads_model_decodes_classifies_and_writes_pdf(resources):
    code, report = _self_test(resources)
    assert code == 0, report
    assert report["ok"] and report["model"] == "tiny-test" and report["frames_classified"] > 0
    assert report["pdf_valid"] and report["pdf_bytes"] > 1000
    assert report["counter"]["ok"] and report["counter"]["unit"] == "ft"
    assert not list((resources.parent / "tmp").glob("sewer-selftest-*"))  # nothing left behind


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


@pytest.mark.parametrize("text,bad", [
    ("threshold: 7\n", "threshold 7 is outside 0..1"),
    ("threshold: .nan\n", "threshold nan is not a number"),
    ("smoothing_frames: 2.5\n", "smoothing_frames 2.5 is not a whole number"),
    ("smoothing_frames: true\n", "smoothing_frames True is not a whole number"),
    ("autosave_seconds: -1\n", "autosave_seconds -1 is outside"),
    ("units: furlongs\n", "units 'furlongs' is not one of ft, m"),
    ("surveyor: [1, 2]\n", "surveyor [1, 2] is not text"),
    ("live_suggestions: 'yes'\n", "live_suggestions 'yes' is not true or false"),
    ("recent_files: 5\n", "recent_files 5 is not a list of file names"),
    ("recent_files: [1, {a: b}]\n", "recent_files [1, {'a': 'b'}] is not a list"),
    ("model_path: !!binary aGVsbG8=\n", "model_path b'hello' is not text"),
])
def test_bad_setting_values_fall_back_to_defaults_and_are_named(text, bad):
    from sewer_gui.app_settings import read_settings

    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text("surveyor: Kept\n" + text if "surveyor" not in text else text,
                               encoding="utf-8")
    settings, problems = read_settings()
    assert len(problems) == 1 and bad in problems[0] and "using the default" in problems[0]
    if "surveyor" not in text:
        assert settings.surveyor == "Kept"  # good values survive beside a bad one
    assert settings == AppSettings(surveyor=settings.surveyor)


@pytest.mark.parametrize("text", ["[1, 2]\n", "a: [\n", "\x00\x01", "42\n",
                                  "[" * 5000 + "]" * 5000])
def test_unreadable_settings_files_start_with_defaults_and_say_so(text):
    from sewer_gui.app_settings import read_settings

    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(text, encoding="utf-8")
    settings, problems = read_settings()
    assert settings == AppSettings() and len(problems) == 1
    assert "using the defaults" in problems[0]


def test_python_dash_m_sewer_gui_starts_the_app():
    """A trial typed `python -m sewer_gui`: "No module named sewer_gui.__main__"."""
    out = subprocess.run([sys.executable, "-m", "sewer_gui", "--help"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and "--demo" in out.stdout
