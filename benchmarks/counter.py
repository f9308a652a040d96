"""Counter reading on rendered footage: the share of frames read within 0.1 m (0.3 ft), and the
median error of the distance track of rendered drives against their sidecars. Prints JSON.
Targets: at least 95 % of frames, track median error at most 0.1 m.

    python benchmarks/counter.py [--frames 100] [--drives 3] [--engine rapidocr|tesseract]
    python benchmarks/counter.py --frames 0 --drives 0 --real ../shared/real-frames/frames

`--real` only counts how many real frames give a reading (they carry no truth) and prints them
for a person to check; those frames are for evaluation only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from ml.ocr.counter import read_counter
from ml.ocr.engines import make_engine
from ml.ocr.video_counter import read_counter_track
from ml.synth.osd import FOOT_M, counter_still, random_style
from ml.synth.video import DriveSpec, write_drive


def bench_frames(engine, count: int, seed: int) -> dict:
    good, seconds, misses = 0, 0.0, []
    for k in range(count):
        image, style, metres = counter_still(np.random.default_rng([seed, k]))
        started = time.perf_counter()
        reading = read_counter(image, engine)
        seconds += time.perf_counter() - started
        tolerance = 0.1 if style.unit == "m" else 0.3
        ok = (reading.distance is not None and reading.unit in (style.unit, None)
              and abs(reading.distance - style.value(metres)) <= tolerance + 1e-9)
        good += ok
        if not ok:
            misses.append([style.text(metres).strip(), reading.text])
    return {"frames": count, "within_tolerance_pct": round(100 * good / max(count, 1), 1),
            "seconds_per_frame": round(seconds / max(count, 1), 3), "misses": misses[:10]}


def bench_drives(engine, count: int, seed: int, every_s: float) -> dict:
    errors, per_drive = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(count):
            style = random_style(np.random.default_rng([seed, 1000 + k]))
            video = Path(tmp) / f"drive{k}.mp4"
            spec = DriveSpec(length_m=8.0, speed_mps=0.2, fps=10, width=480, height=360)
            sidecar = write_drive(video, seed + k, spec, osd=style)
            started = time.perf_counter()
            track = read_counter_track(video, engine, every_s)
            seconds = time.perf_counter() - started
            truth = np.array(sidecar["track"])
            drive_errors = [abs(style.value(float(np.interp(t, truth[:, 0], truth[:, 1]))) - d)
                            * (FOOT_M if style.unit == "ft" else 1.0) for t, d in track.points]
            errors += drive_errors
            per_drive.append({"style": style.template, "unit": style.unit,
                              "points": len(track.points), "rejected": track.rejected,
                              "median_error_m": round(statistics.median(drive_errors), 3)
                              if drive_errors else None,
                              "video_s": round(sidecar["frames"] / spec.fps, 1),
                              "ocr_s": round(seconds, 1)})
    return {"drives": per_drive,
            "median_error_m": round(statistics.median(errors), 3) if errors else None}


def bench_real(engine, folder: Path) -> dict:
    read = []
    files = sorted(folder.glob("*.jpg"))
    for path in files:
        reading = read_counter(cv2.imread(str(path)), engine)
        if reading.distance is not None:
            read.append([path.name, reading.text, reading.distance, reading.unit])
    return {"frames": len(files), "with_reading": len(read), "readings": read}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--drives", type=int, default=3)
    parser.add_argument("--every", type=float, default=2.0)
    parser.add_argument("--engine", default="rapidocr")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--real", type=Path)
    args = parser.parse_args()
    engine = make_engine(args.engine)
    out: dict = {"engine": args.engine}
    if args.frames:
        out["stills"] = bench_frames(engine, args.frames, args.seed)
    if args.drives:
        out["tracks"] = bench_drives(engine, args.drives, args.seed, args.every)
    if args.real:
        out["real"] = bench_real(engine, args.real)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
