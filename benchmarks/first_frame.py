"""Time from a fresh interpreter to the first video frame on screen, and how much of it is
imports; also which heavy modules were loaded by then (reportlab and superqt should not be).

    python benchmarks/first_frame.py [--runs 7] [--tree PATH]

`--tree` runs the same measurement against another checkout (e.g. a `git worktree` of an older
commit), so that before/after figures come from the same machine and load.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, os, sys, time
t0 = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtWidgets import QApplication
from sewer_gui.app_settings import AppSettings
from sewer_gui.pacp.codes import default_code_table
from sewer_gui.resources import sample_video_path
from sewer_gui.ui.main_window import MainWindow
t_import = time.perf_counter()
app = QApplication([])
window = MainWindow(AppSettings(live_suggestions=False), default_code_table())
window.confirm_discard = lambda: True
window.show()
shown = []
window.player.frameShown.connect(lambda *_: shown.append(time.perf_counter()))
window.open_video(sample_video_path())
while not shown and time.perf_counter() - t0 < 30:
    app.processEvents()
    time.sleep(0.001)
heavy = [m for m in ("reportlab", "superqt", "pypdfium2", "torch") if m in sys.modules]
print(json.dumps({"imports_s": t_import - t0, "first_frame_s": shown[0] - t0, "heavy": heavy}))
window.shutdown()
"""


def measure(tree: Path, runs: int) -> dict:
    results = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", CHILD], cwd=tree, capture_output=True,
                             text=True, timeout=120, env={"SEWER_CONFIG_DIR": "/tmp/ff-bench",
                                                          "PATH": "/usr/bin:/bin"})
        line = [x for x in out.stdout.splitlines() if x.startswith("{")]
        if not line:
            raise SystemExit(f"child failed in {tree}:\n{out.stderr[-2000:]}")
        results.append(json.loads(line[-1]))
    return {"tree": str(tree), "runs": runs,
            "imports_s_median": round(statistics.median(r["imports_s"] for r in results), 3),
            "first_frame_s_median": round(statistics.median(r["first_frame_s"]
                                                            for r in results), 3),
            "heavy_modules_loaded": results[-1]["heavy"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--tree", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    print(json.dumps(measure(args.tree, args.runs), indent=1))


if __name__ == "__main__":
    main()
