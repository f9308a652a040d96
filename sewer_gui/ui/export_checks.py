"""Exports check validation first, and the validation list has a key.

A trial exported a PDF and exchange tables with required header fields and clock positions
missing, told only "Report written". PACP-style deliverables with open errors go back to the
coder, so an export with errors asks first (the default answer shows the errors); a draft can
still be exported on purpose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget, QMessageBox

from sewer_gui.pacp.model import Inspection
from sewer_gui.pacp.validation import Finding, blocking, validate
from sewer_gui.ui.widgets.choice_box import Role, ask_choice

if TYPE_CHECKING:
    from sewer_gui.ui.main_window import MainWindow

SHOWN = 6  # errors listed in the question; the rest are counted


def error_lines(inspections: list[Inspection], table) -> list[str]:
    """One line per validation error, named by inspection when there are several."""
    lines = []
    for inspection in inspections:
        prefix = f"{inspection.title()}: " if len(inspections) > 1 else ""
        lines += [prefix + f.describe().removeprefix("error: ")
                  for f in blocking(validate(inspection, table))]
    return lines


class ExportChecks(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        window.validation_panel.leaveRequested.connect(window.focus_video)
        window.validation_panel.findingRequested.connect(self.go_to)

    def go_to(self, finding: Finding) -> None:
        """Shows what a finding is about and gives the keys to the field at fault, so that
        the coder types the fix at once (a trial typed a surveyor's name into the video's
        shortcuts: Space played it and M added a row)."""
        w = self.w
        if finding.observation is None and finding.scope == "inspection":
            w.player.seek(0)  # the start codes are missing: at the video's start
            return
        if finding.observation is None:
            w.side_tabs.setCurrentWidget(w.header_form)
            w.header_form.focus_field(finding.field)
            return
        w.select_observation(finding.observation)
        widget = w.editor.field_widget(finding.field or "code")
        if widget is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            select_all = getattr(widget, "selectAll", None)
            if callable(select_all):
                select_all()

    def show_validation(self) -> None:
        """Keys to the validation list: Up / Down choose, Enter shows the row, Esc goes back."""
        w = self.w
        w.side_tabs.setCurrentWidget(w.validation_panel)
        dock = w.side_tabs.parentWidget()
        while dock is not None and not isinstance(dock, QDockWidget):
            dock = dock.parentWidget()
        if dock is not None:
            dock.raise_()  # its tab in front when the coder docked it beside another
        panel = w.validation_panel
        if panel.currentRow() < 0 and panel.count():
            panel.setCurrentRow(0)
        panel.setFocus()

    def allows(self, what: str, inspections: list[Inspection]) -> bool:
        """True to go on with the export; with errors, only when the coder says so."""
        lines = error_lines(inspections, self.w.table)
        if not lines:
            return True
        listed = "\n".join(f"- {line}" for line in lines[:SHOWN])
        more = f"\n... and {len(lines) - SHOWN} more" if len(lines) > SHOWN else ""
        text = (f"{len(lines)} validation error(s) are still open:\n\n{listed}{more}\n\n"
                f"Export the {what} anyway (as a draft), or show the errors?")
        answer = self.ask(what, text)
        if answer == "export":
            return True
        if answer == "show":
            self.show_validation()
        else:  # Esc: nothing exported, the keys back where the coder was (the video)
            self.w.statusBar().showMessage(f"Export of the {what} cancelled.", 4000)
            self.w.focus_video()
        return False

    def ask(self, what: str, text: str) -> str:
        """"export", "show" (the default, Enter) or "cancel" (Esc); tests replace this. A trial
        pressed Esc to cancel, got the validation list, and its next keys coded a row there."""
        return ask_choice(self.w, QMessageBox.Icon.Warning, f"Export {what}", text,
                          [("export", "&Export anyway", Role.AcceptRole),
                           ("show", "&Show the errors", Role.ActionRole)], default="show")
