"""Training throughput on CPU: fp32 against bf16 autocast, with and without channels_last.

    python benchmarks/train_throughput.py --archs resnet50,cmi --size 112 --steps 6

One optimiser step (forward, backward, AdamW) per timed unit, as in `ml.training.engine`. The
variants are timed round-robin, step by step, so that other load on a shared machine hits each
alike; the figure is the median step time turned into images per second.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F  # noqa: N812

from ml.training.models import build_model

VARIANTS = {  # name: (bf16 autocast, channels_last)
    "fp32": (False, False),
    "fp32_channels_last": (False, True),
    "bf16": (True, False),
    "bf16_channels_last": (True, True),
}


def throughput(arch: str, size: int, batch: int, steps: int) -> dict[str, float]:
    memory = {True: torch.channels_last, False: torch.contiguous_format}
    setups = {}
    for name, (bf16, channels_last) in VARIANTS.items():
        torch.manual_seed(0)
        model = build_model(arch, 6).to(memory_format=memory[channels_last]).train()
        images = torch.randn(batch, 3, size, size).to(memory_format=memory[channels_last])
        setups[name] = (model, torch.optim.AdamW(model.parameters(), 1e-3), images, bf16)
    labels = torch.randint(0, 6, (batch,))
    times: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for step in range(steps + 1):  # the first round warms up oneDNN and is dropped
        for name, (model, optimizer, images, bf16) in setups.items():
            start = time.perf_counter()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                loss = F.cross_entropy(model(images).float(), labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if step:
                times[name].append(time.perf_counter() - start)
    return {name: round(batch / statistics.median(values), 1) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--archs", default="resnet50,cmi")
    parser.add_argument("--size", type=int, default=112)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    result = {"size": args.size, "batch": args.batch, "threads": torch.get_num_threads(),
              "images_per_s": {arch: throughput(arch, args.size, args.batch, args.steps)
                               for arch in args.archs.split(",")}}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
