"""The wizard's distillation choices (teacher, KD method, bf16, measured defaults), no training."""

from __future__ import annotations

import json

from sewer_gui.distill_choices import KD_DEFAULTS, KdRecipe, cpu_has_bf16, kd_args, measured_kd
from sewer_gui.training_recipe import WizardSettings, plan_steps
from sewer_gui.ui.training.recipe_page import RecipePage
from sewer_gui.ui.wizard import TrainingWizard


def _study(path, gains: dict[str, float]) -> None:
    """A docs/results.json as ml/recipes/distill_study.py writes it (the parts read here)."""
    kd = {"cmi_kd_T4_a0.9": {"method": "kd", "T": 4.0, "alpha": 0.9},
          "cmi_dist": {"method": "dist", "T": 1.0, "alpha": 0.5}}
    students = [{"name": "cmi_ce", "kd": None, "seed": 0}] + [
        {"name": name, "kd": kd[name], "seed": seed} for name in gains for seed in (0, 1)]
    path.write_text(json.dumps({"students": students, "distillation": {
        name: {"macro_f1_gain_points": g, "accuracy_gain_points": 0.0}
        for name, g in gains.items()}}))


def test_kd_defaults_are_the_best_measured_setting(tmp_path):
    results = tmp_path / "results.json"
    _study(results, {"cmi_kd_T4_a0.9": -1.5, "cmi_dist": 2.25})
    best = measured_kd(results)
    assert (best.method, best.temperature, best.alpha) == ("dist", 1.0, 0.5)
    assert "cmi_dist" in best.source and "+2.25" in best.source
    _study(results, {"cmi_kd_T4_a0.9": -0.5, "cmi_dist": -3.0})  # the least bad still leads
    assert measured_kd(results).text() == "Hinton KD T=4, alpha=0.9"
    assert measured_kd(tmp_path / "absent.json") == KD_DEFAULTS
    data = json.loads(results.read_text())  # a one-seed sweep gain does not lead, however large
    data["distillation"]["cmi_kd_T4_a0.9"] = {"macro_f1_gain_points": 9.0, "seeds": [0]}
    results.write_text(json.dumps(data))
    assert measured_kd(results).method == "dist"  # the multi-seed setting left leads
    data["distillation"]["broken"] = "not a gain"
    results.write_text(json.dumps(data))
    assert measured_kd(results).method == "dist"
    results.write_text(json.dumps({"real_footage": {}}))  # no study yet
    assert measured_kd(results) == KD_DEFAULTS
    results.write_text(json.dumps({"students": [], "distillation": {
        "unknown": {"macro_f1_gain_points": 9}}}))  # no student row says its kd
    assert measured_kd(results) == KD_DEFAULTS


