"""Crack claims on real frames against recall on the hard synthetic test, threshold by threshold.

A model that finds more synthetic cracks only helps if it does not also claim more real frames
without one. This prints both sides for each model over a range of crack thresholds (its own
fitted one first), so two models can be compared at equal real-frame claim rate.

    python benchmarks/threshold_sweep.py REAL_FRAMES_DIR HARD_TEST_DIR MODEL.onnx [MODEL.onnx ...]
        [--thresholds 0.6,0.8,0.9] [--at-claims 0.02,0.04,0.08] [--json]

`--at-claims` adds, per model, the lowest threshold whose real claim rate is at or under each
rate: the fair comparison of models whose own thresholds differ.
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


def _row(t: float, own: float, real_p, hard_p, is_crack, right) -> dict:
    found = is_crack & (hard_p >= t)
    return {"threshold": round(float(t), 4), "own": bool(t == own),
            "real_claim_rate": float(np.mean(real_p >= t)),
            "hard_recall": float(found.sum() / max(1, is_crack.sum())),
            "hard_subtype_accuracy": float(right[found].mean()) if found.any() else 0.0,
            "hard_false_alarm": float(np.mean(hard_p[~is_crack] >= t))}


def _at_claims(rate: float, real_p: np.ndarray) -> float:
    """The lowest threshold, on the printed 4-decimal grid, at which at most `rate` of the
    real frames are claimed (above 1 when even P = 1 frames are too many)."""
    if not 0 <= rate <= 1:
        raise ValueError(f"a claim rate is between 0 and 1, not {rate}")
    allowed = int(np.floor(rate * len(real_p) + 1e-9))
    ranked = np.sort(real_p)[::-1]
    if allowed >= len(ranked):
        return 0.0
    first_out = float(ranked[allowed])  # the first frame that may not be claimed
    t = float(np.floor(first_out * 1e4)) / 1e4
    while t <= first_out:  # the grid step just above it (x * 1e4 rounds: compare, not trust)
        t = round(t + 1e-4, 4)
    return t


def sweep(model: Path, real: Path, hard: Path, thresholds=THRESHOLDS,
          at_claims: tuple[float, ...] = ()) -> dict:
    own, real_records = _records(model, real)
    _own, hard_records = _records(model, hard)
    real_p = np.array([r["crack_probability"] for r in real_records])
    truth = [Path(r["file"]).parent.name for r in hard_records]
    hard_p = np.array([r["crack_probability"] for r in hard_records])
    is_crack = np.array([t != "ND" for t in truth])
    right = np.array([_top_crack(r) == t for r, t in zip(hard_records, truth, strict=True)])
    rows = [_row(t, own, real_p, hard_p, is_crack, right) for t in (own, *thresholds)]
    matched = [{"at_claims": rate, **_row(_at_claims(rate, real_p), own, real_p, hard_p,
                                           is_crack, right)} for rate in at_claims]
    return {"model": str(model), "real_frames": len(real_records),
            "hard_frames": len(hard_records), "rows": rows, "at_claims": matched}


def _rates(text: str) -> tuple[float, ...]:
    rates = tuple(float(x) for x in text.split(",") if x.strip())
    if any(not 0 <= r <= 1 for r in rates):
        raise argparse.ArgumentTypeError(f"{text!r}: rates and thresholds are between 0 and 1")
    return rates


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("real", type=Path)
    parser.add_argument("hard", type=Path)
    parser.add_argument("models", type=Path, nargs="+")
    parser.add_argument("--thresholds", type=_rates, default=THRESHOLDS)
    parser.add_argument("--at-claims", type=_rates, default=(),
                        help="real claim rates (0.04: 4 %%) to compare the models at")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = [sweep(m, args.real, args.hard, args.thresholds, args.at_claims)
               for m in args.models]
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    for result in results:
        print(f"{result['model']} ({result['real_frames']} real, {result['hard_frames']} hard)")
        print("  threshold | real claims % | hard recall % | subtype % | false alarms %")
        for row in result["rows"] + result["at_claims"]:
            mark = " (own)" if row["own"] else (
                f" <={100 * row['at_claims']:.0f}%" if "at_claims" in row else "")
            print(f"  {row['threshold']:.3f}{mark:6} | {100 * row['real_claim_rate']:13.1f} | "
                  f"{100 * row['hard_recall']:13.1f} | {100 * row['hard_subtype_accuracy']:9.1f} | "
                  f"{100 * row['hard_false_alarm']:14.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
