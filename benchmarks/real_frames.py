"""How the crack model behaves on real footage: claim rate, per source, and a contact sheet.

    python benchmarks/real_frames.py FRAMES_DIR [--model M] [--sheet sheet.png] [--json]

The claim rate is the share of frames on which the app would raise a crack suggestion (the
very rule of `sewer-ml classify` and the app). Real footage is mostly crack-free, so a
trustworthy model claims few frames. Sources come from FRAMES_DIR/../manifest.csv when there is
one (column source_repo), else from the file name before "__". A sanity check of the
synthetic-to-real gap, not a benchmark: the frames are few and not labelled for cracks.
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ml.runtime.classifier import CrackClassifier  # noqa: E402
from ml.runtime.classify import classify_files, policy_for  # noqa: E402
from ml.runtime.model_files import runtime_model  # noqa: E402

OUTCOME_COLOURS = {"crack": (0, 0, 255), "not_sure": (0, 200, 255), "no_crack": (0, 180, 0),
                   "out_of_scope": (200, 200, 200)}


def sources(frames_dir: Path) -> dict[str, str]:
    manifest = frames_dir.parent / "manifest.csv"
    if not manifest.is_file():
        return {}
    with open(manifest, newline="", encoding="utf-8") as handle:
        return {Path(row["file"]).name: row.get("source_repo", "?") for row in csv.DictReader(handle)}


def source_of(name: str, known: dict[str, str]) -> str:
    return known.get(name) or name.split("__")[0]


def summarise(records: list[dict], known: dict[str, str]) -> dict:
    judged = [r for r in records if "error" not in r]
    per_source: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for r in judged:
        src = source_of(Path(r["file"]).name, known)
        per_source[src]["frames"] += 1
        per_source[src][r["outcome"]] += 1
    claims = sum(r["outcome"] == "crack" for r in judged)
    confident = sum(r["outcome"] == "crack" and r["crack_probability"] >= 0.9
                    for r in judged)
    return {"frames": len(judged), "unreadable": len(records) - len(judged),
            "claim_rate": claims / len(judged) if judged else 0.0,
            "claims_at_90": confident / len(judged) if judged else 0.0,
            "outcomes": dict(collections.Counter(r["outcome"] for r in judged)),
            "codes": dict(collections.Counter(r["suggestion"] for r in judged if r["suggestion"])),
            "per_source": {k: dict(v) for k, v in sorted(per_source.items())}}


def contact_sheet(records: list[dict], out: Path, tile: int = 160, cols: int = 10,
                  limit: int = 120) -> None:
    """Thumbnails with the verdict written on each: red claims, orange not sure, green clear."""
    chosen = sorted((r for r in records if "error" not in r),
                    key=lambda r: (r["outcome"] != "crack", r["outcome"], r["file"]))[:limit]
    tiles = []
    for r in chosen:
        image = cv2.resize(cv2.imread(r["file"]), (tile, tile * 3 // 4))
        colour = OUTCOME_COLOURS[r["outcome"]]
        cv2.rectangle(image, (0, 0), (image.shape[1] - 1, image.shape[0] - 1), colour, 3)
        label = r["suggestion"] or r["outcome"].replace("_", " ")
        text = f"{label} {100 * r['crack_probability']:.0f}%"
        cv2.rectangle(image, (0, 0), (tile, 16), (0, 0, 0), -1)
        cv2.putText(image, text, (4, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.42, colour, 1, cv2.LINE_AA)
        tiles.append(image)
    if not tiles:
        return
    blank = np.zeros_like(tiles[0])
    while len(tiles) % cols:
        tiles.append(blank)
    rows = [np.hstack(tiles[i:i + cols]) for i in range(0, len(tiles), cols)]
    out.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(out), np.vstack(rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("frames", type=Path)
    parser.add_argument("--model", type=Path,
                        default=runtime_model(ROOT / "resources" / "models" / "cmi_student.onnx"),
                        help="default: the bundled model as the app runs it")
    parser.add_argument("--threshold", type=float, help="override the model's crack threshold")
    parser.add_argument("--sheet", type=Path, help="write a contact sheet PNG here")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    classifier = CrackClassifier(args.model, threads=1)
    policy = policy_for(classifier, args.threshold)
    records = list(classify_files([args.frames], classifier, policy))
    summary = {"model": classifier.model_id, "threshold": policy.crack_threshold,
               **summarise(records, sources(args.frames))}
    if args.sheet:
        contact_sheet(records, args.sheet)
        summary["sheet"] = str(args.sheet)
    if args.json:
        print(json.dumps(summary, indent=1))
        return 0
    print(f"model {summary['model']}, threshold {policy.crack_threshold:.2f}: "
          f"claim rate {100 * summary['claim_rate']:.1f} % of {summary['frames']} frames "
          f"({100 * summary['claims_at_90']:.1f} % at >= 90 %)")
    print(f"{'source':60s} frames  crack  not sure  no crack  out of scope")
    for src, c in summary["per_source"].items():
        print(f"{src[:60]:60s} {c['frames']:6d} {c.get('crack', 0):6d} {c.get('not_sure', 0):9d} "
              f"{c.get('no_crack', 0):9d} {c.get('out_of_scope', 0):13d}")
    print("codes claimed:", summary["codes"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
