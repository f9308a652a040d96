"""Inference without torch: ONNX Runtime classifier, video decoding, scanning (numpy, OpenCV)."""
