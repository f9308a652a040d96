"""How often the live suggestion on screen changes while the demo plays (flicker).

    python benchmarks/suggestion_flicker.py [--start 0 --seconds 19] [--tree PATH]

Plays the bundled demo at 1x with live suggestions from `--start` for `--seconds` and counts the
switches of the suggested code on the banner (a code replaced by another or by nothing). The
demo's first 19 s hold no crack (the first true defect is at 5.4 m, about 36 s in). `--tree`
measures another checkout (a `git worktree` of an older commit) on the same machine, with this
checkout's resources (model and video), so that only the code differs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
from sewer_gui.app_settings import AppSettings
from sewer_gui.pacp.codes import default_code_table
from sewer_gui.resources import sample_video_path
from sewer_gui.ui.main_window import MainWindow
start, seconds = float(sys.argv[1]), float(sys.argv[2])
app = QApplication([])
w = MainWindow(AppSettings(live_suggestions=True), default_code_table())
w.confirm_discard = lambda: True
w.show()
shown = []
original = w.video_view.set_banner
def banner(text, *args):
    code = text.split()[0] if text else ""
    if not shown or shown[-1] != code:
        shown.append(code)
    original(text, *args)
w.video_view.set_banner = banner
w.open_video(sample_video_path())
def pump(until):
    while time.perf_counter() < until:
        app.processEvents()
        time.sleep(0.002)
pump(time.perf_counter() + 1.0)
w.player.seek_time(start)
pump(time.perf_counter() + 0.5)
shown.clear()
shown.append("")
w.player.play()
pump(time.perf_counter() + seconds)
w.player.pause()
frames = w.inference.frames_done if w.inference else 0
print(json.dumps({"switches": len(shown) - 1, "codes": shown[1:], "frames_classified": frames}))
w.shutdown()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--start", type=float, default=0.0)
    parser.add_argument("--seconds", type=float, default=19.0)
    parser.add_argument("--tree", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    out = subprocess.run([sys.executable, "-c", CHILD, str(args.start), str(args.seconds)],
                         cwd=args.tree, capture_output=True, text=True, timeout=300,
                         env={"SEWER_CONFIG_DIR": "/tmp/flicker-bench", "PATH": "/usr/bin:/bin",
                              # one model and video for every tree compared
                              "SEWER_RESOURCES": str(Path(__file__).resolve().parent.parent
                                                     / "resources")})
    lines = [x for x in out.stdout.splitlines() if x.startswith("{")]
    if not lines:
        raise SystemExit(out.stderr[-2000:])
    print(json.dumps({"tree": str(args.tree), "start_s": args.start, "seconds": args.seconds,
                      **json.loads(lines[-1])}, indent=1))


if __name__ == "__main__":
    main()
