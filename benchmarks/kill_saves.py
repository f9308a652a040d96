"""kill -9 a writer mid-save, again and again: every acknowledged observation must survive.

Each round starts a child that opens the project (taking the writer lock), then adds one
observation at a time and saves, printing the number once the save has returned. The parent
kills it with SIGKILL at a random moment, then checks that every number printed is stored and
that the lock was released with the process. Prints one JSON line of figures; exit 1 on loss.

    python benchmarks/kill_saves.py --rounds 150
"""

from __future__ import annotations

import argparse
import json
import random
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sewer_gui.pacp.model import Inspection
from sewer_gui.storage.project_store import ProjectStore

CHILD = """
import sys
from sewer_gui.pacp.model import Observation
from sewer_gui.storage.project_store import ProjectStore
store = ProjectStore.open(sys.argv[1])
[inspection] = store.inspections()
n = len(inspection.observations)
print("open", flush=True)
while True:
    n += 1
    inspection.observations.append(Observation(float(n), "CC", clock_from=1, clock_to=12,
                                               remarks=str(n)))
    store.save_inspection(inspection)
    print(n, flush=True)
"""


def _stored(path: Path) -> set[int]:
    store = ProjectStore.open(path, read_only=True)
    try:
        return {int(o.remarks) for i in store.inspections() for o in i.observations}
    finally:
        store.close()


def _round(path: Path, rng: random.Random) -> tuple[set[int], bool]:
    """(numbers the child acknowledged, whether it was killed inside its save loop)."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    acknowledged: set[int] = set()
    assert child.stdout.readline().strip() == "open", child.stderr.read()
    deadline = time.monotonic() + rng.uniform(0.02, 0.4)
    while time.monotonic() < deadline:
        ready, _w, _x = select.select([child.stdout], [], [], 0.005)
        if ready:
            acknowledged.add(int(child.stdout.readline()))
    child.send_signal(signal.SIGKILL)
    rest = child.stdout.read()  # lines printed before the kill landed were acknowledged too
    acknowledged |= {int(x) for x in rest.split()}
    child.wait()
    return acknowledged, child.returncode == -signal.SIGKILL


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kill.sewerproj"
        store = ProjectStore.create(path)
        store.save_inspection(Inspection())
        store.close()
        acknowledged: set[int] = set()
        kills = 0
        started = time.monotonic()
        for _round_number in range(args.rounds):
            got, killed = _round(path, rng)
            acknowledged |= got
            kills += killed
        stored = _stored(path)
        ProjectStore.open(path).close()  # the last kill released the lock too
    lost = sorted(acknowledged - stored)
    print(json.dumps({"rounds": args.rounds, "kill9": kills, "saves_acknowledged":
                      len(acknowledged), "observations_stored": len(stored),
                      "acknowledged_lost": len(lost), "seconds":
                      round(time.monotonic() - started, 1)}))
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
