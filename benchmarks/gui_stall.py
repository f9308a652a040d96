"""Play the sample video with live suggestions and measure how long the GUI thread ever stalls.

A 2 ms timer on the GUI thread records the gap between its ticks; the longest gap minus the
interval is the worst stall a user could feel. Prints JSON. Target: under 50 ms.

    python benchmarks/gui_stall.py [--seconds 20] [--speed 2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--speed", type=float, default=2.0)
    parser.add_argument("--model", default="")
    args = parser.parse_args()

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication
    from stall_probe import StallProbe

    from sewer_gui.app_settings import AppSettings
    from sewer_gui.pacp.codes import default_code_table
    from sewer_gui.resources import sample_video_path
    from sewer_gui.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = MainWindow(AppSettings(model_path=args.model), default_code_table())
    window.confirm_discard = lambda: True
    window.show()
    window.open_video(sample_video_path())
    window.player.set_speed(args.speed)
    probe = StallProbe()
    probe.start()
    frames = [0]
    window.player.frameShown.connect(lambda *_: frames.__setitem__(0, frames[0] + 1))
    window.player.play()
    loop = QEventLoop()
    QTimer.singleShot(int(args.seconds * 1000), loop.quit)
    started = time.perf_counter()
    loop.exec()
    wall = time.perf_counter() - started
    probe.stop()
    inferred = window.inference.frames_done if window.inference else 0
    window.shutdown()
    model_id = window.model_id()
    from sewer_gui.ui.app import release

    release(window)
    gaps, stalls = probe.gaps, probe.stalls()
    result = {
        "seconds": round(wall, 1), "speed": args.speed,
        "frames_shown": frames[0], "frames_shown_per_s": round(frames[0] / wall, 1),
        "frames_classified": inferred,
        "longest_stall_ms": round(max(stalls), 1),
        "p99_stall_ms": round(sorted(stalls)[int(0.99 * (len(stalls) - 1))], 1),
        "median_tick_ms": round(statistics.median(gaps), 2),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "model": model_id,
    }
    print(json.dumps(result))
    app.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
