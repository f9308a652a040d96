"""`sewer-ml`: synthetic data, training, distillation, evaluation, export, scan and benchmarks.

Commands that need torch import it when they run, so `scan` and `bench` of ONNX models work in
an install without torch.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ml.datasets import DatasetError


def cmd_synth_stills(args) -> int:
    from ml.synth.stills import class_codes, write_stills

    shard = tuple(int(x) for x in args.shard.split("/")) if args.shard else (0, 1)
    counts = write_stills(Path(args.out), args.per_class, args.size, args.seed,
                          no_crack_share=None if args.balanced else args.no_crack_share,
                          shard=shard, only=class_codes(args.only) if args.only else None,
                          matched_no_crack=args.matched_no_crack,
                          crack_twins=args.crack_twins)
    print(json.dumps({"out": args.out, "counts": counts}))
    return 0


def cmd_synth_video(args) -> int:
    from ml.synth.video import DriveSpec, write_drive

    spec = DriveSpec(length_m=args.length, defects=args.defects, width=args.width,
                     height=args.height, fps=args.fps)
    sidecar = write_drive(Path(args.out), args.seed, spec)
    print(json.dumps({"video": args.out, "frames": sidecar["frames"],
                      "defects": len(sidecar["defects"])}))
    return 0


def _train(mode: str):
    def run(args) -> int:
        from ml.training.config import resolve
        from ml.training.run import main_guard

        fixed: dict[str, object] = {"mode": mode}
        if mode == "teacher" and args.arch is None:
            fixed["arch"] = "resnet50"
        return main_guard(resolve(args, **fixed))
    return run


def _given(args) -> set[str]:
    """Options set on the command line or in --config (the rest take the command's defaults)."""
    import yaml

    from ml.training.config import TrainConfig

    names = {f for f in TrainConfig.__dataclass_fields__ if getattr(args, f, None) is not None}
    if getattr(args, "config", None):
        names |= set(yaml.safe_load(Path(args.config).read_text(encoding="utf-8")) or {})
    return names


def cmd_fine_tune(args) -> int:
    from ml.training.config import resolve
    from ml.training.finetune import fine_tune_config, run_fine_tune

    config = fine_tune_config(resolve(args, mode="student"),
                              Path(args.start) if args.start else None, args.scratch,
                              _given(args))
    config.validate()
    return run_fine_tune(config, Path(args.active) if args.active else None, args.model_id)


def cmd_package(args) -> int:
    from ml.training.finetune import package_run

    print(json.dumps(package_run(Path(args.run), args.model_id)))
    return 0


def cmd_compare(args) -> int:
    from ml.comparison import compare_cli

    result = compare_cli(Path(args.split), args.model, args.baseline, args.pair)
    from ml.training.model_card import attach_comparison

    attach_comparison(result)
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps(result, indent=None if args.json else 1))
    return 0


def cmd_estimate(args) -> int:
    from ml.training.config import resolve
    from ml.training.estimate import estimate

    print(json.dumps(estimate(resolve(args), args.teacher_too, args.batches)), flush=True)
    return 0


def cmd_probe(_args) -> int:
    from ml.training.estimate import probe

    print(json.dumps(probe()), flush=True)
    return 0


def cmd_evaluate(args) -> int:
    from ml.evaluation import evaluate_model

    result = evaluate_model(Path(args.model), Path(args.data), args.split, args.seed,
                            confusion_png=args.confusion_png)
    print(json.dumps(result, indent=None if args.json else 1))
    return 0


def cmd_export(args) -> int:
    from ml.training.export import export_onnx

    print(json.dumps(export_onnx(Path(args.checkpoint), Path(args.out), args.model_id)))
    if args.int8:
        from ml.evaluation import calibration_images
        from ml.training.export import quantise_int8

        int8 = Path(args.out).with_name(Path(args.out).stem + "_int8.onnx")
        quantise_int8(Path(args.out), int8, calibration_images(Path(args.checkpoint)))
        print(json.dumps({"int8": str(int8)}))
    return 0


