"""Input conventions shared by training and the ONNX runtime (no torch here).

The runtime reads these from each model's metadata; the values below are what training writes.
"""

from __future__ import annotations

DEFAULT_IMAGE_SIZE = 128
MEAN = (0.485, 0.456, 0.406)  # RGB, the usual ImageNet statistics
STD = (0.229, 0.224, 0.225)
