"""Weight-space ensembles of a start model and its fine-tuned self (WiSE-FT).

Fine-tuning the shipped model on renders makes it better on renders and worse on real footage
(docs/results.md): it loses part of what it kept from its ImageNet initialisation.
Interpolating the weights, `(1 - alpha) * start + alpha * tuned`, keeps part of both in one
network of the same size and speed (Wortsman et al., 2022, "Robust fine-tuning of zero-shot
models": more robust to a distribution shift than either end). Both must come from the same
start; that the line between them stays in one basin is assumed, and measured only through
the average's own figures.

    python -m ml.training.weight_average RUN --alpha A [--out OUT] [--start CKPT]

averages RUN/best.pt with the checkpoint RUN was fine-tuned from (its `init_from`, or
`--start CKPT` once that file has been replaced; checked against RUN/start.json when the run
recorded one) into OUT (a new folder, default RUN_wiseA): `best.pt`,
`split.csv` and `metrics.json` (the averaged model's figures on the run's own test split), so
that `python -m ml.recipes.real_model --stage package|evaluate --run OUT` takes it like any run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path

import torch

from ml.classes import CLASS_NAMES


def interpolate(start: dict[str, torch.Tensor], tuned: dict[str, torch.Tensor],
                alpha: float) -> dict[str, torch.Tensor]:
    """`(1 - alpha) * start + alpha * tuned` for float tensors; counters (BatchNorm's
    num_batches_tracked) are taken from `tuned`."""
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be within 0..1, not {alpha}")
    if start.keys() != tuned.keys():
        odd = sorted(set(start) ^ set(tuned))[:3]
        raise ValueError(f"the two models have different layers ({', '.join(odd)} ...)")
    out = {}
    for name, tuned_value in tuned.items():
        start_value = start[name]
        if start_value.shape != tuned_value.shape:
            raise ValueError(f"{name}: shape {tuple(start_value.shape)} against "
                             f"{tuple(tuned_value.shape)}")
        out[name] = (torch.lerp(start_value.float(), tuned_value.float(), alpha)
                     .to(tuned_value.dtype) if tuned_value.is_floating_point()
                     else tuned_value.clone())
    return out


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read it ({exc})") from exc


def start_of(run: Path, start: Path | None = None) -> Path:
    """The checkpoint RUN was fine-tuned from (its `init_from`, or `start` when it has moved),
    checked against RUN/start.json: install overwrites the shipped checkpoint in place, so a
    path alone may name another model by now."""
    run = Path(run)
    config = _read_json(run / "metrics.json").get("config", {})
    if start is None and not config.get("init_from"):
        raise ValueError(f"{run}: not fine-tuned from a checkpoint (no init_from)")
    start = Path(start or config["init_from"])
    if not start.is_file():
        raise ValueError(f"{start}: no such checkpoint (the start of {run}; --start names it)")
    record = run / "start.json"
    if not record.exists():  # runs outside the recipe keep no record
        print(f"warning: {record} missing: cannot check that {start} is the start of {run}",
              file=sys.stderr)
        return start
    digest = hashlib.sha256(start.read_bytes()).hexdigest()
    if _read_json(record).get("sha256") != digest:
        raise ValueError(f"{start}: not the checkpoint {run} was fine-tuned from (sha256 "
                         f"differs from {record}); --start names the right one")
    return start


def average_run(start: Path, run: Path, alpha: float, out: Path) -> dict:
    """OUT as a run folder holding the weight average of `start` (a student checkpoint) and
    RUN/best.pt (fine-tuned from it); returns OUT's metrics."""
    from ml.datasets import DatasetError, read_split
    from ml.training.data import Split, load_images
    from ml.training.engine import evaluate
    from ml.training.finetune import load_student
    from ml.training.run import load_checkpoint_model

    run, out = Path(run), Path(out)
    if out.resolve() == run.resolve() or (out.is_dir() and any(out.iterdir())):
        raise ValueError(f"{out}: not empty; the average goes into a folder of its own")
    model, ckpt = load_checkpoint_model(run / "best.pt")
    start_model, meta = load_student(Path(start))
    config = dict(ckpt["config"])
    if meta["arch"] != config["arch"]:
        raise ValueError(f"{start}: a {meta['arch']} checkpoint, but {run} trained "
                         f"{config['arch']}")
    try:
        model.load_state_dict(interpolate(start_model.state_dict(), model.state_dict(), alpha))
    except ValueError as exc:
        raise ValueError(f"{start} and {run / 'best.pt'}: {exc}") from exc
    config["weight_average"] = {"start": str(start), "start_model_id": meta["model_id"],
                                "tuned": str(run / "best.pt"), "alpha": alpha}
    out.mkdir(parents=True, exist_ok=True)
    # The tuned run's learning curve, named so: the average itself was never trained.
    tuned_history = ckpt.get("history", [])
    torch.save({"model": model.state_dict(), "config": config, "class_names": list(CLASS_NAMES),
                "history": [], "tuned_history": tuned_history}, out / "best.pt")
    shutil.copy2(run / "split.csv", out / "split.csv")
    try:
        test = read_split(out / "split.csv", "test")
    except DatasetError:  # a run without test frames: nothing to measure
        test = []
    figures = evaluate(model.eval(), Split(*load_images(test, int(config["image_size"]))),
                       torch.device("cpu")) if test else None
    metrics = {"checkpoint": str(out / "best.pt"), "test": figures, "config": config,
               "history": [], "tuned_history": tuned_history}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1), encoding="utf-8")
    return metrics


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="a run fine-tuned from a student checkpoint")
    parser.add_argument("--alpha", type=float, required=True,
                        help="weight of the fine-tuned model (0: the start, 1: the run)")
    parser.add_argument("--out", type=Path, help="a new folder (default RUN_wiseA)")
    parser.add_argument("--start", type=Path,
                        help="the start checkpoint, when RUN's init_from has been replaced since")
    args = parser.parse_args(argv)
    out = args.out or args.run.with_name(f"{args.run.name}_wise{round(100 * args.alpha)}")
    try:
        metrics = average_run(start_of(args.run, args.start), args.run, args.alpha, out)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        parser.exit(1, f"weight_average: {exc}\n")
    test = metrics["test"] or {}
    print(json.dumps({"out": str(out), "alpha": args.alpha,
                      "test_accuracy": test.get("accuracy"),
                      "test_macro_f1": test.get("macro_f1")}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
