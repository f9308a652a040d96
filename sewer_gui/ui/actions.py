"""Every command a coder uses, with its menu and hot key: one table feeds menus and help."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu


@dataclass(frozen=True)
class Command:
    name: str  # the window method it calls
    text: str
    menu: str
    shortcut: str = ""
    checkable: bool = False


COMMANDS: tuple[Command, ...] = (
    Command("new_project", "&New project", "File", "Ctrl+N"),
    Command("open_project_dialog", "&Open project...", "File", "Ctrl+O"),
    Command("open_video_dialog", "Open &video...", "File", "Ctrl+I"),
    Command("save_project", "&Save", "File", "Ctrl+S"),
    Command("save_project_as", "Save &as...", "File", "Ctrl+Shift+S"),
    Command("export_pdf_dialog", "Export &PDF report...", "File", "Ctrl+E"),
    Command("export_exchange_dialog", "Export e&xchange tables...", "File", "Ctrl+Shift+E"),
    Command("export_snapshots_dialog", "Export s&napshots...", "File"),
    Command("close", "&Quit", "File", "Ctrl+Q"),
    Command("undo", "&Undo", "Edit", "Ctrl+Z"),
    Command("redo", "&Redo", "Edit", "Ctrl+Shift+Z"),
    Command("add_manual_observation", "Add &observation at this frame", "Edit", "M"),
    Command("delete_selected", "&Delete observation", "Edit", "Del"),
    Command("quick_code_cl", "Quick code CL", "Edit", "Ctrl+1"),
    Command("quick_code_cc", "Quick code CC", "Edit", "Ctrl+2"),
    Command("quick_code_cm", "Quick code CM", "Edit", "Ctrl+3"),
    Command("quick_code_cs", "Quick code CS", "Edit", "Ctrl+4"),
    Command("quick_code_mgo", "Quick code MGO (general observation)", "Edit", "Ctrl+5"),
    Command("toggle_play", "&Play / pause", "Video", "Space"),
    Command("step_back", "Step one frame &back", "Video", "Left"),
    Command("step_forward", "Step one frame &forward", "Video", "Right"),
    Command("jump_back", "Back 5 seconds", "Video", "Shift+Left"),
    Command("jump_forward", "Forward 5 seconds", "Video", "Shift+Right"),
    Command("slower", "Slower", "Video", "["),
    Command("faster", "Faster", "Video", "]"),
    Command("previous_candidate", "Previous AI candidate", "Video", "P"),
    Command("next_candidate", "Next AI candidate", "Video", "N"),
    Command("start_scan", "&Scan whole video", "Video", "Ctrl+R"),
    Command("set_distance_anchor", "Set &distance at this frame...", "Video", "D"),
    Command("confirm_suggestion", "&Confirm suggestion", "Suggestion", "Return"),
    Command("fracture_suggestion", "Switch to &fracture twin", "Suggestion", "F"),
    Command("reject_suggestion", "&Reject suggestion", "Suggestion", "Backspace"),
    Command("toggle_live", "&Live suggestions", "Suggestion", "L", checkable=True),
    Command("choose_model_dialog", "Choose &model...", "Suggestion"),
    Command("restore_previous_model", "Restore previous model", "Suggestion"),
    Command("settings_dialog", "&Settings...", "Suggestion", "Ctrl+,"),
    Command("training_wizard", "&Train a model on your images...", "Suggestion"),
    Command("export_training_frames_dialog", "Export coders' decisions as training data...",
            "Suggestion"),
    Command("show_help", "&Keyboard shortcuts", "Help", "F1"),
)


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
        action.triggered.connect(lambda _checked=False, n=command.name: getattr(window, n)())
        menu.addAction(action)
        window.addAction(action)  # shortcuts work whichever dock has focus
        actions[command.name] = action
    window.menus = menus
    return actions


def shortcut_rows() -> list[tuple[str, str, str]]:
    return [(c.menu, c.text.replace("&", ""), c.shortcut) for c in COMMANDS if c.shortcut]
