"""Run a test inline (one thread) and through the batch-block thread pool.

``POOL_MODES`` are the fixture params: "inline" (1 thread) and "blocks" (3 threads, so the
blocks are uneven on most batch sizes, and no size threshold, so even the tests' small
arrays are split). Every fused-op test runs in both modes (``tests/ops/fused/conftest.py``).
"""

import contextlib

from glassnet.ops import parallel

POOL_MODES = ["inline", "blocks"]


@contextlib.contextmanager
def pool_mode(mode: str):
    previous, saved_min = parallel.get_num_threads(), parallel.MIN_PARALLEL_BYTES
    parallel.set_num_threads(1 if mode == "inline" else 3)
    parallel.MIN_PARALLEL_BYTES = 0
    try:
        yield
    finally:
        parallel.MIN_PARALLEL_BYTES = saved_min
        parallel.set_num_threads(previous)