def _scan_one(video: Path, sidecar: Path | None, classifier, settings, counter: bool) -> dict:
    from ml.runtime.scan import run_scan, score_events
    from ml.runtime.track import DistanceTrack, load_sidecar, sidecar_for

    sidecar = sidecar or sidecar_for(video)
    checked = load_sidecar(sidecar) if sidecar else None  # SidecarError names the file
    track = checked.track if checked else None
    if track is None and counter:  # real footage: distances from the burnt-in counter
        from ml.ocr.engines import make_engine
        from ml.ocr.video_counter import read_counter_track

        read = read_counter_track(video, make_engine())
        track = DistanceTrack(read.in_metres(), read.in_metres()[0][1]) if read.readable else None
    result = run_scan(video, classifier, settings, track)
    out = {"video": str(video), "events": [e.to_json() for e in result.events],
           "frames_classified": result.frames_classified,
           "video_seconds": round(result.video_seconds, 2),
           "declared_video_seconds": round(result.declared_seconds, 2),
           "wall_seconds": round(result.wall_seconds, 2),
           "realtime_factor": round(result.realtime_factor, 2),
           "distances": "sidecar" if sidecar else "counter" if track else "none"}
    if result.truncated:
        out["warning"] = result.warning()
    if checked:
        out["score"] = score_events(result.events, checked.defects)
    return out


