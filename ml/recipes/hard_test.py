"""The hard synthetic test: every nuisance, look-alikes included, rendered from its own seed.

    python -m ml.recipes.hard_test MODEL.onnx [--data DIR] [--render] [--json]

Reports what the app would do (the decision layer, not the arg-max): crack recall, subtype
accuracy among the cracks it found, false alarms on no-crack frames, which look-alikes (views,
wall and image features in the scene descriptions) cause the false alarms, and recall per
subtype, the subtypes it named for the cracks it found and the features of those it missed.
"""

from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path

from ml.runtime.classifier import CrackClassifier
from ml.runtime.classify import classify_files, policy_for

HARD_SEED = 90_210  # never used for training data
DEFAULT_DIR = Path("runs/hard_test")
PER_CLASS = 120
SIZE = 128


def render(out: Path, per_class: int = PER_CLASS) -> None:
    from ml.synth.stills import write_stills

    write_stills(out, per_class, SIZE, HARD_SEED, no_crack_share=0.5)


def _scenes(data: Path) -> dict[str, dict]:
    scenes = {}
    for path in sorted(data.glob("scenes*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            scenes[record["file"]] = record
    return scenes


def score(model: Path, data: Path) -> dict:
    classifier = CrackClassifier(model, threads=1)
    records = list(classify_files([data], classifier, policy_for(classifier)))
    scenes = _scenes(data)
    claims_nd = nd = unsure = 0
    alarms: collections.Counter = collections.Counter()
    misses: collections.Counter = collections.Counter()
    shown: collections.Counter = collections.Counter()  # crack frames by true subtype
    named: collections.Counter = collections.Counter()  # found cracks by (truth, suggested)
    hidden = hidden_found = hidden_right = 0  # crack frames whose crack does not show
    for r in records:
        if "error" in r:
            continue
        truth = Path(r["file"]).parent.name
        scene = scenes.get(f"{truth}/{Path(r['file']).name}", {})
        unsure += r["outcome"] == "not_sure"
        if truth == "ND":
            nd += 1
            if r["outcome"] == "crack":
                claims_nd += 1
                alarms.update(_features(scene))
            continue
        shown[truth] += 1
        is_hidden = bool(scene.get("extra", {}).get("crack_hidden"))
        hidden += is_hidden
        if r["outcome"] == "crack":
            named[truth, r["suggestion"][:2]] += 1
            hidden_found += is_hidden
            hidden_right += is_hidden and r["suggestion"][:2] == truth
        else:
            misses.update(_features(scene))
    cracks, found = sum(shown.values()), sum(named.values())
    right = sum(n for (truth, code), n in named.items() if truth == code)
    seen = cracks - hidden
    return {"model": classifier.model_id, "frames": nd + cracks,
            "crack_recall": found / cracks if cracks else 0.0,
            "subtype_accuracy_of_found": right / found if found else 0.0,
            "false_alarm": claims_nd / nd if nd else 0.0,
            "not_sure": unsure / (nd + cracks) if nd + cracks else 0.0,
            "false_alarms_by_feature": dict(alarms.most_common(8)),
            "recall_by_subtype": {t: sum(n for (truth, _), n in named.items() if truth == t)
                                  / shown[t] for t in sorted(shown)},
            "misses_by_feature": dict(misses.most_common(8)),
            "subtypes_of_found": {f"{t}->{c}": n for (t, c), n in sorted(named.items())},
            # The renderer keeps its last try when no try showed the crack (ml/synth/frames.py).
            "hidden_crack_frames": hidden,
            "crack_recall_shown": (found - hidden_found) / seen if seen else 0.0,
            "subtype_accuracy_of_found_shown": ((right - hidden_right) / (found - hidden_found)
                                                if found > hidden_found else 0.0)}


def _features(scene: dict) -> list[str]:
    """What a scene description says about a frame: view, material, wall and image features."""
    material = scene.get("look", {}).get("material")
    return (["view:" + scene.get("view", "?")] + ([f"material:{material}"] if material else [])
            + scene.get("wall_features", []) + scene.get("image_features", []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--data", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--render", action="store_true", help="render the set first")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.render:
        render(args.data)
    result = score(args.model, args.data)
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print(f"{result['model']} on {result['frames']} hard synthetic frames: "
              f"crack recall {100 * result['crack_recall']:.1f} %, subtype accuracy of found "
              f"{100 * result['subtype_accuracy_of_found']:.1f} %, false alarms "
              f"{100 * result['false_alarm']:.1f} %, not sure {100 * result['not_sure']:.1f} %")
        print("false alarms by feature:", result["false_alarms_by_feature"])
        print("recall by subtype:", {c: f"{100 * v:.1f} %"
                                     for c, v in result["recall_by_subtype"].items()})
        print("missed cracks by feature:", result["misses_by_feature"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
