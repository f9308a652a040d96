"""Crack claims on real frames against recall on the hard synthetic test, threshold by threshold.

A model that finds more synthetic cracks only helps if it does not also claim more real frames
without one. This prints both sides for each model over a range of crack thresholds (its own
fitted one first), so two models can be compared at equal real-frame claim rate.

    python benchmarks/threshold_sweep.py REAL_FRAMES_DIR HARD_TEST_DIR MODEL.onnx [MODEL.onnx ...]
        [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

THRESHOLDS = (0.9, 0.93, 0.95, 0.97, 0.98, 0.99)


def _records(model: Path, folder: Path) -> tuple[float, list[dict]]:
    from ml.runtime.classifier import CrackClassifier
    from ml.runtime.classify import classify_files, policy_for

    classifier = CrackClassifier(model, threads=2)
    policy = policy_for(classifier)
    return policy.crack_threshold, [r for r in classify_files([folder], classifier, policy)
                                    if "error" not in r]


def _top_crack(record: dict) -> str:
    probs = record["probabilities"]
    return max((k for k in probs if k != "ND"), key=probs.get)[:2]


def sweep(model: Path, real: Path, hard: Path) -> dict:
    own, real_records = _records(model, real)
    _own, hard_records = _records(model, hard)
    real_p = np.array([r["crack_probability"] for r in real_records])
    truth = [Path(r["file"]).parent.name for r in hard_records]
    hard_p = np.array([r["crack_probability"] for r in hard_records])
    is_crack = np.array([t != "ND" for t in truth])
    right = np.array([_top_crack(r) == t for r, t in zip(hard_records, truth, strict=True)])
    rows = []
    for t in (own, *THRESHOLDS):
        found = is_crack & (hard_p >= t)
        rows.append({"threshold": round(float(t), 4), "own": t == own,
                     "real_claim_rate": float(np.mean(real_p >= t)),
                     "hard_recall": float(found.sum() / max(1, is_crack.sum())),
                     "hard_subtype_accuracy": float(right[found].mean()) if found.any() else 0.0,
                     "hard_false_alarm": float(np.mean(hard_p[~is_crack] >= t))})
    return {"model": str(model), "real_frames": len(real_records),
            "hard_frames": len(hard_records), "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("real", type=Path)
    parser.add_argument("hard", type=Path)
    parser.add_argument("models", type=Path, nargs="+")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = [sweep(m, args.real, args.hard) for m in args.models]
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    for result in results:
        print(f"{result['model']} ({result['real_frames']} real, {result['hard_frames']} hard)")
        print("  threshold | real claims % | hard recall % | subtype % | false alarms %")
        for row in result["rows"]:
            mark = " (own)" if row["own"] else ""
            print(f"  {row['threshold']:.3f}{mark:6} | {100 * row['real_claim_rate']:13.1f} | "
                  f"{100 * row['hard_recall']:13.1f} | {100 * row['hard_subtype_accuracy']:9.1f} | "
                  f"{100 * row['hard_false_alarm']:14.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
