"""Programs that the MPI tests start under mpiexec, and the problem they share with the
single-process references the tests compute themselves.

    mpiexec -n 3 python -m tests.distributed.mpi_programs sync OUT.npz

trains the same small MLP on spiral data with ``DataParallel`` (once without and once with
batch norm), records the parameters and buffers after every step on rank 0, then checks
that a deliberately perturbed replica is detected, and saves it all to OUT.npz.
"""

import sys

import numpy as np

from glassnet import models, nn, optim
from glassnet.data import spiral
from glassnet.distributed import DataParallel, MPICommunicator
from glassnet.distributed.flat import float_buffers
from glassnet.distributed.launch import fail_together
from glassnet.errors import DistributedError
from glassnet.train.trainer import Trainer

BATCH_SIZE = 32  # 10, 11, 11 examples per shard on 3 processes: unequal shards on purpose
EPOCHS = 6  # 300 examples: 10 batches per epoch, 60 steps


def problem(batch_norm: bool, seed: int = 0):
    """The spiral data, an MLP (initialized with ``seed``) and its optimizer."""
    X, y = spiral(100, 3, generator=np.random.default_rng(42))
    model = models.mlp(2, [32], 3, batch_norm=batch_norm,
                       generator=np.random.default_rng(seed))
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    return model, optimizer, (X, y)


def state_vector(model) -> np.ndarray:
    """Every parameter and floating buffer of ``model``, flattened, in float64."""
    arrays = [p.data for p in model.parameters()] + float_buffers(model)
    return np.concatenate([a.ravel() for a in arrays]).astype(np.float64)


class RecordSteps:
    """Record ``state_vector`` after every optimizer step."""

    def __init__(self):
        self.steps = []

    def on_batch_end(self, state) -> None:
        self.steps.append(state_vector(state.trainer.model))


def train(batch_norm: bool, comm=None, seed: int = 0) -> np.ndarray:
    """Train ``problem(batch_norm, seed)`` (data-parallel over ``comm`` if given); return
    the state after each step, shape (steps, size)."""
    model, optimizer, data = problem(batch_norm, seed)
    recorder = RecordSteps()
    callbacks = [DataParallel(comm), recorder] if comm is not None else [recorder]
    trainer = Trainer(model, nn.CrossEntropyLoss(), optimizer, callbacks=callbacks,
                      generator=np.random.default_rng(0))
    trainer.fit(data, epochs=EPOCHS, batch_size=BATCH_SIZE)
    return np.array(recorder.steps), trainer


def sync_program(comm, out: str) -> None:
    # Each rank starts from other weights (seed = rank): DataParallel sends rank 0's.
    plain, _ = train(False, comm, seed=comm.rank)
    with_bn, trainer = train(True, comm, seed=comm.rank)
    parallel = DataParallel(comm)
    if comm.rank == 1:  # a replica that drifted: the check must notice on every rank
        next(iter(trainer.model.parameters())).data[0, 0] += 1e-3
    try:
        parallel.check_replicas(trainer.model)
        detected = 0.0
    except DistributedError:
        detected = 1.0
    detections = comm.allreduce(np.array([detected]))
    if comm.rank == 0:
        np.savez(out, plain=plain, batch_norm=with_bn, detections=detections,
                 world_size=comm.world_size)


if __name__ == "__main__":
    name, out = sys.argv[1:3]
    world = MPICommunicator(timeout=60)
    with fail_together(world, "mpi_programs"):
        {"sync": sync_program}[name](world, out)
