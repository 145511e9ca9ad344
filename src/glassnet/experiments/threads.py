"""Dividing the machine between worker processes (comparison jobs, search workers): each
gets its share of the cores as BLAS threads, set in its environment before NumPy loads, so
that jobs × threads ≤ cores. Oversubscribed BLAS threads on busy cores slow a run many times
over (benchmarks/README.md, "Comparisons").
"""

import os

BLAS_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                  "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def worker_environment(threads: int) -> dict:
    """This process's environment with every BLAS library limited to ``threads`` threads."""
    return {**os.environ, **{name: str(threads) for name in BLAS_VARIABLES}}


def current_threads() -> str:
    """The BLAS thread setting of this process, for a report's environment section."""
    values = {os.environ.get(name) for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    values.discard(None)
    return ", ".join(sorted(values)) or f"default ({cores()} cores)"
