"""A model card in Markdown from a run folder's own files (no torch: the wizard reads it too).

It carries the figures, not promises: the run's recipe and data, its held-out test figures per
class and, when the run was compared with the model in use, both models' figures on the same
frames with the difference and its interval.
"""

from __future__ import annotations

import json
from pathlib import Path

from ml.classes import CLASS_NAMES

MODES = {"finetune": "fine-tuned from a trained student", "student": "trained from scratch "
         "(cross-entropy only)", "distill": "distilled from a teacher", "teacher": "teacher"}


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def model_card(run: Path) -> str:
    run = Path(run)
    metrics, package, comparison = (_read(run / n) for n in
                                    ("metrics.json", "package.json", "comparison.json"))
    cfg = metrics.get("config", {})
    lines = [f"# Model card: {package.get('model_id', run.name)}", "",
             "- Files: `model.onnx` (fp32), `model_int8.onnx` (int8), `student.pt` "
             "(PyTorch, for further fine-tuning)",
             f"- Architecture: {cfg.get('arch', '?')}, input {cfg.get('image_size', '?')} px; "
             f"classes {', '.join(CLASS_NAMES)}",
             f"- Recipe: {MODES.get(cfg.get('mode', ''), cfg.get('mode', '?'))}"
             + (f" (from `{Path(cfg['init_from']).name}`)" if cfg.get("init_from") else "")
             + f"; {cfg.get('epochs', '?')} epochs, learning rate {cfg.get('lr', '?')}, "
             f"balance {cfg.get('balance', 'none')}",
             f"- Data: `{cfg.get('data', '?')}`"
             + (f", plus `{cfg['train_extra']}` in training only" if cfg.get("train_extra")
                else "")
             + f"; split by {cfg.get('split_by', 'frame')} (seed {cfg.get('split_seed', 0)})"]
    if cfg.get("weight_average"):
        wise = cfg["weight_average"]
        lines.append(f"- Weight average (WiSE-FT): {1 - wise['alpha']:.2f} x the start "
                     f"`{wise.get('start_model_id', Path(wise['start']).name)}` + "
                     f"{wise['alpha']:.2f} x `{wise['tuned']}`, fine-tuned from it")
    if cfg.get("mode") == "distill":
        lines.append(f"- Distillation: {cfg.get('kd_method')}, T={cfg.get('temperature')}, "
                     f"alpha={cfg.get('alpha')}")
    test = metrics.get("test")
    if test:
        lines += ["", f"## Held-out test frames of this run ({test.get('n', '?')})", "",
                  f"Accuracy {test['accuracy']:.1%}, macro-F1 {test['macro_f1']:.1%}.", "",
                  "| class | precision | recall | F1 | frames |", "|---|---|---|---|---|"]
        lines += [f"| {c} | {v['precision']:.2f} | {v['recall']:.2f} | {v['f1']:.2f} | "
                  f"{v['support']} |" for c, v in test["per_class"].items()]
    if comparison:
        lines += ["", "## Against the model in use, on the same test frames", "",
                  f"{comparison['frames']} frames from {comparison['groups']} groups "
                  f"(bootstrap over {comparison['resampled']}).", "",
                  "| model | model id | accuracy | macro-F1 |", "|---|---|---|---|"]
        lines += [f"| {name} | `{m['model_id']}` | {m['accuracy']:.1%} | {m['macro_f1']:.1%} |"
                  for name, m in comparison["models"].items()]
        lines += ["", comparison.get("verdict", "")]
    lines += ["", "Intended use: suggestions that a certified coder confirms, edits or rejects.",
              ""]
    return "\n".join(lines)


def write_model_card(run: Path) -> Path:
    """RUN/MODEL_CARD.md from the run's own files: recipe, data, test figures, comparison."""
    card = Path(run) / "MODEL_CARD.md"
    card.write_text(model_card(Path(run)), encoding="utf-8")
    return card


def attach_comparison(result: dict) -> list[Path]:
    """Give every packaged run in a comparison its figures: RUN/comparison.json and its card."""
    cards = []
    for figures in result["models"].values():
        run = Path(figures["path"]).parent
        if (run / "package.json").exists():
            (run / "comparison.json").write_text(json.dumps(result, indent=1),
                                                 encoding="utf-8")
            cards.append(write_model_card(run))
    return cards
