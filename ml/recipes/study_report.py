"""The distillation study as figures: paired gains over seeds, docs/results.json and results.md."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

BASELINE = "cmi_ce"
BEGIN, END = "<!-- distill_study:begin -->", "<!-- distill_study:end -->"


def _sd(values: list[float]) -> float:
    return statistics.stdev(values) if len(values) > 1 else 0.0


def paired_gains(students: list[dict]) -> dict:
    """Each CMI setting against CMI trained alone, seed by seed (same init and batch order)."""
    by_name: dict[str, dict[int, dict]] = {}
    for row in students:
        by_name.setdefault(row["name"], {})[row["seed"]] = row
    base = by_name.get(BASELINE, {})
    out = {}
    for name, seeds in by_name.items():
        if name == BASELINE or not name.startswith("cmi"):
            continue
        shared = sorted(set(seeds) & set(base))
        if not shared:
            continue
        acc = [100 * (seeds[s]["accuracy"] - base[s]["accuracy"]) for s in shared]
        f1 = [100 * (seeds[s]["macro_f1"] - base[s]["macro_f1"]) for s in shared]
        out[name] = {"seeds": shared, "accuracy_gain_points": round(statistics.mean(acc), 2),
                     "accuracy_gain_sd": round(_sd(acc), 2),
                     "macro_f1_gain_points": round(statistics.mean(f1), 2),
                     "macro_f1_gain_sd": round(_sd(f1), 2),
                     "per_seed_accuracy_gain": [round(a, 2) for a in acc],
                     "per_seed_macro_f1_gain": [round(f, 2) for f in f1]}
    return out


def _spread(values: list[float]) -> str:
    return f"{statistics.mean(values):.1f} ± {_sd(values):.1f}" if len(values) > 1 \
        else f"{values[0]:.1f}"


def settings_table(summary: dict) -> list[str]:
    groups: dict[str, list[dict]] = {}
    for row in summary["students"]:
        groups.setdefault(row["name"], []).append(row)
    t = summary["teacher"]
    fresh = "fresh_test_set" in summary  # a second test set of its own renderer seed
    extra = " fresh-seed test acc % | fresh-seed macro-F1 % |" if fresh else ""
    lines = [f"| model | seeds | params | test accuracy % | test macro-F1 % |{extra} "
             "ms/frame (1 thread) |", "|---|---|---|---|---|" + ("---|---|" if fresh else "")
             + "---|",
             f"| teacher {t['arch']} ({t.get('init', 'ImageNet')}, {t['epochs']} epochs) | 1 | "
             f"{t['params'] / 1e6:.2f} M | {100 * t['accuracy']:.1f} | {100 * t['macro_f1']:.1f} |"
             + (_fresh_cells([t]) if fresh else "") + f" {t.get('latency_ms') or ''} |"]
    for name, rows in groups.items():
        acc = [100 * r["accuracy"] for r in rows]
        f1 = [100 * r["macro_f1"] for r in rows]
        lines.append(f"| {name} ({rows[0]['arch']}) | {len(rows)} | {rows[0]['params'] / 1e6:.2f} M"
                     f" | {_spread(acc)} | {_spread(f1)} |" + (_fresh_cells(rows) if fresh else "")
                     + f" {rows[0].get('latency_ms') or ''} |")
    return lines


def _fresh_cells(rows: list[dict]) -> str:
    scored = [r for r in rows if "fresh_accuracy" in r]
    if not scored:
        return " | |"
    return (f" {_spread([100 * r['fresh_accuracy'] for r in scored])} |"
            f" {_spread([100 * r['fresh_macro_f1'] for r in scored])} |")


def gain_lines(summary: dict, key: str = "distillation", where: str = "") -> list[str]:
    lines = []
    for name, g in summary.get(key, {}).items():
        lines.append(f"- {name} vs cmi_ce{where} over seeds {g['seeds']}: accuracy "
                     f"{g['accuracy_gain_points']:+.2f} ± {g['accuracy_gain_sd']:.2f} points, "
                     f"macro-F1 {g['macro_f1_gain_points']:+.2f} ± {g['macro_f1_gain_sd']:.2f} "
                     f"(per seed: {g['per_seed_accuracy_gain']} / {g['per_seed_macro_f1_gain']}).")
    return lines


def real_lines(work: Path) -> list[str]:
    path = work / "real_footage.json"
    if not path.exists():
        return []
    real = json.loads(path.read_text())
    lines = ["", "Crack claims on the 223 real frames (calibrated like the shipped model, "
             "evaluation only):", ""]
    for key, row in real.items():
        lines.append(f"- {key} ({row.get('run', 'teacher')}): {100 * row['claim_rate']:.1f} % "
                     f"claims, outcomes {row['outcomes']}")
    return lines


def write_report(summary: dict, work: Path, docs: Path, key: str = "", title: str = "") -> None:
    """Top-level results.json keys and the distill_study section of results.md; with `key`, a
    second study (e.g. on more data) under results.json[key] and a section of its own."""
    results = docs / "results.json"
    merged = json.loads(results.read_text()) if results.exists() else {}
    real = work / "real_footage.json"
    real_frames = json.loads(real.read_text()) if real.exists() else None
    if key:
        _check_key(key, merged)
        merged[key] = {**summary, "report_key": key,
                       **({"real_frames": real_frames} if real_frames else {})}
    else:
        merged.update(summary)
        if real_frames:
            merged["distillation_real_frames"] = real_frames
    results.write_text(json.dumps(merged, indent=1) + "\n", encoding="utf-8")
    begin, end = _markers(key)
    heading = f"## Distillation study: {title or key}" if key or title else \
        "## Distillation study on the domain-randomised stills"
    section = [begin, heading, "",
               "Produced by `python -m ml.recipes.distill_study --data DIR` (stages teacher, "
               f"students, real, fresh, report); test set: {summary['test_set']}. Same split, and per "
               "seed the same initialisation and batch order, for every student."
               + (f" In `docs/results.json` under `{key}`." if key else ""), "",
               *settings_table(summary), "", *gain_lines(summary),
               *gain_lines(summary, "distillation_fresh_test", " on the fresh-seed test set"),
               *real_lines(work), end]
    md = docs / "results.md"
    text = md.read_text() if md.exists() else "# Results\n"
    if begin in text:
        head, rest = text.split(begin, 1)
        text = head + "\n".join(section) + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + "\n".join(section) + "\n"
    md.write_text(text, encoding="utf-8")


def _check_key(key: str, results: dict) -> None:
    """A keyed report may only replace its own earlier report, never other results (the
    top-level gains, for one, set the wizard's KD defaults)."""
    if not re.fullmatch(r"[a-z0-9_]+", key):
        raise SystemExit(f"--report-key {key!r}: use lower-case letters, digits and _ only")
    earlier = results.get(key)
    if earlier is not None and not (isinstance(earlier, dict) and earlier.get("report_key") == key):
        raise SystemExit(f"--report-key {key!r}: docs/results.json already holds other results "
                         "under that key; choose another")


def _markers(key: str) -> tuple[str, str]:
    return (BEGIN, END) if not key else (f"<!-- distill_study:{key}:begin -->",
                                         f"<!-- distill_study:{key}:end -->")
