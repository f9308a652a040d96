"""Whole-video scan with decoding in the calling thread and in a producer thread beside
inference: wall time, real-time factor and whether the results are identical; and decoding
alone (every frame grabbed, none classified), the ceiling of any scan. Prints JSON.

    python benchmarks/scan_decode.py [--video resources/sample/demo_pipe.mp4] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from ml.runtime.classifier import CrackClassifier
from ml.runtime.scan import ScanSettings, run_scan
from ml.runtime.video import VideoReader

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--video", type=Path, default=ROOT / "resources/sample/demo_pipe.mp4")
    parser.add_argument("--model", type=Path,
                        default=ROOT / "resources/models/cmi_student_int8.onnx")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    classifier = CrackClassifier(args.model)
    walls: dict[int, list[float]] = {0: [], 3: []}
    results = {}
    for _ in range(args.repeats):  # alternate, so that load from other work hits both alike
        for ahead in walls:
            result = run_scan(args.video, classifier, ScanSettings(decode_ahead=ahead))
            walls[ahead].append(result.wall_seconds)
            results[ahead] = result
    plain, threaded = results[0], results[3]
    identical = (np.array_equal(plain.probabilities, threaded.probabilities)
                 and [e.to_json() for e in plain.events] == [e.to_json() for e in threaded.events])
    median = {ahead: statistics.median(w) for ahead, w in walls.items()}
    decode = statistics.median(_decode_only(args.video) for _ in range(args.repeats))
    print(json.dumps({
        "video_seconds": round(plain.video_seconds, 1),
        "plain_wall_s": round(median[0], 2), "threaded_wall_s": round(median[3], 2),
        "plain_realtime_x": round(plain.video_seconds / median[0], 1),
        "threaded_realtime_x": round(plain.video_seconds / median[3], 1),
        "speedup": round(median[0] / median[3], 2), "identical": identical,
        "decode_only_wall_s": round(decode, 2),
        "decode_only_realtime_x": round(plain.video_seconds / decode, 1),
        "runs": {str(k): [round(x, 2) for x in v] for k, v in walls.items()}}, indent=1))
    return 0


def _decode_only(video: Path) -> float:
    start = time.perf_counter()
    with VideoReader(video) as reader:
        while reader.grab():
            pass
    return time.perf_counter() - start


if __name__ == "__main__":
    raise SystemExit(main())
