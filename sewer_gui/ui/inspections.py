"""The job in the window: the inspection list, switching inspections, next segment, duplicate
and delete with undo. Each inspection brings its own video, calibration and observations."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ml.runtime.scan import DefectEvent
from sewer_gui.job import duplicate, next_segment, segment_row
from sewer_gui.pacp.model import Inspection
from sewer_gui.storage.project_store import ProjectFileError, ProjectSaveError
from sewer_gui.ui.prescan import PrescanController
from sewer_gui.ui.widgets.choice_box import Role, ask_choice
from sewer_gui.ui.widgets.inspection_list import InspectionListPanel

SAVE_ERRORS = (ProjectSaveError, ProjectFileError, OSError)


class InspectionsController(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.w = window
        self.undo_stack = QUndoStack(self)
        self.panel = InspectionListPanel()
        self.dock = window._dock("Inspections", self.panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.prescan = PrescanController(window, self.panel)
        self.panel.activated.connect(self._open_row)
        self.panel.leaveRequested.connect(window.focus_video)
        self.panel.nextSegmentRequested.connect(self.add_next_segment)
        self.panel.duplicateRequested.connect(self.duplicate_current)
        self.panel.deleteRequested.connect(self.delete_current)
        self.panel.summaryRequested.connect(self.export_summary)
        self.panel.undo_button.clicked.connect(self.undo_segment_change)
        self.panel.redo_button.clicked.connect(self.undo_stack.redo)
        self.undo_stack.canUndoChanged.connect(self.panel.undo_button.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.panel.redo_button.setEnabled)
        self.panel.undo_button.setEnabled(False)
        self.panel.redo_button.setEnabled(False)
        # Edits come in bursts (a confirmed suggestion changes several rows): refresh once.
        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.setInterval(0)
        self._pending.timeout.connect(self.refresh)
        self._job: list[Inspection] | None = None

    def refresh_soon(self) -> None:
        self._pending.start()

    def refresh(self) -> None:
        session = self.w.session
        if session.job is not self._job:  # a new or opened project: nothing to undo from before
            self._job = session.job
            self.undo_stack.clear()
        rows = [segment_row(inspection, self.w.table, self._candidates(inspection))
                for inspection in session.job]
        self.panel.set_rows(rows, session.job_index())

    def _candidates(self, inspection: Inspection) -> list[DefectEvent] | None:
        """The last scan's candidates, None when never scanned (or the file cannot say)."""
        session = self.w.session
        if inspection is session.inspection and session.candidates:
            return session.candidates
        try:
            return session.scans.last_scan(inspection, session.store)
        except ProjectFileError:
            return None

    def export_summary(self, path: Path | None = None) -> None:
        """The job summary PDF (a row per segment), written off the GUI thread."""
        from sewer_gui.report.job_summary import write_job_summary

        w = self.w
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                w, "Job summary PDF", str(w.project.default_path("_summary.pdf")), "PDF (*.pdf)")
            if not chosen:
                return
            path = Path(chosen)
        project = w.session.project_path.name if w.session.project_path else ""
        w.run_in_background("Job summary PDF", write_job_summary, w.session.job_copies(),
                            w.table, Path(path), project)

    def focus_list(self) -> None:
        """Keys to the list: Up / Down choose, Enter opens, Esc goes back to the video."""
        self.dock.raise_()
        view = self.panel.view
        view.setCurrentIndex(view.model().index(self.w.session.job_index(), 0))
        view.setFocus()

    def _open_row(self, index: int) -> None:
        """Enter or a double-click on a row: that inspection, and the keys back on its video."""
        self.switch_to(index)
        self.w.focus_video()

    # ----- switching ---------------------------------------------------------------------------
    def switch_to(self, index: int) -> bool:
        session = self.w.session
        if not 0 <= index < len(session.job) or session.job[index] is session.inspection:
            return False
        return self._show(lambda: session.switch_inspection(index))

    def _show(self, change) -> bool:
        """Leave the inspection on screen, apply `change` to the session and show the result."""
        w = self.w
        w.stop_video()
        try:
            change()
        except SAVE_ERRORS as exc:
            w.report_error("Inspections", str(exc))
            return False
        w.reset_screen()
        w.bind_inspection()
        video = w.session.video_path()
        if video is not None and video.is_file():
            w.open_video(video, keep_inspection=True)
        self.refresh()
        return True

    # ----- next segment, duplicate, delete (undoable) -----------------------------------------
    def add_next_segment(self) -> None:
        self.undo_stack.push(_InsertCommand(self, next_segment(self.w.session.inspection),
                                            "Next segment"))

    def duplicate_current(self) -> None:
        self.undo_stack.push(_InsertCommand(self, duplicate(self.w.session.inspection),
                                            "Duplicate inspection"))

    def delete_current(self) -> None:
        """Asks first when the segment holds coded rows, and says what it did (a trial saw a
        segment vanish without a word, and Ctrl+Z answered "Nothing to undo")."""
        session, bar = self.w.session, self.w.statusBar()
        if len(session.job) == 1:
            bar.showMessage("A project keeps at least one segment: nothing deleted.", 5000)
            return
        inspection, before = session.inspection, len(session.job)
        if inspection.observations and not self.confirm_delete(inspection):
            return
        self.undo_stack.push(_RemoveCommand(self, session.job_index()))
        if len(session.job) < before:  # a failed delete said why and left no undo step
            bar.showMessage(f"Deleted segment {inspection.title()}: Job > Undo the last "
                            "segment change brings it back.", 8000)

    def undo_segment_change(self) -> None:
        """Job > Undo: undoing a new segment or a copy deletes it, so one with rows asks first
        (a review: the Ctrl+Z hint led to a segment of five rows gone without a word)."""
        command = self.undo_stack.command(self.undo_stack.index() - 1)
        if isinstance(command, _InsertCommand) and command.inspection.observations and \
                not self.confirm_delete(command.inspection):
            return
        self.undo_stack.undo()

    def confirm_delete(self, inspection: Inspection) -> bool:
        """The coder's yes (Enter answers no); tests replace this."""
        answer = ask_choice(self.w, QMessageBox.Icon.Question, "Delete segment",
                            f"Delete segment {inspection.title()} and its "
                            f"{len(inspection.observations)} observation(s)?\n\nJob > Undo the "
                            "last segment change brings it back.",
                            [("delete", "&Delete segment", Role.DestructiveRole)],
                            default="cancel")
        return answer == "delete"  # No: the keys go back where they were (the list, say)

    def insert(self, index: int, inspection: Inspection) -> None:
        self._show(lambda: self.w.session.insert_inspection(index, inspection))
        self.w.project.autosave_timer.start()

    def remove(self, index: int) -> Inspection | None:
        removed: list[Inspection] = []
        ok = self._show(lambda: removed.append(self.w.session.remove_inspection(index)))
        return removed[0] if ok else None


class _InsertCommand(QUndoCommand):
    def __init__(self, controller: InspectionsController, inspection: Inspection,
                 text: str) -> None:
        super().__init__(text)
        self.controller, self.inspection = controller, inspection
        self.index = controller.w.session.job_index() + 1

    def redo(self) -> None:
        self.controller.insert(self.index, self.inspection)

    def undo(self) -> None:
        self.controller.remove(self.index)


class _RemoveCommand(QUndoCommand):
    def __init__(self, controller: InspectionsController, index: int) -> None:
        super().__init__("Delete inspection")
        self.controller, self.index = controller, index
        self.removed: Inspection | None = None

    def redo(self) -> None:
        self.removed = self.controller.remove(self.index)
        self.setObsolete(self.removed is None)  # it failed (and said why): no undo step

    def undo(self) -> None:
        if self.removed is not None:
            self.controller.insert(self.index, self.removed)
