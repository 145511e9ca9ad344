"""Run NumPy work on both cores: split the batch (axis 0) into contiguous blocks, one per thread.

NumPy releases the GIL inside ufuncs, copies and BLAS calls, so threads that each work on
their own rows of an array run at the same time. The element-wise passes, copies and
reductions of a training step (im2col, ReLU, pooling, batch-norm statistics) run on one core
unless they are split like this; a convolution's GEMMs are split too (``matmul_by_rows``,
``matmul_summed_over_blocks``).

``map_blocks(fn, n, nbytes=...)`` calls ``fn(block)`` for contiguous slices ``block`` that
cover ``range(n)`` exactly once, in order, and returns the results in the same order: the
first block on the calling thread, the others on a small persistent pool. It runs inline
(one call, ``fn(slice(0, n))``) with one thread, when the work is smaller than
``MIN_PARALLEL_BYTES`` (handing a block to a thread costs ~100 microseconds), or when
called from inside a block (no nested pools).

While blocks run on the pool, BLAS is limited to one thread: the blocks already use every
core, and OpenBLAS runs threaded calls from two threads one after the other. So a GEMM on
a block's rows runs single-threaded beside the other blocks' GEMMs: the reference CNN's
conv2 (forward + backward) runs 1.16× faster than with BLAS's own threads
(benchmarks/README.md, "Speed, round 3").

The number of threads is the BLAS thread count when first needed (threadpoolctl reads it),
or what ``set_num_threads`` sets, as ``torch.set_num_threads`` does for PyTorch.
"""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from itertools import pairwise

import numpy as np
import threadpoolctl

from glassnet.errors import ConfigError

# Below this many bytes of work a block is not worth a thread: handing a block to a pool
# thread and waiting for it costs ~90 µs on the 2-core development VM (an empty map_blocks),
# and a ReLU pays for it only from ~5 MiB of output. 4 MiB measured best over PERF.md's
# workloads: against 1 MiB, the ResNet step 1.25x and MLP inference 1.13x faster, the rest
# unchanged (benchmarks/README.md, "Speed, round 3").
MIN_PARALLEL_BYTES = 4 << 20

_settings = {"threads": None, "pool": None}
_lock = threading.Lock()
_inside = threading.local()
_blas = {"libraries": None}  # threadpoolctl's controllers of the loaded BLAS libraries


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
    with _single_threaded_blas():
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


@contextmanager
def _single_threaded_blas():
    """BLAS runs one thread inside the context; on leaving, its thread count is restored.

    threadpoolctl lets only one thread change OpenBLAS's process-wide setting (the first
    that sets a limit, usually the main thread); from any other thread this does nothing,
    and the blocks' GEMMs then take turns on BLAS's threads: slower, never wrong.
    """
    if _blas["libraries"] is None:  # finding the libraries costs milliseconds: once
        _blas["libraries"] = threadpoolctl.ThreadpoolController().select(
            user_api="blas").lib_controllers
    previous = [library.get_num_threads() for library in _blas["libraries"]]
    for library in _blas["libraries"]:
        library.set_num_threads(1)
    try:
        yield
    finally:
        for library, threads in zip(_blas["libraries"], previous):
            library.set_num_threads(threads)


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


def matmul_by_rows(a, b, out):
    """``out = a @ b`` (NumPy's batched matmul), computed block by block of a's rows (axis −2),
    each block's GEMM single-threaded beside the others; ``out`` returned.

    Example:
        >>> import numpy as np
        >>> a, b = np.arange(6.0).reshape(1, 3, 2), np.ones((1, 2, 2))
        >>> matmul_by_rows(a, b, np.empty((1, 3, 2)))[0]
        array([[1., 1.],
               [5., 5.],
               [9., 9.]])
    """
    def run(rows):
        np.matmul(a[..., rows, :], b, out=out[..., rows, :])

    map_blocks(run, a.shape[-2], nbytes=a.nbytes + out.nbytes)
    return out


def matmul_summed_over_blocks(a, b):
    """``a @ b`` with the contracted axis (a's last, b's −2) split into blocks: one partial
    product per block, single-threaded beside the others, then their sum.

    For a long contraction with a small result, such as a weight gradient Gᵀ X summed over
    every output pixel of the batch.

    Example:
        >>> import numpy as np
        >>> a, b = np.ones((2, 5)), np.arange(10.0).reshape(5, 2)
        >>> matmul_summed_over_blocks(a, b)
        array([[20., 25.],
               [20., 25.]])
    """
    def run(inner):
        return np.matmul(a[..., inner], b[..., inner, :])

    return sum(map_blocks(run, a.shape[-1], nbytes=a.nbytes + b.nbytes))
