"""The project on screen: new, open, save (with sensible folders and names), recent files, the
unsaved-changes question, and the remembered window layout.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from ml.runtime.video import VIDEO_SUFFIXES, VideoError, VideoReader
from sewer_gui.app_settings import config_dir, save_settings
from sewer_gui.pacp.model import Inspection, Units
from sewer_gui.resources import resources_dir
from sewer_gui.storage.project_store import PROJECT_SUFFIX, ProjectFileError, ProjectSaveError
from sewer_gui.ui.widgets.choice_box import Role, ask_choice
from sewer_gui.ui.widgets.sizing import fit_to_screen

PROJECT_FILTER = f"Sewer projects (*{PROJECT_SUFFIX})"
VIDEO_FILTER = f"Videos ({' '.join('*' + s for s in VIDEO_SUFFIXES)})"


def suggested_name(inspection: Inspection) -> str:
    """A file name from the segment and its manholes, e.g. 'SEG-0412_MH-17-MH-18'."""
    h = inspection.header
    parts = [h.pipe_segment_reference.strip()]
    up, down = h.upstream_mh.strip(), h.downstream_mh.strip()
    # One manhole missing: say which one is known ("start-MH-19" read as a manhole "start").
    parts.append(f"{up}-{down}" if up and down else f"from-{up}" if up else
                 f"to-{down}" if down else "")
    name = "_".join(p for p in parts if p) or "inspection"
    return re.sub(r"[^\w.\-]+", "_", name).strip("._") or "inspection"


def window_settings() -> QSettings:
    """Window geometry and dock layout only (the app's settings are YAML, see app_settings)."""
    return QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)


