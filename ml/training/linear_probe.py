"""A linear probe: EfficientNet-Lite0's ImageNet features, frozen, with a head fitted on them.

The first half of LP-FT (Kumar et al., 2022, "Fine-Tuning can Distort Pretrained Features and
Underperform Out-of-Distribution"): fine-tuning a pretrained network with a random head lets
the head's early, large gradients rewrite the features; fitting the head first on frozen
features, then fine-tuning everything from there, changes the features less, and was better
out of distribution in their tests. Out of distribution is our case: we train on renders and
run on real footage. The probe is written as a student checkpoint, so that a refresh
(`python -m ml.recipes.real_model --stage refresh --start PROBE.pt`) fine-tunes from it and
`python -m ml.training.weight_average RUN --start PROBE.pt` averages the two ends.

    python -m ml.training.linear_probe DATA OUT.pt [--train-extra DIR] [--image-size 112]

The training part is the split a training run on DATA makes (by frame, seed 0, 15 % validation
and 15 % test), plus `--train-extra`; the head's weight decay is chosen on the validation part.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
import torch.nn.functional as F  # noqa: N812

from ml.classes import CLASS_NAMES
from ml.datasets import index_dataset, merge, split_index
from ml.training.data import Split, load_images
from ml.training.efficientnet_lite import EfficientNetLite0
from ml.training.finetune import save_student
from ml.training.frozen_front import front_features

ARCH = "efficientnet_lite0"
DECAYS = (1e-4, 1e-3, 1e-2)


def fit_head(features: torch.Tensor, labels: torch.Tensor, decay: float,
             epochs: int = 300, seed: int = 0) -> torch.nn.Linear:
    """A softmax head on fixed features: full-batch Adam with L2 on the weights."""
    torch.manual_seed(seed)
    head = torch.nn.Linear(features.shape[1], len(CLASS_NAMES))
    optimiser = torch.optim.Adam(head.parameters(), lr=1e-2)
    for _ in range(epochs):
        optimiser.zero_grad()
        loss = F.cross_entropy(head(features), labels) + decay * head.weight.pow(2).sum()
        loss.backward()
        optimiser.step()
    return head


def linear_probe(data: Path, out: Path, train_extra: Path | None = None,
                 image_size: int = 112) -> dict:
    started = time.perf_counter()
    parts = split_index(merge([index_dataset(Path(data))]), "frame", 0, 0.15, 0.15)
    train = parts["train"] + (index_dataset(train_extra).samples if train_extra else [])
    model = EfficientNetLite0(len(CLASS_NAMES), pretrained=True)
    train_split = Split(*load_images(train, image_size))
    val_split = Split(*load_images(parts["val"], image_size))
    head_slot, model._fc = model._fc, torch.nn.Identity()  # forward: the pooled features
    cpu = torch.device("cpu")
    # Each training image and its mirror (flip variant 1; every crack subtype is
    # mirror-symmetric as a class); eval mode: ImageNet BatchNorm statistics.
    features = front_features(model, train_split, cpu, variants=2).float().flatten(0, 1)
    labels = torch.cat([train_split.labels, train_split.labels])
    val_features = front_features(model, val_split, cpu, variants=1)[0].float()
    val_labels = val_split.labels
    model._fc = head_slot
    scores = {}
    for decay in DECAYS:
        head = fit_head(features, labels, decay)
        with torch.no_grad():
            predicted = head(val_features).argmax(1)
        scores[decay] = float((predicted == val_labels).float().mean())
    best = max(DECAYS, key=lambda d: scores[d])
    head = fit_head(features, labels, best)
    with torch.no_grad():
        model._fc.weight.copy_(head.weight)
        model._fc.bias.copy_(head.bias)
    model_id = f"{ARCH}-linear-probe-{time.strftime('%Y%m%d-%H%M%S')}"
    save_student(model, Path(out), ARCH, image_size, model_id)
    return {"checkpoint": str(out), "model_id": model_id, "train": len(train),
            "val": len(parts["val"]), "val_accuracy_by_decay": scores, "decay": best,
            "seconds": round(time.perf_counter() - started, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--train-extra", type=Path)
    parser.add_argument("--image-size", type=int, default=112)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    print(json.dumps(linear_probe(args.data, args.out, args.train_extra, args.image_size),
                     indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
