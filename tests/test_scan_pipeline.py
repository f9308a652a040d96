"""The scan decodes in a producer thread beside inference: same results, clean cancel, and
`sewer-ml scan FOLDER` writes one result per video."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest

from ml.cli import main as ml_main
from ml.runtime.classifier import CrackClassifier
from ml.runtime.decode import sampled_batches
from ml.runtime.scan import ScanSettings, iter_scan, run_scan
from ml.runtime.video import VideoReader
from ml.synth.video import DriveSpec, write_drive


@pytest.fixture(scope="module")
def drive(tmp_path_factory):
    video = tmp_path_factory.mktemp("pipeline") / "drive.mp4"
    write_drive(video, 3, DriveSpec(length_m=3.0, defects=1, width=96, height=72, fps=10))
    return video


def _decoders() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "scan-decode"]


def test_threaded_decoding_gives_identical_batches(drive):
    with VideoReader(drive) as a, VideoReader(drive) as b:
        plain = list(sampled_batches(a, step=3, batch=4, ahead=0))
        threaded = list(sampled_batches(b, step=3, batch=4, ahead=2))
    assert [[i for i, _f in batch] for batch, _n in plain] == \
        [[i for i, _f in batch] for batch, _n in threaded]
    assert all(np.array_equal(x, y) for (p, _), (q, _) in zip(plain, threaded, strict=True)
               for (_i, x), (_j, y) in zip(p, q, strict=True))
    assert plain[0][0][0][0] == 0 and plain[0][0][1][0] == 3


def test_threaded_scan_matches_the_plain_scan(drive, tiny_onnx):
    earlier = set(_decoders())  # a GUI test's scan thread may still be winding down
    classifier = CrackClassifier(tiny_onnx)
    plain = run_scan(drive, classifier, ScanSettings(stride_s=0.3, decode_ahead=0))
    threaded = run_scan(drive, classifier, ScanSettings(stride_s=0.3, decode_ahead=3))
    assert np.array_equal(plain.times, threaded.times)
    assert np.allclose(plain.probabilities, threaded.probabilities, atol=0, rtol=0)
    assert [e.to_json() for e in plain.events] == [e.to_json() for e in threaded.events]
    assert not set(_decoders()) - earlier


def test_cancelled_scan_stops_its_decoding_thread(drive, tiny_onnx):
    earlier = set(_decoders())
    gen = iter_scan(drive, CrackClassifier(tiny_onnx), ScanSettings(stride_s=0.1, batch=2))
    next(gen)
    assert set(_decoders()) - earlier
    gen.close()  # what the GUI's cancel does at a yield
    assert not set(_decoders()) - earlier


def test_scan_of_a_folder_writes_one_result_per_video(drive, tiny_onnx, tmp_path, capsys):
    folder = tmp_path / "job"
    folder.mkdir()
    for name in ("a.mp4", "b.mp4"):
        (folder / name).write_bytes(drive.read_bytes())
    (folder / "c.mp4").write_bytes(b"\x00" * 4000)  # a broken video does not stop the job
    (folder / "notes.txt").write_text("not a video", encoding="utf-8")
    out = tmp_path / "results"
    assert ml_main(["scan", str(folder), "--model", str(tiny_onnx), "--out", str(out),
                    "--json"]) == 1
    summary = json.loads(capsys.readouterr().out)
    assert [row["video"] for row in summary] == [str(folder / n) for n in ("a.mp4", "b.mp4",
                                                                           "c.mp4")]
    assert "c.mp4" in summary[2]["error"] and not (out / "c.scan.json").exists()
    for name in ("a", "b"):
        result = json.loads((out / f"{name}.scan.json").read_text(encoding="utf-8"))
        assert result["video"].endswith(f"{name}.mp4") and "events" in result
    empty = tmp_path / "empty"
    empty.mkdir()
    assert ml_main(["scan", str(empty), "--model", str(tiny_onnx)]) == 2
    assert "no video files" in capsys.readouterr().err
