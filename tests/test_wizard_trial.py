"""What a keys-only trial of the training wizard found: the keys, the check page's reasons."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QPushButton

from sewer_gui.ui.wizard import PageId, TrainingWizard


def _wizard(qtbot, tmp_path) -> TrainingWizard:
    wizard = TrainingWizard(work_dir=tmp_path / "work")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def _checked(qtbot, wizard: TrainingWizard, *sources: str):
    for source in sources:
        wizard.data_page.add_source(source)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.check_page.checked, timeout=60_000)
    return wizard.check_page


def test_enter_after_adding_a_folder_goes_next_and_delete_removes_an_entry(
        qtbot, tmp_path, team_data, monkeypatch):
    asked = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *a, **k: asked.append(1) or str(team_data)))
    wizard = _wizard(qtbot, tmp_path)
    page = wizard.data_page
    add = next(b for b in page.findChildren(QPushButton) if b.text() == "Add &folder...")
    add.click()
    assert asked == [1] and page.sources.count() == 1
    page.sources.clearSelection()  # a retest: Delete did nothing until Space selected it
    page.sources.setFocus()
    qtbot.keyClick(page.sources, Qt.Key.Key_Delete)  # the entry with the cursor goes
    assert page.sources.count() == 0
    add.click()
    add.setFocus()
    qtbot.keyClick(add, Qt.Key.Key_Return)  # Next, not the folder picker again
    assert asked == [1, 1] and wizard.currentId() == PageId.CHECK
    wizard.check_page.stop()


def test_next_stays_off_with_a_reason(qtbot, tmp_path, team_data):
    one = tmp_path / "one"
    shutil.copytree(team_data / "CL", one / "CL")
    wizard = _wizard(qtbot, tmp_path)
    check = _checked(qtbot, wizard, str(one))
    assert not check.isComplete()
    assert "Every usable frame is CL" in check.summary.text()
    wizard.back()
    wizard.data_page.synthetic.setValue(20)  # synthetic stills bring the other classes
    wizard.next()
    qtbot.waitUntil(lambda: check.checked, timeout=60_000)
    assert check.isComplete() and "Every usable frame" not in check.summary.text()

    few = tmp_path / "few"
    for name in ("CL", "ND"):
        (few / name).mkdir(parents=True)
        shutil.copy(sorted((team_data / name).glob("*.png"))[0], few / name / "a_1.png")
    wizard.back()
    wizard.data_page.sources.clear()
    check = _checked(qtbot, wizard, str(few))
    assert not check.isComplete()
    assert "At least 6 usable frames are needed to train; there are 2." in check.summary.text()


def test_a_rejected_source_is_said_first_and_a_leave_out_choice_is_asked_again(
        qtbot, tmp_path, team_data):
    bad = tmp_path / "bad.csv"
    bad.write_text("path,code\na.png\n")
    wizard = _wizard(qtbot, tmp_path)
    check = _checked(qtbot, wizard, str(bad))
    assert check.summary.text().startswith("Nothing to train on:\n")
    assert "line 2: no code" in check.summary.text() and "optimistic" not in \
        check.summary.text()
    data = tmp_path / "data"
    shutil.copytree(team_data, data)
    (data / "CL" / "CL_900_00000.png").write_bytes(b"not a png")
    wizard.back()
    wizard.data_page.sources.clear()
    check = _checked(qtbot, wizard, str(data))
    check.leave_out_bad.setChecked(True)
    assert check.isComplete()
    wizard.back()
    wizard.next()  # the same files: the choice stands
    qtbot.waitUntil(lambda: check.checked, timeout=60_000)
    assert check.leave_out_bad.isChecked() and check.isComplete()
    wizard.back()
    (data / "CC" / "CC_900_00000.png").write_bytes(b"nor this")
    wizard.next()  # other files: the choice is asked again
    qtbot.waitUntil(lambda: check.checked, timeout=60_000)
    assert not check.leave_out_bad.isChecked() and not check.isComplete()


def test_the_wizard_takes_the_keys_back_after_its_own_dialogs(qtbot, tmp_path, monkeypatch):
    """Without a window manager nothing had the keys after a file picker of the wizard."""
    wizard = TrainingWizard(work_dir=tmp_path / "work")
    qtbot.addWidget(wizard)
    wizard.open()  # window-modal, as the app opens it
    qtbot.waitExposed(wizard)
    taken = []
    real_take_back = wizard.focus_return.take_back
    monkeypatch.setattr(wizard.focus_return, "take_back", lambda: taken.append(1))
    dialog = QDialog(wizard.data_page)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is not None, timeout=2000)
    dialog.reject()
    qtbot.waitUntil(lambda: taken == [1], timeout=2000)
    # The wizard is itself the modal widget: that must not keep it from taking the keys.
    activated = []
    monkeypatch.setattr(wizard, "activateWindow", lambda: activated.append(1))
    monkeypatch.setattr(QGuiApplication, "focusWindow", staticmethod(lambda: None))
    assert QApplication.activeModalWidget() is wizard
    real_take_back()
    assert activated == [1]
    wizard.reject()


def test_project_frames_go_into_the_run_folder_once(qtbot, tmp_path, team_data):
    """A trial: they went to a temporary folder that outlived the app (and a resumed run
    would read them from there)."""
    asked = []

    def export(folder):
        asked.append(folder)
        shutil.copytree(team_data, folder, dirs_exist_ok=True)
        return folder, {"CL": 8}

    wizard = TrainingWizard(work_dir=tmp_path / "work", project_frames=export)
    qtbot.addWidget(wizard)
    page = wizard.data_page
    button = next(b for b in page.findChildren(QPushButton) if "project" in b.text())
    button.click()
    button.click()  # again: exported afresh, listed once
    assert asked == [tmp_path / "work" / "project_frames"] * 2
    assert [page.sources.item(i).text() for i in range(page.sources.count())] == \
        [str(tmp_path / "work" / "project_frames")]


def test_the_progress_bar_weighs_each_step_by_its_time(qtbot, tmp_path):
    """A trial: the bar stopped at half way through the whole training step, then jumped."""
    from sewer_gui.training_recipe import plan_steps

    wizard = TrainingWizard(work_dir=tmp_path / "work")
    qtbot.addWidget(wizard)
    run = wizard.run_page
    wizard.settings.method = "distill"  # teacher, student, distilled student, exports
    run.steps = plan_steps(wizard.settings)
    run.estimate = {"seconds_per_step": {"cmi": 2.0}, "steps_per_epoch": 20,
                    "train_images": 600, "load_seconds": 5.0}
    run._weigh_steps()
    shown = []
    for k, step in enumerate(run.steps):
        if not step.epochs:
            continue
        run.current = k
        for epoch in (1, step.epochs):
            run.on_event({"event": "batch", "epoch": epoch, "step": 20, "steps": 20,
                          "eta_s": 0.0})
            shown.append(run.progress.value())
        Path(step.done_when).parent.mkdir(parents=True, exist_ok=True)
        Path(step.done_when).write_text("{}")  # finished: must not lose its share
    assert shown == sorted(shown) and 85 <= shown[-1] < 100, shown
    assert shown[1] > 100 / len(run.steps)  # the teacher's share is its time, not one step's


def test_a_rejected_source_beside_good_ones_keeps_next_off(qtbot, tmp_path, team_data):
    """A review: with a good folder beside it, a rejected manifest was silently left out."""
    bad = tmp_path / "bad.csv"
    bad.write_text("path,code\na.png,ZZ\n")
    wizard = _wizard(qtbot, tmp_path)
    check = _checked(qtbot, wizard, str(team_data), str(bad))
    assert not check.isComplete()
    assert "unknown class or code 'ZZ'" in check.summary.text()
    assert "Remove or fix the rejected source(s)" in check.summary.text()


def test_options_stored_for_a_run_do_not_change_behind_it(qtbot, tmp_path, team_data):
    """A review: a timing still running when Next started training could switch the stored
    device (CUDA found) under the run; Back, Next then moved the unchanged run away."""
    wizard = _wizard(qtbot, tmp_path)
    _checked(qtbot, wizard, str(team_data))
    wizard.next()  # -> recipe
    recipe = wizard.recipe_page
    qtbot.waitUntil(lambda: recipe.last_estimate is not None, timeout=120_000)
    assert recipe.validatePage()  # Next: training starts with these options
    assert not recipe.estimator.running()
    epochs = wizard.settings.student_epochs
    recipe.epochs.setValue(epochs + 5)  # nothing may store it behind the run
    assert wizard.settings.student_epochs == epochs
    recipe.shown_again()  # Back on the page: editing works again
    recipe.epochs.setValue(epochs + 6)
    assert recipe.validatePage() and wizard.settings.student_epochs == epochs + 6
    recipe.cleanupPage()
