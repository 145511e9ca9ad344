"""From ``glassnet train --distributed sync|async`` to this process's role, and failing together.

``make_role`` connects to the other processes (MPI) and returns what this process does:
``DataParallel`` on every rank for sync; ``ParameterServer`` on rank 0 and ``AsyncWorker``
elsewhere for async. ``fail_together`` makes an error in one process end all of them
instead of leaving the others waiting for it.
"""

import os
import sys
import traceback
from contextlib import contextmanager

from glassnet.distributed.async_sgd import AsyncWorker, ParameterServer
from glassnet.distributed.mpi import DEFAULT_TIMEOUT, MPICommunicator
from glassnet.distributed.sync import DataParallel
from glassnet.errors import ConfigError, GlassnetError

MODES = ("sync", "async")


def make_role(mode: str, *, max_staleness: int | None = None,
              timeout: float = DEFAULT_TIMEOUT, comm=None):
    """This process's part in a ``mode`` run over the processes of ``comm`` (default: MPI's
    world, which needs mpi4py and an MPI runtime; the error says how to get them).

    Raises:
        ConfigError: an unknown mode, ``max_staleness`` with sync, async with one process,
            or MPI missing.
    """
    if mode not in MODES:
        raise ConfigError(f"--distributed: expected one of {list(MODES)}, but got {mode!r}.")
    if max_staleness is not None and mode != "async":
        raise ConfigError(
            f"--max-staleness: bounds the staleness of asynchronous updates, but the mode is "
            f"{mode!r}. Use it with --distributed async, or leave it out."
        )
    comm = comm if comm is not None else MPICommunicator(timeout=timeout)
    if mode == "sync":
        if comm.world_size == 1 and comm.rank == 0:
            print("glassnet train: --distributed sync with a single process; start it with "
                  "mpiexec -n N to train on N processes.", file=sys.stderr, flush=True)
        return DataParallel(comm)
    if comm.rank == 0:
        return ParameterServer(comm, max_staleness=max_staleness)
    return AsyncWorker(comm)


@contextmanager
def fail_together(comm, command: str = "glassnet train"):
    """On an error in this process, say so and end every process of the job (``abort``).

    A process that simply exits would leave the others blocked in their next collective
    until their timeout; MPI_Abort ends the whole job at once. A GlassnetError is printed as
    its message (the user's mistake or a lost process), anything else with its traceback.
    In a world of one process, the error propagates as usual.
    """
    try:
        yield
    except BaseException as error:
        if comm.world_size == 1 or isinstance(error, SystemExit):
            raise
        who = f"{command} (rank {comm.rank} of {comm.world_size})"
        if isinstance(error, GlassnetError):
            message = f"{who}: {error}\n"
        else:
            message = f"{who}: unexpected error, ending all processes:\n" + "".join(
                traceback.format_exception(error))
        sys.stdout.flush()
        os.write(2, message.encode())
        comm.abort(1)
        raise  # not reached: abort ends this process too
