"""Evaluate a checkpoint or an ONNX model on a dataset split (the split used in training)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ml.classes import CLASS_NAMES
from ml.datasets import DatasetIndex, index_dataset, merge, read_image, stratified_split
from ml.metrics import confusion_png as write_confusion_png
from ml.metrics import summarise


def _samples(data: Path, split: str, seed: int, val: float = 0.15, test: float = 0.15):
    index: DatasetIndex = merge([index_dataset(Path(p)) for p in str(data).split(",") if p])
    if split == "all":
        return index.samples
    return stratified_split(index, seed, val, test)[split]


def evaluate_model(model: Path, data: Path, split: str = "test", seed: int = 0,
                   confusion_png: str | None = None) -> dict:
    samples = _samples(data, split, seed)
    truth = np.array([CLASS_NAMES.index(s.label.value) for s in samples])
    if model.suffix == ".onnx":
        from ml.runtime.classifier import CrackClassifier

        clf = CrackClassifier(model)
        names = [c.value for c in clf.classes]
        preds = []
        for start in range(0, len(samples), 32):
            frames = [read_image(s.path) for s in samples[start:start + 32]]
            probs = clf.probabilities(frames)
            preds.extend(CLASS_NAMES.index(names[i]) for i in probs.argmax(1))
        predicted = np.array(preds)
    else:
        import torch

        from ml.training.data import Split, load_images
        from ml.training.engine import predict_logits
        from ml.training.run import load_checkpoint_model

        net, ckpt = load_checkpoint_model(model)
        images, labels = load_images(samples, int(ckpt["config"]["image_size"]))
        predicted = predict_logits(net, Split(images, labels), torch.device("cpu")).argmax(1).numpy()
    result = summarise(truth, predicted, list(CLASS_NAMES)) | {"model": str(model),
                                                               "split": split}
    if confusion_png:
        write_confusion_png(result["confusion"], list(CLASS_NAMES), confusion_png,
                            f"{model.name} on {split} ({len(samples)} images)")
    return result


def calibration_images(checkpoint: Path, count: int = 64) -> np.ndarray:
    """Normalised training images for int8 calibration, as the checkpoint's run saw them."""
    import torch

    from ml.training.data import load_images, normalise

    ckpt = torch.load(checkpoint, map_location="cpu", weights_only=True)
    cfg = ckpt["config"]
    samples = _samples(Path(cfg["data"]), "train", cfg["split_seed"], cfg["val_fraction"],
                       cfg["test_fraction"])
    rng = np.random.default_rng(0)
    chosen = [samples[i] for i in rng.permutation(len(samples))[:count]]
    images, _labels = load_images(chosen, int(cfg["image_size"]))
    return normalise(images).numpy()