def _scan_folder(folder: Path, out_dir: Path, scan_one) -> tuple[list[dict], int]:
    """One `<video>.scan.json` per video in `folder`; a bad video is reported, not fatal."""
    from ml.runtime.video import VIDEO_SUFFIXES, VideoError

    videos = sorted(p for p in folder.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
    if not videos:
        raise ValueError(f"{folder}: no video files ({' '.join(VIDEO_SUFFIXES)})")
    out_dir.mkdir(parents=True, exist_ok=True)
    summary, failed = [], 0
    for video in videos:
        try:
            result = scan_one(video)
        except VideoError as exc:
            summary.append({"video": str(video), "error": str(exc)})
            failed += 1
            continue
        written = out_dir / f"{video.stem}.scan.json"
        written.write_text(json.dumps(result, indent=1), encoding="utf-8")
        summary.append({"video": str(video), "result": str(written),
                        "events": len(result["events"]),
                        "realtime_factor": result["realtime_factor"]})
    return summary, failed


def cmd_scan(args) -> int:
    from ml.runtime.classifier import CrackClassifier
    from ml.runtime.scan import ScanSettings

    settings = ScanSettings(stride_s=args.stride, threshold=args.threshold, smooth=args.smooth,
                            min_samples=args.min_samples)
    classifier = CrackClassifier(Path(args.model))
    video = Path(args.video)
    if video.is_dir():
        summary, failed = _scan_folder(
            video, Path(args.out) if args.out else video,
            lambda v: _scan_one(v, None, classifier, settings, args.counter))
        print(json.dumps(summary, indent=None if args.json else 1))
        return 1 if failed else 0
    sidecar = Path(args.sidecar) if args.sidecar else None
    out = _scan_one(video, sidecar, classifier, settings, args.counter)
    print(json.dumps(out, indent=None if args.json else 1))
    return 0


def cmd_counter(args) -> int:
    from ml.ocr.engines import make_engine
    from ml.ocr.files import read_counter_files

    results = read_counter_files([Path(f) for f in args.files], make_engine(args.engine),
                                 args.every, args.unit)
    print(json.dumps(results, indent=None if args.json else 1))
    return 0


def cmd_classify(args) -> int:
    from ml.runtime.classifier import CrackClassifier
    from ml.runtime.classify import classify_files, policy_for

    classifier = CrackClassifier(Path(args.model or default_model_path()), threads=args.threads)
    policy = policy_for(classifier, args.threshold)
    failed = 0
    records = []
    for record in classify_files([Path(p) for p in args.paths], classifier, policy):
        failed += "error" in record
        if args.json:
            records.append(record)
        else:
            verdict = record.get("suggestion") or record.get("outcome") or record["error"]
            print(f"{record['file']}: {verdict} ({record.get('reason', '')})")
    if args.json:
        print(json.dumps(records, indent=1))
    return 1 if failed else 0


def default_model_path() -> Path:
    """The model the app ships with, as the app runs it (the runtime has no settings of its own)."""
    from ml.runtime.model_files import runtime_model

    return runtime_model(Path(__file__).resolve().parent.parent / "resources" / "models"
                         / "cmi_student.onnx")


def cmd_bench(args) -> int:
    from ml.bench import run_bench

    result = run_bench(Path(args.models), Path(args.video) if args.video else None,
                       args.repeats, args.threads, args.front_size)
    print(json.dumps(result, indent=None if args.json else 1))
    return 0


def build_parser() -> argparse.ArgumentParser:
    from ml.runtime.scan import ScanSettings
    from ml.training.config import add_arguments  # torch-free module

    parser = argparse.ArgumentParser(prog="sewer-ml", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    synth = sub.add_parser("synth", help="synthetic CCTV data").add_subparsers(
        dest="what", required=True)
    p = synth.add_parser("stills", help="an ImageFolder tree of labelled stills")
    p.add_argument("out")
    p.add_argument("--per-class", type=int, default=200)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-crack-share", type=float, default=0.5,
                   help="share of no-crack look-alike frames (real footage is mostly crack-free)")
    p.add_argument("--balanced", action="store_true", help="as many ND frames as each subtype")
    p.add_argument("--shard", help="K/N: write every N-th image starting at K (parallel runs)")
    p.add_argument("--only", help="comma-separated class codes to write (e.g. ND: more "
                   "look-alikes for a trained model)")
    p.add_argument("--matched-no-crack", action="store_true",
                   help="no-crack stills drawn as crack scenes without their crack")
    p.add_argument("--crack-twins", action="store_true",
                   help="with --matched-no-crack: also write each crack scene (a twin)")
    p.set_defaults(func=cmd_synth_stills)
    p = synth.add_parser("video", help="a drive through a pipe with a JSON sidecar")
    p.add_argument("out")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--length", type=float, default=12.0, help="pipe length in metres")
    p.add_argument("--defects", type=int, default=8)
    p.add_argument("--width", type=int, default=480)
    p.add_argument("--height", type=int, default=360)
    p.add_argument("--fps", type=float, default=15.0)
    p.set_defaults(func=cmd_synth_video)

    for name, mode, text in (("train-teacher", "teacher", "train the ResNet50 teacher"),
                             ("train-student", "student", "train a student with CE only"),
                             ("distill", "distill", "distil the teacher into a student")):
        p = sub.add_parser(name, help=text)
        add_arguments(p)
        p.set_defaults(func=_train(mode))

    p = sub.add_parser("fine-tune", help="fine-tune the shipped student on your frames, "
                       "export it and compare it with the model in use")
    add_arguments(p)
    p.add_argument("--from", dest="start", help="student checkpoint (default: the shipped one)")
    p.add_argument("--scratch", action="store_true", help="train from random weights instead")
    p.add_argument("--active", help="the ONNX model in use, compared on the same test frames")
    p.add_argument("--model-id", default="")
    p.set_defaults(func=cmd_fine_tune)

    p = sub.add_parser("package", help="a run's best.pt as ONNX fp32 + int8, student.pt and "
                       "a model card")
    p.add_argument("run")
    p.add_argument("--model-id", default="")
    p.set_defaults(func=cmd_package)

    p = sub.add_parser("compare", help="ONNX models on the test part of a run's split.csv, "
                       "with paired bootstrap intervals")
    p.add_argument("--split", required=True, help="RUN/split.csv")
    p.add_argument("--model", action="append", required=True, metavar="NAME=MODEL.onnx")
    p.add_argument("--baseline", help="the model in use (default: the first --model)")
    p.add_argument("--pair", action="append", default=[], metavar="NEW:OLD",
                   help="also compare two of the models with each other")
    p.add_argument("--out")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("estimate", help="time a few batches: how long a run will take")
    add_arguments(p)
    p.add_argument("--teacher-too", nargs="?", const="resnet50", default=None, metavar="ARCH",
                   help="also time a teacher of this architecture (default: resnet50)")
    p.add_argument("--batches", type=int, default=3)
    p.set_defaults(func=cmd_estimate)

    p = sub.add_parser("probe", help="torch version and CUDA devices, as JSON")
    p.set_defaults(func=cmd_probe)

    p = sub.add_parser("evaluate", help="accuracy, macro-F1, per-class P/R/F1, confusion")
    p.add_argument("model", help="a .pt checkpoint or an .onnx model")
    p.add_argument("data")
    p.add_argument("--split", default="test", choices=["train", "val", "test", "all"])
    p.add_argument("--seed", type=int, default=0, help="the split seed used in training")
    p.add_argument("--confusion-png")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("export", help="checkpoint to ONNX (+ int8) with metadata")
    p.add_argument("checkpoint")
    p.add_argument("out")
    p.add_argument("--model-id", default="")
    p.add_argument("--int8", action="store_true")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("scan", help="find crack events in a video, or in each video of a folder")
    p.add_argument("video", help="a video, or a folder: one VIDEO.scan.json per video")
    p.add_argument("--out", help="folder for the per-video results (default: the folder)")
    p.add_argument("--counter", action="store_true",
                   help="without a sidecar, take distances from the burnt-in counter (OCR)")
    p.add_argument("--model", required=True)
    p.add_argument("--sidecar")
    p.add_argument("--stride", type=float, default=0.4)
    p.add_argument("--threshold", type=float, default=ScanSettings.threshold)
    p.add_argument("--smooth", type=int, default=ScanSettings.smooth)
    p.add_argument("--min-samples", type=int, default=ScanSettings.min_samples)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_scan)

    p = sub.add_parser("counter", help="read the distance counter burnt into pictures or videos")
    p.add_argument("files", nargs="+", metavar="FILE_OR_VIDEO")
    p.add_argument("--engine", default="rapidocr", choices=["rapidocr", "tesseract"])
    p.add_argument("--every", type=float, default=2.0, help="seconds between video samples")
    p.add_argument("--unit", choices=["m", "ft"], help="unit of counters that show none")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_counter)

    p = sub.add_parser("classify", help="what the app would suggest for each picture")
    p.add_argument("paths", nargs="+", help="image files or folders of images")
    p.add_argument("--model", help="ONNX model (default: the shipped one)")
    p.add_argument("--threshold", type=float, help="override the model's crack threshold")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--json", action="store_true", help="one JSON object per image")
    p.set_defaults(func=cmd_classify)
    p = sub.add_parser("bench", help="ONNX Runtime latency and scan speed")
    p.add_argument("--models", default=str(Path(__file__).resolve().parent.parent /
                                           "resources" / "models"))
    p.add_argument("--video")
    p.add_argument("--repeats", type=int, default=30)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--front-size", type=int, default=112,
                   help="also time every architecture at this size, 1 thread (0: skip; needs torch)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (DatasetError, ValueError, OSError) as exc:
        print(f"sewer-ml: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - model and video errors carry their own message
        from ml.ocr.engines import OcrUnavailable
        from ml.runtime.classifier import ModelError
        from ml.runtime.video import VideoError

        if isinstance(exc, ModelError | VideoError | OcrUnavailable):
            print(f"sewer-ml: error: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
