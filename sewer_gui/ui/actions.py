"""Every command a coder uses, with its menu and hot key: one table feeds menus and help."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu


@dataclass(frozen=True)
class Command:
    name: str  # the window method it calls, or "controller.method" of a window's controller
    text: str
    menu: str
    shortcut: str = ""
    checkable: bool = False
    args: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Unique per command: quick codes share a method and differ by their argument."""
        return ":".join((self.name, *self.args))


def _quick(code: str, key: str, what: str = "") -> Command:
    return Command("coding.add_manual", f"Quick code {code}{what}", "Edit", key, args=(code,))


COMMANDS: tuple[Command, ...] = (
    Command("project.new_project", "&New project", "File", "Ctrl+N"),
    Command("project.open_project_dialog", "&Open project...", "File", "Ctrl+O"),
    Command("project.open_video_dialog", "Open &video...", "File", "Ctrl+I"),
    Command("project.save", "&Save", "File", "Ctrl+S"),
    Command("project.save_as", "Save &as...", "File", "Ctrl+Shift+S"),
    Command("export_pdf_dialog", "Export &PDF report...", "File", "Ctrl+E"),
    Command("export_exchange_dialog", "Export e&xchange tables...", "File", "Ctrl+Shift+E"),
    Command("export_snapshots_dialog", "Export s&napshots...", "File"),
    # In File, where coders look for it (a trial looked there first; it sat under Suggestion).
    Command("settings_dialog", "Se&ttings...", "File", "Ctrl+,"),
    Command("close", "&Quit", "File", "Ctrl+Q"),
    Command("coding.undo", "&Undo", "Edit", "Ctrl+Z"),
    Command("coding.redo", "&Redo", "Edit", "Ctrl+Shift+Z"),
    Command("coding.add_manual", "Add &observation at this frame", "Edit", "M"),
    Command("coding.start_continuous", "&Start a continuous defect (S##) here", "Edit", "S"),
    Command("coding.finish_continuous", "Finish the running continuous defect (F##) here",
            "Edit", "E"),
    Command("coding.select_previous", "Select the &previous observation (shows its frame)",
            "Edit", "Up"),
    Command("coding.select_next", "Select the ne&xt observation (shows its frame)", "Edit",
            "Down"),
    Command("coding.focus_table", "Go to the observation &table (Esc comes back)", "Edit",
            "Ctrl+T"),
    Command("coding.delete_selected", "&Delete observation", "Edit", "Del"),
    Command("coding.focus_code", "Type the &code of the selected observation", "Edit", "C"),
    Command("coding.focus_clock", "Type the cloc&k positions of the selected observation",
            "Edit", "K"),
    Command("coding.focus_values", "Type the size or perce&nt of the selected observation",
            "Edit", "V"),
    Command("coding.focus_remarks", "Type the rem&arks of the selected observation", "Edit",
            "R"),
    Command("coding.focus_header", "Type the inspection &header", "Edit", "H"),
    Command("checks.show_validation", "Go to the &validation list (Enter shows the row)", "Edit",
            "Ctrl+Shift+V"),
    _quick("CL", "Ctrl+1"), _quick("CC", "Ctrl+2"), _quick("CM", "Ctrl+3"),
    _quick("CS", "Ctrl+4"), _quick("MGO", "Ctrl+5", " (general observation)"),
    # The inspection list's buttons, reachable from the keyboard and the menu bar too.
    Command("inspections.focus_list", "Go to the inspection &list (Enter opens one)", "Job",
            "Ctrl+L"),
    Command("inspections.add_next_segment", "&Next segment", "Job", "Ctrl+Shift+N"),
    Command("inspections.duplicate_current", "&Duplicate this segment", "Job"),
    Command("inspections.delete_current", "De&lete this segment", "Job"),
    Command("inspections.undo_segment_change", "&Undo the last segment change", "Job"),
    Command("inspections.undo_stack.redo", "&Redo the segment change", "Job"),
    Command("inspections.export_summary", "Job &summary PDF...", "Job"),
    Command("inspections.prescan.start", "Scan &all videos of the job", "Job"),
    Command("inspections.prescan.cancel", "&Cancel scanning all videos", "Job"),
    Command("playback.toggle_play", "&Play / pause", "Video", "Space"),
    Command("playback.step_back", "Step one frame &back", "Video", "Left"),
    Command("playback.step_forward", "Step one frame &forward", "Video", "Right"),
    Command("playback.jump_back", "Back 5 seconds", "Video", "Shift+Left"),
    Command("playback.jump_forward", "Forward 5 seconds", "Video", "Shift+Right"),
    Command("playback.go_to_start", "Go to the start", "Video", "Home"),
    Command("playback.go_to_end", "Go to the end", "Video", "End"),
    Command("playback.slower", "Slower", "Video", "["),
    Command("playback.faster", "Faster", "Video", "]"),
    Command("review.previous_candidate", "Previous AI candidate", "Video", "P"),
    Command("review.next_candidate", "Next AI candidate", "Video", "N"),
    Command("start_scan", "&Scan whole video", "Video", "Ctrl+R"),
    Command("calibration.set_anchor", "Set &distance at this frame...", "Video", "D"),
    Command("calibration.show_anchors", "Calibration &anchors...", "Video", "Shift+D"),
    Command("review.confirm", "&Confirm suggestion", "Suggestion", "Return"),
    Command("review.fracture", "Switch to &fracture twin", "Suggestion", "F"),
    Command("review.reject", "&Reject suggestion (asks why)", "Suggestion", "Backspace"),
    Command("review.dismiss", "&Dismiss suggestion (duplicate, already coded)", "Suggestion",
            "X"),
    Command("toggle_live", "&Live suggestions", "Suggestion", "L", checkable=True),
    Command("choose_model_dialog", "Choose &model...", "Suggestion"),
    Command("restore_previous_model", "Restore &previous model", "Suggestion"),
    Command("training_wizard", "&Train a model on your images...", "Suggestion"),
    Command("export_training_frames_dialog", "&Export coders' decisions as training data...",
            "Suggestion"),
    Command("show_help", "&Keyboard shortcuts", "Help", "F1"),
)


def resolve(window: QMainWindow, name: str):
    """The callable a command names: a window method or a method of one of its controllers."""
    target = window
    for part in name.split("."):
        target = getattr(target, part)
    return target


def install(window: QMainWindow) -> dict[str, QAction]:
    """Create the actions, put them in menus, connect them to the window's methods."""
    menus: dict[str, QMenu] = {}
    actions: dict[str, QAction] = {}
    for command in COMMANDS:
        menu = menus.get(command.menu)
        if menu is None:
            menu = menus[command.menu] = window.menuBar().addMenu(f"&{command.menu}")
        action = QAction(command.text, window)
        if command.shortcut:
            action.setShortcut(QKeySequence(command.shortcut))
        action.setCheckable(command.checkable)
        action.triggered.connect(
            lambda _checked=False, c=command: resolve(window, c.name)(*c.args))
        menu.addAction(action)
        window.addAction(action)  # shortcuts work whichever dock has focus
        actions[command.key] = action
    window.menus = menus
    return actions


def shortcut_rows() -> list[tuple[str, str, str]]:
    return [(c.menu, c.text.replace("&", ""), c.shortcut) for c in COMMANDS if c.shortcut]
