"""Run NumPy work on both cores: split the batch (axis 0) into contiguous blocks, one per thread.

NumPy releases the GIL inside ufuncs, copies and BLAS calls, so threads that each work on
their own rows of an array run at the same time. The GEMMs already use every core through
BLAS; the element-wise passes, copies and reductions around them (im2col, ReLU, pooling,
batch-norm statistics) run on one core unless they are split like this.

``map_blocks(fn, n, nbytes=...)`` calls ``fn(block)`` for contiguous slices ``block`` that
cover ``range(n)`` exactly once, in order, and returns the results in the same order: the
first block on the calling thread, the others on a small persistent pool. It runs inline
(one call, ``fn(slice(0, n))``) with one thread, when the work is smaller than
``MIN_PARALLEL_BYTES`` (handing a block to a thread costs tens of microseconds), or when
called from inside a block (no nested pools).

The number of threads is the BLAS thread count when first needed (threadpoolctl reads it),
or what ``set_num_threads`` sets, as ``torch.set_num_threads`` does for PyTorch.
"""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import threadpoolctl

from glassnet.errors import ConfigError

# Below this many bytes of work a block is not worth a thread: at ~10 GB/s one MiB is
# ~100 µs of copying, against 20–50 µs to wake a pool thread and wait for it.
MIN_PARALLEL_BYTES = 1 << 20

_settings = {"threads": None, "pool": None}
_lock = threading.Lock()
_inside = threading.local()


def get_num_threads() -> int:
    """The number of threads ``map_blocks`` splits work over (the BLAS thread count unless
    ``set_num_threads`` was called).

    Example:
        >>> get_num_threads() >= 1
        True
    """
    if _settings["threads"] is None:
        counts = [info["num_threads"] for info in threadpoolctl.threadpool_info()
                  if info["user_api"] == "blas"]
        _settings["threads"] = max(counts, default=1)
    return _settings["threads"]


def set_num_threads(threads: int) -> None:
    """Use ``threads`` threads (1: everything inline) for glassnet's work outside the GEMMs.

    BLAS keeps its own setting (``threadpoolctl.threadpool_limits``).

    Raises:
        ConfigError: ``threads`` is not an int >= 1.

    Example:
        >>> previous = get_num_threads()
        >>> set_num_threads(1)
        >>> get_num_threads()
        1
        >>> set_num_threads(previous)
    """
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ConfigError(f"set_num_threads: expected an int >= 1, but got {threads!r}.")
    with _lock:
        if _settings["pool"] is not None:
            _settings["pool"].shutdown(wait=True)
        _settings["threads"], _settings["pool"] = threads, None


def batch_blocks(n: int, parts: int) -> list[slice]:
    """``parts`` contiguous slices of ``range(n)`` (fewer when n < parts) whose sizes differ
    by at most one.

    Example:
        >>> batch_blocks(5, 2)
        [slice(0, 3, None), slice(3, 5, None)]
    """
    parts = max(1, min(parts, n))
    size, extra = divmod(n, parts)
    bounds = [i * size + min(i, extra) for i in range(parts + 1)]
    return [slice(start, stop) for start, stop in pairwise(bounds)]


def map_blocks(fn: Callable[[slice], object], n: int, *, nbytes: int) -> list:
    """``[fn(block) for block in batch_blocks(n, threads)]``, the blocks run concurrently.

    Args:
        fn: called once per block with a slice of ``range(n)``; it must only write rows of
            its own block (the blocks run at the same time).
        n: the number of rows (usually the batch size).
        nbytes: roughly how many bytes the whole call reads and writes; below
            ``MIN_PARALLEL_BYTES`` everything runs inline.

    Returns:
        The results of ``fn``, in block order.

    Raises:
        Whatever ``fn`` raises (from the first block that raised, in block order), after
        every block has finished.

    Example:
        >>> import numpy as np
        >>> x = np.arange(6.0)
        >>> float(sum(map_blocks(lambda block: x[block].sum(), len(x), nbytes=x.nbytes)))
        15.0
    """
    threads = get_num_threads()
    if threads == 1 or nbytes < MIN_PARALLEL_BYTES or n < 2 or getattr(_inside, "block", False):
        return [fn(slice(0, n))]
    first, *rest = batch_blocks(n, threads)
    futures = [_pool(threads).submit(_run_inside, fn, block) for block in rest]
    try:
        results = [_run_inside(fn, first)]
    finally:
        others = [future.exception() for future in futures]  # waits for every block
    errors = [error for error in others if error is not None]
    if errors:
        raise errors[0]
    return results + [future.result() for future in futures]


def _run_inside(fn, block):
    """``fn(block)``, marked as running inside a block so nested calls run inline."""
    _inside.block = True
    try:
        return fn(block)
    finally:
        _inside.block = False


def _pool(threads: int) -> ThreadPoolExecutor:
    """The persistent pool: ``threads - 1`` workers (the calling thread runs one block)."""
    with _lock:
        if _settings["pool"] is None:
            _settings["pool"] = ThreadPoolExecutor(threads - 1, thread_name_prefix="glassnet")
        return _settings["pool"]


def blockwise(fn: Callable, out, *arrays):
    """``fn(*arrays, out=out)`` computed block by block of the batch, and ``out`` returned.

    For element-wise NumPy functions (ufuncs), whose result for rows ``block`` depends only
    on the same rows of the inputs; every array has the batch as axis 0.

    Example:
        >>> import numpy as np
        >>> x = np.array([[-1.0, 2.0], [3.0, -4.0]])
        >>> blockwise(np.maximum, np.empty_like(x), x, 0.0)
        array([[0., 2.],
               [3., 0.]])
    """
    if out.ndim == 0:
        return fn(*arrays, out=out)

    def run(block):
        fn(*(_rows(a, block) for a in arrays), out=out[block])

    map_blocks(run, len(out), nbytes=out.nbytes * (1 + len(arrays)))
    return out


def _rows(a, block):
    """Rows ``block`` of an array with the batch axis first; a scalar as it is."""
    return a[block] if getattr(a, "ndim", 0) > 0 else a


def row_sums(rows):
    """Σ over axis 0 of ``rows`` (M, C): one partial sum per block, then their sum.

    Example:
        >>> import numpy as np
        >>> row_sums(np.arange(6.0).reshape(3, 2))
        array([6., 9.])
    """
    return sum(map_blocks(lambda block: rows[block].sum(axis=0), len(rows), nbytes=rows.nbytes))
