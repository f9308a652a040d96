"""The video keys (Space, arrows, Home / End, [ / ]): what each does to the player."""

from __future__ import annotations

from PySide6.QtCore import QObject

from sewer_gui.pacp.display import video_time_text
from sewer_gui.ui.player import SPEEDS

JUMP_S = 5.0  # Shift+Left / Shift+Right


def clock_text(seconds: float) -> str:
    """m:ss.s; the total in the same form, so the last frame never reads past the end."""
    return video_time_text(seconds)


class PlaybackKeys(QObject):
    """Owned by the main window; uses its player and speed box."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.w = window

    def toggle_play(self) -> None:
        self.w.player.toggle()

    def step_back(self) -> None:
        self.w.player.step(-1)

    def step_forward(self) -> None:
        self.w.player.step(1)

    def jump_back(self) -> None:
        self.w.player.seek_time(self.w.player.position_s() - JUMP_S)

    def jump_forward(self) -> None:
        self.w.player.seek_time(self.w.player.position_s() + JUMP_S)

    def go_to_start(self) -> None:
        self.w.player.seek(0)

    def go_to_end(self) -> None:
        player = self.w.player
        if player.info is not None:
            player.pause()
            player.seek(player.info.frame_count - 1)

    def slower(self) -> None:
        box = self.w.speed_box
        box.setCurrentIndex(max(box.currentIndex() - 1, 0))

    def faster(self) -> None:
        box = self.w.speed_box
        box.setCurrentIndex(min(box.currentIndex() + 1, len(SPEEDS) - 1))
