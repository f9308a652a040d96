"""Times a few batches of the chosen recipe in a `python -m ml.cli estimate` child.

A timing belongs to the options it ran with: when they change while one runs, that child is
stopped and its late output ignored, so the page never shows a time for another method or size.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from sewer_gui.ui.training.child import ChildProcess


class Estimator(QObject):
    estimated = Signal(dict)  # the `estimate` event of the current options
    failed = Signal(list)  # the last output lines of a child that exited with an error

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.child: ChildProcess | None = None
        self.args: list[str] | None = None  # what the current (or last) child times
        self._lines: list[str] = []

    def running(self) -> bool:
        return self.child is not None and self.child.running()

    def start(self, args: list[str]) -> bool:
        """Times `args` unless exactly that is being timed already; False when it is."""
        if self.running() and args == self.args:
            return False
        self.stop()
        child = ChildProcess(self)
        child.event.connect(self._event)
        child.line.connect(self._line)
        child.finished.connect(self._finished)
        self.child, self.args, self._lines = child, list(args), []
        child.start(args)
        return True

    def stop(self) -> None:
        """Stops the current child; nothing it still prints or returns reaches the page."""
        child, self.child = self.child, None
        if child is None:
            return
        for signal in (child.event, child.line, child.finished):
            signal.disconnect()
        if child.running():
            child.finished.connect(child.deleteLater)
            child.terminate()
        else:
            child.deleteLater()

    def _event(self, event: dict) -> None:
        if event.get("event") == "estimate":
            self.estimated.emit(event)

    def _line(self, text: str) -> None:
        self._lines = (self._lines + [text])[-3:]

    def _finished(self, code: int) -> None:
        if code != 0:
            self.failed.emit(list(self._lines))


def duration_words(seconds: float) -> str:
    """"40 s", "3.5 min", "2 h 05 min": seconds for short runs, so that a few more epochs
    show (a trial saw "0.1 min" before and after typing another epoch count)."""
    seconds = max(float(seconds), 0.0)
    if seconds < 90:
        return f"{max(5, 5 * round(seconds / 5))} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.1f} min"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours} h {minutes:02d} min"
