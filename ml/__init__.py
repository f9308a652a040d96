"""Crack classification: synthetic data, teacher/student training, distillation, ONNX runtime."""