def test_bf16_is_offered_only_where_the_cpu_has_it(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu sse avx512f avx512_bf16 avx512_vnni\n")
    assert cpu_has_bf16(info)
    info.write_text("processor\t: 0\nflags\t\t: fpu sse avx2 avx512f\n")
    assert not cpu_has_bf16(info)
    assert not cpu_has_bf16(tmp_path / "absent")


def _kd(args: list[str]) -> list[str]:
    return args[args.index("--kd-method"):args.index("--out")]


def test_distill_plan_carries_every_choice():
    base = dict(sources=["/d"], work_dir="/w", method="distill")
    plan = {s.name: s for s in plan_steps(WizardSettings(**base))}
    teacher = plan["teacher"].args
    assert teacher[teacher.index("--arch") + 1] == "efficientnet_lite0"  # the default
    assert "--bf16-cpu" not in teacher
    assert _kd(plan["distill"].args) == ["--kd-method", "kd", "--temperature", "2.0",
                                         "--alpha", "0.5"]
    assert plan["teacher_export"].args == ["export", "/w/teacher/best.pt",
                                           "/w/teacher_onnx/model.onnx"]
    assert "Teacher=/w/teacher_onnx/model.onnx" in plan["compare"].args

    fast = plan_steps(WizardSettings(**base, teacher_arch="resnet50", kd_method="dist",
                                     temperature=1.5, bf16_cpu=True))
    for step in fast:
        assert ("--bf16-cpu" in step.args) == bool(step.epochs), step.name
    assert "ResNet50" in fast[0].title and "resnet50" in fast[0].args
    assert _kd(fast[2].args) == ["--kd-method", "dist", "--dist-temperature", "1.5"]
    on_cuda = plan_steps(WizardSettings(**base, bf16_cpu=True, device="cuda"))
    assert not any("--bf16-cpu" in s.args for s in on_cuda)  # CUDA has autocast already

    reuse = {s.name: s for s in plan_steps(WizardSettings(**base, teacher_checkpoint="/t.pt"))}
    assert "teacher" not in reuse and reuse["teacher_export"].args[1] == "/t.pt"
    assert kd_args("dkd", 4.0, 0.5) == ["--kd-method", "dkd", "--temperature", "4.0"]


def _row_visible(page: RecipePage, widget) -> bool:
    return page.form.isRowVisible(page._row_of(widget))


def test_recipe_page_offers_teacher_method_and_bf16(qtbot, tmp_path):
    measured = KdRecipe("dist", 1.0, 0.5, "cmi_dist: +2.00 macro-F1 points")
    settings = WizardSettings(work_dir=str(tmp_path), kd_method="dist", temperature=1.0)
    page = RecipePage(settings, measured, bf16_capable=True)
    qtbot.addWidget(page)
    assert not _row_visible(page, page.kd_method)  # fine-tuning: no teacher
    page.method.setCurrentIndex(page.method.findData("distill"))
    assert _row_visible(page, page.kd_method) and _row_visible(page, page.teacher_arch)
    assert page.teacher_arch.currentData() == "efficientnet_lite0"
    assert "recommended" in page.teacher_arch.currentText()
    assert page.kd_method.currentData() == "dist" and not page.alpha.isEnabled()
    assert "computed once" in page.kd_info.text() and "cmi_dist" in page.kd_info.text()
    page.kd_method.setCurrentIndex(page.kd_method.findData("kd"))
    assert page.alpha.isEnabled() and page.temperature.value() == 2.0  # the paper's T
    page.kd_method.setCurrentIndex(page.kd_method.findData("dist"))
    assert page.temperature.value() == 1.0  # the measured T of the measured method
    assert page.bf16.isEnabled() and not page.bf16.isChecked()  # off by default
    assert "faster" in page.bf16.toolTip() and "Check the accuracy" in page.bf16.toolTip()
    page.bf16.setChecked(True)
    page.teacher.setText("/t.pt")
    assert not _row_visible(page, page.teacher_arch)  # a reused teacher is not trained
    page.store()
    assert (settings.method, settings.kd_method, settings.bf16_cpu) == ("distill", "dist", True)
    assert settings.teacher_checkpoint == "/t.pt"
    settings.save()
    assert WizardSettings.load(tmp_path) == settings  # resumed runs keep the choices

    plain = RecipePage(WizardSettings(work_dir=str(tmp_path), bf16_cpu=True),
                       bf16_capable=False)
    qtbot.addWidget(plain)
    assert not plain.bf16.isEnabled() and not plain.bf16.isChecked()
    plain.store()
    assert plain.settings.bf16_cpu is False


def test_wizard_takes_its_defaults_from_the_study(qtbot, tmp_path, monkeypatch):
    (tmp_path / "docs").mkdir()
    _study(tmp_path / "docs" / "results.json", {"cmi_kd_T4_a0.9": 1.0, "cmi_dist": 0.5})
    monkeypatch.setenv("SEWER_RESOURCES", str(tmp_path / "resources"))
    wizard = TrainingWizard(work_dir=tmp_path / "w")
    qtbot.addWidget(wizard)
    s = wizard.settings
    assert (s.kd_method, s.temperature, s.alpha) == ("kd", 4.0, 0.9)
    page = wizard.recipe_page
    assert page.kd_method.currentData() == "kd" and page.alpha.value() == 0.9
