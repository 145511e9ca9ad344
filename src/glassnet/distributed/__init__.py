"""Training across processes and machines: synchronous and asynchronous data-parallel SGD.

- ``communicator``: the interface (rank, world size, all-reduce, broadcast, barrier) and
  ``SingleProcess``, the default world of one;
- ``mpi``: ``MPICommunicator`` on mpi4py (the ``mpi`` extra), with a deadline on every wait;
- ``sync``: ``DataParallel``, one all-reduce of one flat buffer per step;
- ``async_sgd``: ``ParameterServer`` (rank 0) and ``AsyncWorker`` (the others), staleness
  recorded for every gradient;
- ``simulation``: K asynchronous (or synchronous) workers simulated in one process, with a
  chosen distribution of compute times or of staleness, for plots on a laptop;
- ``launch``: ``glassnet train --distributed sync|async`` → this process's role.

From the command line::

    mpiexec -n 4 glassnet train --distributed sync --model mlp --batch-size 256
    mpiexec -n 5 glassnet train --distributed async --max-staleness 8
"""

from glassnet.distributed.async_sgd import AsyncWorker, ParameterServer
from glassnet.distributed.communicator import Communicator, SingleProcess
from glassnet.distributed.mpi import MPICommunicator
from glassnet.distributed.sharding import ShardedLoader, shard_bounds
from glassnet.distributed.sync import DataParallel

__all__ = [
    "AsyncWorker",
    "Communicator",
    "DataParallel",
    "MPICommunicator",
    "ParameterServer",
    "ShardedLoader",
    "SingleProcess",
    "shard_bounds",
]
