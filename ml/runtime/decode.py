"""Decode the frames a scan classifies in a producer thread, so that decoding (most of a scan's
time) runs beside inference: OpenCV and ONNX Runtime both release the GIL while they work.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator

import numpy as np

from ml.runtime.video import VideoReader

Batch = list[tuple[int, np.ndarray]]


def _sampled(reader: VideoReader, step: int, batch: int,
             stop: threading.Event) -> Generator[tuple[Batch, int], None, int]:
    """Every `step`-th frame in batches, each with the index of the next frame to decode."""
    index = 0
    pending: Batch = []
    while not stop.is_set():
        # grab() skips colour conversion and copying for frames we do not classify.
        if index % step and reader.grab():
            index += 1
            continue
        got = reader.read()
        if got is None:
            break
        index = got[0] + 1
        pending.append(got)
        if len(pending) >= batch:
            yield pending, index
            pending = []
    if pending:
        yield pending, index
    return index


def sampled_batches(reader: VideoReader, step: int, batch: int,
                    ahead: int = 3) -> Generator[tuple[Batch, int], None, int]:
    """`_sampled` with up to `ahead` batches decoded in advance by a producer thread (0: in
    the caller's thread). Closing the generator (a cancelled scan) stops the producer."""
    stop = threading.Event()
    if ahead <= 0:
        return (yield from _sampled(reader, step, batch, stop))
    handoff: queue.Queue = queue.Queue(maxsize=ahead)

    def put(item: object) -> None:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def produce() -> None:
        try:
            gen = _sampled(reader, step, batch, stop)
            while True:
                try:
                    put(("batch", next(gen)))
                except StopIteration as end:
                    put(("end", end.value))
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            put(("error", exc))

    producer = threading.Thread(target=produce, name="scan-decode", daemon=True)
    producer.start()
    try:
        while True:
            kind, item = handoff.get()
            if kind == "batch":
                yield item
            elif kind == "end":
                return item
            else:
                raise item
    finally:
        stop.set()
        producer.join()
