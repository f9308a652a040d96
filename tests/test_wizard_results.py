"""The results page: the runs of one wizard session side by side, from their comparison."""

from __future__ import annotations

import json

import numpy as np

from sewer_gui.ui.training.results_page import COLUMNS
from sewer_gui.ui.wizard import PageId, TrainingWizard


def _figures(acc: float, f1: float) -> dict:
    # Shaped like unique_model_id's ids: long, and without spaces to wrap at.
    return {"model_id": f"efficientnet_lite0-finetune-20261201-101500-{int(acc * 100):012x}",
            "accuracy": acc, "macro_f1": f1, "chance_level": False,
            "confusion": np.diag([10] * 6).tolist()}


def _four_models(work) -> None:
    for folder in ("student", "distilled"):
        (work / folder).mkdir(parents=True)
        (work / folder / "model.onnx").write_text("x")
    diff = {"value": 0.02, "low": -0.01, "high": 0.05, "verdict": "same"}
    models = {"Model in use": _figures(0.61, 0.55), "New student": _figures(0.7, 0.66),
              "Distilled": _figures(0.74, 0.71), "Teacher": _figures(0.8, 0.78)}
    (work / "comparison.json").write_text(json.dumps({
        "frames": 60, "groups": 12, "baseline": "Model in use", "models": models,
        "differences": {n: {"macro_f1": diff, "accuracy": diff} for n in list(models)[1:]},
        "pairs": {"Distilled:New student": {"value": 0.05, "low": 0.02, "high": 0.08}},
        "verdict": "v", "offer": []}))


def _distill_results(qtbot, tmp_path) -> TrainingWizard:
    """A wizard whose distillation session left four compared models."""
    work = tmp_path / "work"
    _four_models(work)
    wizard = TrainingWizard(work_dir=work)
    qtbot.addWidget(wizard)
    wizard.settings.method = "distill"
    return wizard


def test_results_page_shows_the_runs_side_by_side(qtbot, tmp_path):
    wizard = _distill_results(qtbot, tmp_path)
    wizard.settings.kd_method, wizard.settings.temperature = "dist", 1.0
    page = wizard.results_page
    page.initializePage()
    table = page.table
    rows = {table.item(r, 0).text(): [table.item(r, c).text() for c in range(len(COLUMNS))]
            for r in range(table.rowCount())}
    assert list(rows) == ["Model in use", "New student", "Distilled", "Teacher"]
    col = {name: COLUMNS.index(name) for name in ("Trained", "Accuracy", "Macro-F1")}
    assert rows["New student"][col["Trained"]] == "student trained alone (no teacher)"
    assert "DIST T=1" in rows["Distilled"][col["Trained"]]
    assert "EfficientNet-Lite0" in rows["Teacher"][col["Trained"]]
    assert [rows["Teacher"][col["Accuracy"]], rows["Teacher"][col["Macro-F1"]]] == [
        "80.0%", "78.0%"]
    assert rows["Distilled"][col["Macro-F1"]] == "71.0%"
    assert "Distillation paid off" in page.verdict.text()
    assert [page.model.itemText(i) for i in range(page.model.count())] == [
        "New student", "Distilled"]  # the teacher is compared, never offered for live use


def test_whole_comparison_table_shows_at_the_wizards_size(qtbot, tmp_path):
    wizard = _distill_results(qtbot, tmp_path)
    wizard.setStartId(PageId.RESULTS)
    wizard.show()  # at its default size
    qtbot.waitExposed(wizard)
    page = wizard.results_page
    assert page.model.currentText() == "Distilled"  # what a distillation run is for
    table = page.table
    viewport = table.viewport().rect()
    assert table.rowCount() == 4
    for row in range(table.rowCount()):
        for column in range(COLUMNS.index("Verdict") + 1):
            cell = table.visualRect(table.model().index(row, column))
            assert viewport.contains(cell), (row, COLUMNS[column], cell, viewport)
    page.show_confusion.setChecked(True)  # the confusion matrix on request, below the table
    qtbot.waitUntil(page.confusion.isVisible)
    viewport = table.viewport().rect()
    last = table.visualRect(table.model().index(3, COLUMNS.index("Verdict")))
    assert viewport.contains(last)
    assert wizard.height() <= 820


def test_every_column_shows_without_scrolling_sideways(qtbot, tmp_path):
    wizard = _distill_results(qtbot, tmp_path)
    wizard.setStartId(PageId.RESULTS)
    wizard.show()
    qtbot.waitExposed(wizard)
    table = wizard.results_page.table
    assert table.horizontalScrollBar().maximum() == 0
    viewport = table.viewport().rect()
    teacher = [table.item(r, 0).text() for r in range(table.rowCount())].index("Teacher")
    for column in range(len(COLUMNS)):  # the long "Trained" text wraps instead of widening
        cell = table.visualRect(table.model().index(teacher, column))
        assert viewport.contains(cell), (COLUMNS[column], cell, viewport)
    assert table.item(teacher, COLUMNS.index("Model id")).text() == _figures(0.8, 0)["model_id"]
    # The id wraps at every hyphen instead of ending in "...": its digits too ("20261201-101500-"
    # stays one unbreakable run without help), so the short first row takes three lines.
    assert table.rowHeight(0) >= 3 * table.fontMetrics().lineSpacing()
    assert wizard.height() <= 820
