"""A `python -m ml.cli ...` child process whose JSON progress lines arrive as signals.

Training, estimates, the torch/CUDA probe, exports and comparisons all run this way: the app
never imports torch and the GUI thread never waits for one of them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, Signal

from sewer_gui.training_recipe import parse_progress

REPO = Path(__file__).resolve().parents[3]  # so that `-m ml.cli` works from a checkout


class ChildProcess(QObject):
    event = Signal(dict)  # one parsed JSON progress object
    line = Signal(str)  # any other output line (stderr included)
    finished = Signal(int)  # exit code; -1 when it could not start or crashed

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.process: QProcess | None = None
        self._buffer = ""

    def start(self, args: list[str]) -> None:
        """`args` are the `ml.cli` arguments, or a whole command starting with the Python."""
        command = args if args and args[0] == sys.executable else \
            [sys.executable, "-m", "ml.cli", *args]
        process = QProcess(self)
        process.setProgram(command[0])
        process.setArguments(command[1:])
        process.setWorkingDirectory(str(REPO))
        process.readyReadStandardOutput.connect(self._read_stdout)
        process.readyReadStandardError.connect(self._read_stderr)
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._error)
        self.process, self._buffer = process, ""
        process.start()

    def running(self) -> bool:
        return self.process is not None and \
            self.process.state() != QProcess.ProcessState.NotRunning

    def terminate(self) -> None:
        """SIGTERM: a training child stops at the next batch, keeps last.pt, exits with 130."""
        if self.running():
            self.process.terminate()

    def wait(self, msecs: int = 15000) -> None:
        if self.process is not None:
            self.process.waitForFinished(msecs)

    def _read_stdout(self) -> None:
        self._buffer += bytes(self.process.readAllStandardOutput()).decode(errors="replace")
        *lines, self._buffer = self._buffer.split("\n")
        for text in lines:
            self._emit(text)

    def _emit(self, text: str) -> None:
        event = parse_progress(text)
        if event is not None:
            self.event.emit(event)
        elif text.strip():
            self.line.emit(text.rstrip())

    def _read_stderr(self) -> None:
        for text in bytes(self.process.readAllStandardError()).decode(errors="replace") \
                .splitlines():
            if text.strip():
                self.line.emit(text.rstrip())

    def _finished(self, code: int, status: QProcess.ExitStatus) -> None:
        if self._buffer:
            self._emit(self._buffer)
            self._buffer = ""
        self.finished.emit(code if status == QProcess.ExitStatus.NormalExit else -1)

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.line.emit(f"could not start {sys.executable} ({error.name})")
            self.finished.emit(-1)
