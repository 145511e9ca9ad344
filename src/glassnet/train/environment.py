"""What a run ran on: versions, the BLAS NumPy uses and the thread settings, for the run
folder's environment.json, so that timings and results can be compared honestly later."""

import os
import platform
import sys

import numpy as np

from glassnet import __version__

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def environment() -> dict:
    """Versions, BLAS and thread settings of this process (JSON-friendly).

    Example:
        >>> sorted(environment())
        ['blas', 'cpu_count', 'glassnet', 'machine', 'numpy', 'python', 'thread_variables']
    """
    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    return {
        "glassnet": __version__,
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "blas": {key: blas.get(key) for key in ("name", "version", "openblas configuration")},
        "thread_variables": {name: os.environ.get(name) for name in THREAD_VARIABLES},
        "cpu_count": os.cpu_count(),
        "machine": f"{platform.system()} {platform.machine()}",
    }
