"""Starting real MPI jobs from the tests: the mpiexec command, or a skip that says why.

CI (``.ci/services/mpi.sh``) installs Open MPI and exports ``GLASSNET_TEST_MPIEXEC`` and
``GLASSNET_TEST_MPIEXEC_FLAGS``; elsewhere ``mpiexec`` on the PATH is used, with Open MPI's
``--oversubscribe`` (more processes than cores) and, as root, ``--allow-run-as-root``. Under
``GLASSNET_CI_STRICT=1`` a missing runtime fails the tests instead of skipping them.
"""

import os
import shlex
import shutil
import subprocess
import sys

import pytest

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _find_mpiexec() -> tuple[str | None, list, str]:
    command = os.environ.get("GLASSNET_TEST_MPIEXEC") or shutil.which("mpiexec")
    if command is None:
        return None, [], ("no mpiexec: install an MPI runtime (apt-get install openmpi-bin) "
                          "or set GLASSNET_TEST_MPIEXEC")
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return None, [], "mpi4py is not installed (uv sync --extra mpi)"
    flags = os.environ.get("GLASSNET_TEST_MPIEXEC_FLAGS")
    if flags is not None:
        return command, shlex.split(flags), ""
    version = subprocess.run([command, "--version"], capture_output=True, text=True).stdout
    flags = []
    if "Open MPI" in version or "OpenRTE" in version:
        flags = ["--oversubscribe"] + (["--allow-run-as-root"] if os.geteuid() == 0 else [])
    return command, flags, ""


MPIEXEC, FLAGS, MISSING = _find_mpiexec()


def require_mpiexec() -> None:
    """Skip (or, in CI, fail) the calling test when no MPI runtime can run here."""
    if MPIEXEC is None:
        if os.environ.get("GLASSNET_CI_STRICT") == "1":
            pytest.fail(f"CI needs an MPI runtime: {MISSING}")
        pytest.skip(MISSING)


def mpiexec(n: int, *command: str) -> list:
    """The argument list that starts ``command`` on ``n`` processes."""
    require_mpiexec()
    return [MPIEXEC, *FLAGS, "-n", str(n), *command]


def glassnet(n: int, *arguments: str) -> list:
    """``glassnet ARGUMENTS`` on ``n`` processes, with this test's Python."""
    return mpiexec(n, sys.executable, "-m", "glassnet.cli.main", *arguments)


def environment() -> dict:
    """One BLAS thread per process (several share two cores), run from the repository."""
    return dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                PYTHONPATH=REPOSITORY + os.pathsep + os.environ.get("PYTHONPATH", ""))
