import json

import cv2
import numpy as np
import pytest

from ml.classes import CrackClass
from ml.synth.camera import Camera, Projection, seamless
from ml.synth.scene import GEOMETRY, render_still
from ml.synth.stills import write_stills
from ml.synth.video import DriveSpec, write_drive


def _render_marked(mark) -> tuple[np.ndarray, Camera]:
    """A black wall with one bright feature, seen by a centred, level camera."""
    wall = np.zeros((int(GEOMETRY.texels_per_radius * 12), GEOMETRY.around, 3), np.float32)
    mark(wall)
    camera = Camera(200, 200, focal=90, lamp_reach=100, vignette=0)
    image = Projection.build(camera, GEOMETRY).render(seamless(wall), GEOMETRY, 0.0)
    return image.max(axis=2), camera


@pytest.mark.parametrize(("clock", "direction"), [(3, (1, 0)), (6, (0, 1)), (9, (-1, 0)),
                                                   (12, (0, -1))])
def test_longitudinal_line_projects_to_a_ray_at_its_clock(clock, direction):
    u = int(GEOMETRY.u_of_clock(clock)) % GEOMETRY.around

    def mark(wall):
        wall[:, max(u - 2, 0):u + 3] = 255
        if u < 2:
            wall[:, -2:] = 255

    image, _camera = _render_marked(mark)
    ys, xs = np.nonzero(image > 100)
    mean_dir = np.array([xs.mean() - 100, ys.mean() - 100])
    mean_dir /= np.linalg.norm(mean_dir)
    assert np.dot(mean_dir, direction) > 0.95


def test_circumferential_line_projects_to_a_ring_at_its_depth():
    depth = 2.0  # radii ahead of the camera
    row = int(depth * GEOMETRY.texels_per_radius)

    def mark(wall):
        wall[row - 1:row + 2] = 255

    image, camera = _render_marked(mark)
    ys, xs = np.nonzero(image > 100)
    radii = np.hypot(xs - 100, ys - 100)
    expected = camera.focal / depth  # r = f * R / z
    assert abs(np.median(radii) - expected) < 2.5
    # a full ring: bright pixels in all four quadrants
    assert len({(x > 100, y > 100) for x, y in zip(xs, ys, strict=True)}) == 4


def test_stills_are_reproducible_per_seed(tmp_path):
    write_stills(tmp_path / "a", 2, 48, seed=5, no_crack_share=None)
    write_stills(tmp_path / "b", 2, 48, seed=5, no_crack_share=None)
    write_stills(tmp_path / "c", 2, 48, seed=6, no_crack_share=None)
    a = sorted((tmp_path / "a").rglob("*.png"))
    assert len(a) == 2 * len(CrackClass)
    scenes = (tmp_path / "a" / "scenes.jsonl").read_text().splitlines()
    assert len(scenes) == len(a)  # every picture is described and can be re-rendered
    first = cv2.imread(str(a[0]))
    assert np.array_equal(first, cv2.imread(str(tmp_path / "b" / a[0].relative_to(tmp_path / "a"))))
    other = next((tmp_path / "c" / a[0].parent.name).glob("*.png"))
    assert not np.array_equal(first, cv2.imread(str(other)))


def test_stills_of_chosen_classes_match_the_full_set(tmp_path):
    write_stills(tmp_path / "all", 2, 48, seed=5, no_crack_share=None)
    counts = write_stills(tmp_path / "nd", 2, 48, seed=5, no_crack_share=None,
                          only=(CrackClass.ND,))
    assert counts["ND"] == 2 and counts["CL"] == 0
    written = sorted(p.relative_to(tmp_path / "nd") for p in (tmp_path / "nd").rglob("*.png"))
    assert [p.parent.name for p in written] == ["ND", "ND"]
    for rel in written:  # extra look-alikes of a class are the very images of a full render
        assert np.array_equal(cv2.imread(str(tmp_path / "nd" / rel)),
                              cv2.imread(str(tmp_path / "all" / rel)))
    write_stills(tmp_path / "matched", 2, 48, seed=5, no_crack_share=None, only=(CrackClass.ND,),
                 matched_no_crack=True, crack_twins=True)
    scenes = {s["file"]: s for s in map(json.loads, (
        tmp_path / "matched" / "scenes.jsonl").read_text().splitlines())}
    no_crack = [s for s in scenes.values() if s["label"] == "ND"]
    twins = [s for s in scenes.values() if s["label"] != "ND"]
    assert len(no_crack) == 2 and len(twins) == 2  # each no-crack still has its crack twin
    assert all(s["crack"] is None and s["extra"]["matched_from"] != "ND" for s in no_crack)
    assert sorted(s["label"] for s in twins) == sorted(s["extra"]["matched_from"]
                                                        for s in no_crack)
    assert all(s["file"].endswith("_twin.png") and (tmp_path / "matched" / s["file"]).exists()
               for s in twins)
    write_stills(tmp_path / "matched", 2, 48, seed=5, no_crack_share=None, only=(CrackClass.ND,),
                 matched_no_crack=True, crack_twins=True)  # a rerun finds every pair done
    assert len((tmp_path / "matched" / "scenes.jsonl").read_text().splitlines()) == len(scenes)


def test_unknown_class_codes_are_named(tmp_path, capsys):
    from ml.cli import main

    assert main(["synth", "stills", str(tmp_path / "s"), "--only", "nd,XX"]) == 2
    assert "unknown class code(s) XX" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()  # nothing half-written


def test_crack_darkens_the_picture_where_it_is_drawn():
    plain = render_still(np.random.default_rng(7), CrackClass.ND, 96)
    assert plain.shape == (96, 96, 3) and plain.dtype == np.uint8
    assert 20 < plain.mean() < 200  # lit wall, dark centre, not blank


def test_video_sidecar_matches_the_video(tmp_path):
    out = tmp_path / "drive.mp4"
    sidecar = write_drive(out, seed=4, spec=DriveSpec(length_m=4.0, defects=2, width=160,
                                                      height=120, fps=8))
    saved = json.loads(out.with_suffix(".json").read_text())
    assert saved == sidecar
    cap = cv2.VideoCapture(str(out))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == sidecar["frames"]
    track = np.array(sidecar["track"])
    assert np.all(np.diff(track[:, 1]) >= 0) and np.all(np.diff(track[:, 0]) > 0)
    distances = [d["distance_m"] for d in sidecar["defects"]]
    assert distances == sorted(distances) and all(0 < d < 4.0 for d in distances)
    assert {d["code"] for d in sidecar["defects"]} <= {"CC", "CL", "CS", "CM", "CH3"}