class ProjectController(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.w = window
        self.autosave_timer = QTimer(self, singleShot=True,
                                     interval=window.settings.autosave_seconds * 1000)
        self.autosave_timer.timeout.connect(self.autosave)
        self.recent_menu = QMenu("Open &recent", window)
        self.recent_menu.aboutToShow.connect(self.fill_recent_menu)

    # ----- where files go ----------------------------------------------------------------------
    def default_folder(self) -> Path:
        s = self.w.session
        if s.project_path is not None:
            return s.project_path.parent
        # Where projects went before, rather than beside the video: inspection media often
        # sit on a read-only share or a camera's card.
        recent = [Path(p).parent for p in self.w.settings.recent_files]
        video = s.video_path()
        bundled = resources_dir().resolve()  # the demo video's folder belongs to the install
        beside = [video.parent] if video is not None and \
            not video.resolve().is_relative_to(bundled) else []
        for folder in [*recent, *beside]:
            if folder.is_dir() and os.access(folder, os.W_OK):
                return folder
        return Path.home()

    def default_path(self, suffix: str) -> Path:
        return self.default_folder() / f"{suggested_name(self.w.session.inspection)}{suffix}"

    # ----- new, open, save ---------------------------------------------------------------------
    def new_project(self) -> None:
        w = self.w
        if not w.confirm_discard():
            return
        w.stop_video()
        w.session.new_project(Units(w.settings.units))
        h = w.session.inspection.header
        h.surveyed_by, h.certificate_number = w.settings.surveyor, w.settings.certificate
        w.reset_screen()
        w.bind_inspection()

    def open_project(self, path: Path) -> bool:
        w = self.w
        w.stop_video()
        try:
            w.session.open_project(path)
        except ProjectFileError as exc:
            w.report_error("Open project", str(exc))
            return False
        self.remember_recent(path)
        w.reset_screen()
        w.bind_inspection()
        video = w.session.video_path()
        if video is not None:
            w.open_video(video, keep_inspection=True)
        return True

    def save(self, path: Path | None = None) -> bool:
        w = self.w
        if path is None and w.session.project_path is None:
            return self.save_as()
        try:
            saved = w.session.save(path)
        except (ProjectSaveError, ProjectFileError) as exc:
            w.report_error("Save", str(exc))
            return False
        self.remember_recent(saved)
        w.update_title()
        w.statusBar().showMessage(f"Saved {saved}", 4000)
        return True

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self.w, "Save project",
                                              str(self.default_path(PROJECT_SUFFIX)),
                                              PROJECT_FILTER)
        if not path:
            return False
        if not path.endswith(PROJECT_SUFFIX):
            path += PROJECT_SUFFIX
        return self.save(Path(path))

    def autosave(self) -> None:
        if self.w.session.project_path is not None and self.w.session.dirty:
            self.save()

    def ask_discard(self) -> bool:
        """True when it is fine to drop the current work (saved, unchanged, or the user says so).
        Any unsaved change counts: observations, header, calibration anchors."""
        session = self.w.session
        if not session.dirty:
            return True
        if session.project_path is not None:
            return self.save()
        answer = self.ask_save_first()
        if answer == "save":
            return self.save_as()
        return answer == "discard"

    def ask_save_first(self) -> str:
        """"save", "discard" or "cancel" (Esc); one key each. Tests replace this method."""
        return ask_choice(self.w, QMessageBox.Icon.Question, "Unsaved work",
                          "This work has not been saved to a project file yet. Save it first, "
                          "or discard it?", [("save", "&Save...", Role.AcceptRole),
                                             ("discard", "&Discard", Role.DestructiveRole)],
                          default="save")

    def open_project_dialog(self) -> None:
        if not self.w.confirm_discard():
            return
        path, _ = QFileDialog.getOpenFileName(self.w, "Open project", str(self.default_folder()),
                                              PROJECT_FILTER)
        if path:
            self.open_project(Path(path))

    def open_video_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.w, "Open inspection video",
                                              str(self.default_folder()), VIDEO_FILTER)
        if path:
            self.open_video_file(Path(path))

    def open_video_file(self, path: Path) -> bool:
        """Open `path`; into a new inspection (next segment) when the one on screen already
        holds rows coded on another video, unless the coder says it is this one's video."""
        session = self.w.session
        current = session.video_path()
        rows = len(session.inspection.observations)
        if rows and current is not None and current.resolve() != Path(path).resolve():
            try:  # a file that is no video changes nothing: no new inspection, no question
                VideoReader(Path(path)).close()
            except VideoError as exc:
                self.w.report_error("Open video", str(exc))
                return False
            choice = self.choose_video_target(current.name, rows, Path(path).name)
            if choice == "cancel":
                return False
            if choice == "new":
                self.w.inspections.add_next_segment()
        return self.w.open_video(Path(path))

    def choose_video_target(self, current: str, rows: int, new: str) -> str:
        """"new" (the default), "replace" or "cancel"; tests replace this method."""
        box = QMessageBox(QMessageBox.Icon.Question, "Open video",
                          f"This inspection holds {rows} observation(s) coded on {current}.\n"
                          f"Open {new} as a new inspection (next segment), or as this "
                          "inspection's video (its rows stay, at their distances)?", parent=self.w)
        new_button = box.addButton("New inspection", QMessageBox.ButtonRole.AcceptRole)
        replace = box.addButton("This inspection's video", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(new_button)
        box.exec()
        clicked = box.clickedButton()
        return "new" if clicked is new_button else "replace" if clicked is replace else "cancel"

    # ----- recent files ------------------------------------------------------------------------
    def remember_recent(self, path: Path) -> None:
        self.w.settings = self.w.settings.with_recent(str(path))
        save_settings(self.w.settings)

    def fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in self.w.settings.recent_files:
            action = self.recent_menu.addAction(path)
            action.triggered.connect(
                lambda _c=False, p=path: self.w.confirm_discard() and self.open_project(Path(p)))
        if not self.w.settings.recent_files:
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    # ----- window layout -----------------------------------------------------------------------
    def restore_layout(self) -> None:
        stored = window_settings()
        geometry, state = stored.value("geometry"), stored.value("state")
        if geometry is None or not self.w.restoreGeometry(geometry):
            fit_to_screen(self.w, 1900, 1180)  # near the whole screen: docks need room (a trial)
        if state is not None:
            self.w.restoreState(state)

    def save_layout(self) -> None:
        stored = window_settings()
        stored.setValue("geometry", self.w.saveGeometry())
        stored.setValue("state", self.w.saveState())
        stored.sync()
