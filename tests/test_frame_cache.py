"""The recent-frame cache stays within its byte bound for 4K/8K video."""

import numpy as np

from sewer_gui.frame_cache import FrameCache


def test_sd_frames_keep_the_full_count():
    cache = FrameCache(max_frames=90, max_bytes=256 * 2**20)
    for i in range(200):
        cache[i] = np.zeros((480, 640, 3), np.uint8)
    assert len(cache) == 90 and 110 in cache and 109 not in cache
    assert cache.nbytes == 90 * 480 * 640 * 3


def test_8k_frames_are_bounded_by_bytes_not_count():
    cache = FrameCache(max_frames=90, max_bytes=256 * 2**20)
    frame_bytes = 4320 * 7680 * 3
    for i in range(20):
        cache[i] = np.zeros((4320, 7680, 3), np.uint8)
        assert cache.nbytes <= max(256 * 2**20, frame_bytes)
    assert len(cache) == 256 * 2**20 // frame_bytes and 19 in cache


def test_a_single_frame_larger_than_the_bound_is_still_kept_and_replacing_counts_once():
    cache = FrameCache(max_frames=3, max_bytes=100)
    cache[1] = np.zeros(500, np.uint8)
    assert 1 in cache and cache.get(1).nbytes == 500
    cache[2] = np.zeros(10, np.uint8)
    cache[2] = np.zeros(20, np.uint8)
    assert len(cache) == 1 and cache.nbytes == 20
    cache.clear()
    assert len(cache) == 0 and cache.nbytes == 0 and cache.get(2) is None
