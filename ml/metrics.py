"""Classification metrics on numpy arrays, shared by training, evaluation and the wizard."""

from __future__ import annotations

import cv2
import numpy as np


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    matrix = np.zeros((n_classes, n_classes), np.int64)
    np.add.at(matrix, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return matrix


def summarise(y_true: np.ndarray, y_pred: np.ndarray, class_names: list[str]) -> dict:
    """Accuracy, macro-F1 over classes present in the truth, per-class P/R/F1, confusion."""
    n = len(class_names)
    cm = confusion_matrix(y_true, y_pred, n)
    tp = np.diag(cm).astype(float)
    predicted = cm.sum(axis=0).astype(float)
    actual = cm.sum(axis=1).astype(float)
    precision = np.divide(tp, predicted, out=np.zeros(n), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros(n), where=actual > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(n),
                   where=(precision + recall) > 0)
    present = actual > 0
    return {
        "accuracy": float(tp.sum() / max(cm.sum(), 1)),
        "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
        "per_class": {name: {"precision": float(precision[i]), "recall": float(recall[i]),
                             "f1": float(f1[i]), "support": int(actual[i])}
                      for i, name in enumerate(class_names)},
        "confusion": cm.tolist(),
        "n": int(cm.sum()),
    }


def confusion_png(cm: list[list[int]], class_names: list[str], path: str, title: str = "") -> None:
    """A confusion matrix picture (rows: truth, columns: prediction) without matplotlib."""
    cm_arr = np.asarray(cm, float)
    n = len(class_names)
    cell, margin = 56, 70
    size = margin + n * cell + 10
    image = np.full((size + 24, size, 3), 255, np.uint8)
    norm = cm_arr / np.maximum(cm_arr.sum(axis=1, keepdims=True), 1)
    for i in range(n):
        for j in range(n):
            shade = int(255 - 200 * norm[i, j])
            x0, y0 = margin + j * cell, margin + 24 + i * cell
            cv2.rectangle(image, (x0, y0), (x0 + cell - 2, y0 + cell - 2), (255, shade, shade), -1)
            colour = (255, 255, 255) if norm[i, j] > 0.55 else (20, 20, 20)
            cv2.putText(image, str(int(cm_arr[i, j])), (x0 + 10, y0 + 34),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.55, colour, 1, cv2.LINE_AA)
        cv2.putText(image, class_names[i], (8, margin + 24 + i * cell + 34),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
        cv2.putText(image, class_names[i], (margin + i * cell + 12, margin + 12),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
    cv2.putText(image, title or "truth (rows) vs predicted (columns)", (8, 20),
                cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    cv2.imwrite(path, image)
