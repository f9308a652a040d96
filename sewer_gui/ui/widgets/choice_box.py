"""A question with one key per answer, Esc for "cancel": the app's unsaved-work and export
questions (a keys-only trial found Esc doing something other than cancel)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

Role = QMessageBox.ButtonRole


def ask_choice(parent: QWidget, icon: QMessageBox.Icon, title: str, text: str,
               answers: list[tuple[str, str, Role]], default: str) -> str:
    """The answer of the button pressed (its label carries an & mnemonic), or "cancel" for
    &Cancel, Esc or closing the box."""
    box = QMessageBox(icon, title, text, parent=parent)
    buttons = {box.addButton(label, role): answer for answer, label, role in answers}
    cancel = box.addButton("&Cancel", Role.RejectRole)
    box.setDefaultButton(cancel if default == "cancel" else
                         next(b for b, a in buttons.items() if a == default))
    box.setEscapeButton(cancel)
    box.exec()
    return buttons.get(box.clickedButton(), "cancel")
