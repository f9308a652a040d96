"""Switching inspections in a large job: a project of N inspections (each with the sample's
observations and the demo video), the real window offscreen, the time from the coder's request
to the inspection on screen. Prints JSON. Target: under 0.5 s with 200 inspections.

    python benchmarks/job_switch.py [--inspections 200] [--switches 10]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent


def build_project(path: Path, count: int) -> None:
    from sewer_gui.job import next_segment
    from sewer_gui.pacp.examples import sample_inspection
    from sewer_gui.storage.project_store import ProjectStore

    store = ProjectStore.create(path)
    inspection = sample_inspection()
    video = store.relative_video_path(ROOT / "resources" / "sample" / "demo_pipe.mp4")
    for k in range(count):
        inspection.video_path = video
        inspection.header.pipe_segment_reference = f"SEG-{k:04d}"
        store.save_inspection(inspection)
        following = next_segment(inspection)
        following.observations = sample_inspection().observations
        inspection = following
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inspections", type=int, default=200)
    parser.add_argument("--switches", type=int, default=10)
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    from sewer_gui.app_settings import AppSettings
    from sewer_gui.pacp.codes import default_code_table
    from sewer_gui.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / "job.sewerproj"
        build_project(project, args.inspections)
        window = MainWindow(AppSettings(live_suggestions=False), default_code_table())
        window.confirm_discard = lambda: True
        started = time.perf_counter()
        window.open_project(project)
        app.processEvents()
        opened = time.perf_counter() - started
        times = []
        step = max(1, args.inspections // args.switches)
        for k in range(1, args.inspections, step):
            started = time.perf_counter()
            window.inspections.switch_to(k)
            app.processEvents()  # the list refresh and the first frame request
            times.append(time.perf_counter() - started)
        window.shutdown()
    print(json.dumps({"inspections": args.inspections, "open_project_s": round(opened, 3),
                      "switch_median_s": round(statistics.median(times), 3),
                      "switch_max_s": round(max(times), 3), "switches": len(times)}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
