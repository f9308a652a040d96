"""Pre-scan a job of N demo-length videos in the real window (offscreen) and measure how long
the GUI thread ever stalls meanwhile (a 2 ms timer's longest gap minus its interval). Prints
JSON. Targets: longest stall under 50 ms; every video scanned at 20x real time or faster.

    python benchmarks/prescan_stall.py [--videos 20]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--videos", type=int, default=20)
    args = parser.parse_args()
    from job_switch import build_project
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication
    from stall_probe import StallProbe

    from sewer_gui.app_settings import AppSettings
    from sewer_gui.pacp.codes import default_code_table
    from sewer_gui.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841 - kept alive
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / "job.sewerproj"
        build_project(project, args.videos)
        window = MainWindow(AppSettings(live_suggestions=False), default_code_table())
        window.confirm_discard = lambda: True
        window.show()
        window.open_project(project)
        probe = StallProbe()
        prescan = window.inspections.prescan
        done: list[int] = []
        loop = QEventLoop()
        prescan.finished.connect(done.append)
        prescan.finished.connect(loop.quit)
        started = time.perf_counter()
        probe.start()
        prescan.start()
        loop.exec()
        wall = time.perf_counter() - started
        probe.stop()
        video_seconds = window.session.video_info.duration if window.session.video_info else 0
        window.shutdown()
    gaps, stalls = probe.gaps, probe.stalls()
    print(json.dumps({
        "videos": args.videos, "scanned": done[0], "wall_s": round(wall, 1),
        "realtime_x": round(args.videos * video_seconds / wall, 1),
        "longest_stall_ms": round(max(stalls), 1),
        "p99_stall_ms": round(sorted(stalls)[int(0.99 * (len(stalls) - 1))], 1),
        "median_tick_ms": round(statistics.median(gaps), 2)}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
