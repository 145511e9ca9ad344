"""The communicator: what data-parallel training needs from the processes it runs on.

Five things, named as in MPI (and in ``torch.distributed``):

- ``rank``: this process's number, 0 … ``world_size`` − 1 (rank 0 leads: it writes files);
- ``world_size``: how many processes take part;
- ``allreduce(array, op)``: every process passes an array of the same shape and dtype and
  gets back, in the same array, the element-wise sum (or max, min) over all processes;
- ``broadcast(array, root)``: every process gets ``root``'s array, in its own array;
- ``barrier()``: wait until every process has arrived.

The asynchronous parameter server also sends and receives point to point (``send`` and
``receive``). ``SingleProcess`` is the default: a world of one, where every collective is
the identity, so code written for several processes runs unchanged in one.
``glassnet.distributed.mpi.MPICommunicator`` is the real one, on mpi4py.

Example:
    >>> import numpy as np
    >>> comm = SingleProcess()
    >>> comm.rank, comm.world_size
    (0, 1)
    >>> comm.allreduce(np.array([1.0, 2.0]))
    array([1., 2.])
"""

from typing import Protocol

import numpy as np

from glassnet.errors import ConfigError

REDUCE_OPS = ("sum", "max", "min")


class Communicator(Protocol):
    """The interface every communicator provides (see the module docstring)."""

    rank: int
    world_size: int

    def allreduce(self, array: np.ndarray, op: str = "sum") -> np.ndarray: ...

    def broadcast(self, array: np.ndarray, root: int = 0) -> np.ndarray: ...

    def barrier(self) -> None: ...


class SingleProcess:
    """A world of one process: collectives return their input; nothing is sent anywhere."""

    rank = 0
    world_size = 1

    def allreduce(self, array: np.ndarray, op: str = "sum") -> np.ndarray:
        """The sum (or max, min) over one process: ``array`` itself."""
        check_reduce_op(op, "SingleProcess.allreduce")
        return array

    def broadcast(self, array: np.ndarray, root: int = 0) -> np.ndarray:
        """Root 0's array, which is ``array`` itself."""
        check_root(root, self.world_size, "SingleProcess.broadcast")
        return array

    def barrier(self) -> None:
        """Nothing to wait for."""

    def send(self, array: np.ndarray, dest: int) -> None:
        raise ConfigError(
            f"SingleProcess.send: there is no process {dest} in a world of one. Start the "
            "program with mpiexec and use an MPICommunicator."
        )

    def receive(self, array: np.ndarray, source: int | None = None) -> int:
        raise ConfigError(
            "SingleProcess.receive: no other process can send in a world of one. Start the "
            "program with mpiexec and use an MPICommunicator."
        )

    def abort(self, code: int = 1) -> None:
        """Nothing to stop but this process, which the caller ends itself."""

    def __repr__(self) -> str:
        return "SingleProcess()"


def check_reduce_op(op: str, where: str) -> str:
    if op not in REDUCE_OPS:
        raise ConfigError(f"{where}: expected op to be one of {list(REDUCE_OPS)}, but got {op!r}.")
    return op


def check_root(root: int, world_size: int, where: str) -> int:
    if isinstance(root, bool) or not isinstance(root, (int, np.integer)) or not (
        0 <= root < world_size
    ):
        raise ConfigError(
            f"{where}: expected a root rank in [0, {world_size}), but got {root!r}."
        )
    return int(root)


def check_buffer(array, where: str) -> np.ndarray:
    """Collectives work in place on NumPy buffers: contiguous arrays, nothing else."""
    if not isinstance(array, np.ndarray):
        raise ConfigError(
            f"{where}: expected a NumPy array, but got {type(array).__name__}. Pass the "
            "array itself (e.g. tensor.data), which receives the result in place."
        )
    if not array.flags.c_contiguous or not array.flags.writeable:
        raise ConfigError(
            f"{where}: expected a C-contiguous, writable array (it receives the result in "
            "place), but got a view. Pass np.ascontiguousarray(array) and use what is returned."
        )
    return array
