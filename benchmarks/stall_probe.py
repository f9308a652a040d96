"""A 2 ms timer on the GUI thread that records the gaps between its ticks (the stall benchmarks).

A gap minus the interval is how long the GUI thread was busy elsewhere: a stall the user feels.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QTimer

INTERVAL_MS = 2


class StallProbe:
    def __init__(self) -> None:
        self.gaps: list[float] = []  # milliseconds between ticks
        self._clock = QElapsedTimer()
        self._timer = QTimer(interval=INTERVAL_MS)
        self._timer.timeout.connect(self._tick)
        self._last = 0

    def start(self) -> None:
        self._clock.start()
        self._last = self._clock.nsecsElapsed()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def stalls(self) -> list[float]:
        return [g - INTERVAL_MS for g in self.gaps]

    def _tick(self) -> None:
        now = self._clock.nsecsElapsed()
        self.gaps.append((now - self._last) / 1e6)
        self._last = now
