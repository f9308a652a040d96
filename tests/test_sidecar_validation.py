"""Malformed video sidecars end in SidecarError; the session then falls back to calibration."""

import json
import shutil

import pytest

from ml.runtime.track import SidecarError, load_sidecar
from sewer_gui.pacp.codes import default_code_table
from sewer_gui.session import CodingSession

GOOD = {"units": "m", "track": [[0, 0.0], [10, 1.2], [20, 2.5]],
        "defects": [{"label": "CL", "code": "CL", "distance_m": 1.0}]}


def _write(tmp_path, data) -> object:
    path = tmp_path / "drive.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_a_good_sidecar_and_one_without_defects_load(tmp_path):
    assert load_sidecar(_write(tmp_path, GOOD)).track.distance_at(15) == pytest.approx(1.85)
    no_defects = {k: v for k, v in GOOD.items() if k != "defects"}
    assert load_sidecar(_write(tmp_path, no_defects)).defects == []


@pytest.mark.parametrize("data,reason", [
    ("[" * 100_000 + "]" * 100_000, "not a valid video sidecar"),
    ({**GOOD, "track": [[0, float("nan")], [1, 2]]}, "distance nan is not a finite number"),
    ({**GOOD, "track": [[0, 0], [float("inf"), 2]]}, "time inf is not a finite number"),
    ({**GOOD, "track": [[0, 0], ["1", 2]]}, "time '1' is not a finite number"),
    ({**GOOD, "track": [[0, 0, 0]]}, "not a valid video sidecar"),
    ({**GOOD, "track": []}, "track is empty"),
    ({**GOOD, "track": [[-5, 0]]}, "negative time"),
    ({**GOOD, "units": "cubits"}, "units 'cubits' are not m or ft"),
    ({**GOOD, "defects": [{"label": "CL", "distance_m": float("nan")}]}, "distance_m nan"),
    ({**GOOD, "defects": [17]}, "has no label"),
    ({"defects": []}, "not a valid video sidecar"),
    ([1, 2, 3], "not a JSON object"),
    ("\x00\x01", "not a valid video sidecar"),
])
def test_malformed_sidecars_are_refused_with_the_file_named(tmp_path, data, reason):
    with pytest.raises(SidecarError, match="drive.json: .*" + reason.replace("[", r"\[")):
        load_sidecar(_write(tmp_path, data))


def test_session_ignores_a_bad_sidecar_and_keeps_the_video(tmp_path, short_video):
    video = tmp_path / "drive.mp4"
    shutil.copy(short_video, video)
    _write(tmp_path, {**GOOD, "track": [[0, float("nan")], [10, float("nan")]]})
    session = CodingSession(default_code_table())
    session.attach_video(video)
    assert session.track_source == "none" and session.distance_at(5.0) == 0.0
    _write(tmp_path, GOOD)
    session.attach_video(video)
    assert session.track_source == "sidecar" and session.distance_at(10.0) > 0


def test_a_video_without_sidecar_does_not_inherit_the_last_ones_distances(tmp_path, short_video):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with_sidecar, without = tmp_path / "a" / "drive.mp4", tmp_path / "b" / "other.mp4"
    shutil.copy(short_video, with_sidecar)
    shutil.copy(short_video, without)
    _write(tmp_path / "a", GOOD)
    session = CodingSession(default_code_table())
    session.attach_video(with_sidecar)
    assert session.track_source == "sidecar" and session.distance_at(10.0) > 0
    session.attach_video(without)
    assert session.track_source == "none" and session.distance_at(10.0) == 0.0
    session.attach_video(with_sidecar)  # and back: its own sidecar again
    assert session.track_source == "sidecar"
