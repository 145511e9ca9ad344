"""``DataParallel``: synchronous data-parallel SGD — n processes train one model as one.

Every process holds a full copy of the model. Each step:

1. every process takes its shard of the same global batch (``sharding``) and computes the
   loss and gradients of its shard;
2. one ``Allreduce`` on one flat buffer sums, over the processes, each shard's gradient
   weighted by its share of the batch (``n_r / b``), which is the gradient of the mean loss
   over the whole global batch; batch norm's running statistics and a few control values
   (the loss, whether a signal arrived) ride in the same buffer;
3. every process applies the same optimizer step to the same summed gradient, so the copies
   stay identical (checked after every epoch).

With ``b`` examples per global batch this is single-process training with batch ``b``, step
for step, up to float round-off in the order of the sums (tested against it over 50+ steps).

Batch normalization: each process normalizes with the statistics of *its own shard* (as
PyTorch's DistributedDataParallel does without SyncBatchNorm: "ghost batch norm" with
ghost batches of ``b / n``), so with batch norm the result is not the single-process one.
The running mean and variance are averaged over the processes after every step, weighted
by shard size: the running mean then follows the global batch's mean exactly as in one
process, the running variance the average within-shard variance (smaller than the global
variance by the spread between shard means). Every copy keeps identical buffers, so
evaluation is the same on every process.

Rank 0 leads: it alone evaluates on the validation set (and shares the numbers), writes
the run folder, the log and the checkpoints, and prints progress. At the start it sends its
whole training state (weights, optimizer, data position, random generators: a resumed
checkpoint included) to the others. A signal (SIGTERM, Ctrl-C) is shared in the next
step's buffer, so all processes stop after the same step and rank 0 saves that position.
"""

import math
import signal
import time
import zlib

import numpy as np

from glassnet.distributed.communicator import SingleProcess
from glassnet.distributed.flat import FlatLayout, float_buffers, trainable_parameters
from glassnet.distributed.sharding import ShardedLoader
from glassnet.distributed.signals import SignalLatch, agreed, flags
from glassnet.distributed.state_transfer import broadcast_training_state
from glassnet.distributed.step_log import StepLog
from glassnet.errors import DistributedError

CONTROL = 3  # the loss share, SIGTERM seen, SIGINT seen


class DataParallel:
    """Synchronous data parallelism for a ``Trainer``: a callback, and the role of each
    process in ``glassnet.train.run.run(config, role=...)``.

    Args:
        comm: the communicator (default: ``SingleProcess()``, one process).

    Every process must build the same Trainer with the same data and the same loader
    generator (seed): the batches are derived, not sent. The weights need not be equal at
    the start: rank 0's are sent to everyone.

    Example:
        >>> import numpy as np
        >>> from glassnet import models, nn, optim
        >>> from glassnet.data import blobs
        >>> from glassnet.train.trainer import Trainer
        >>> X, y = blobs(64, 3, generator=np.random.default_rng(0))
        >>> model = models.mlp(2, [8], 3, generator=np.random.default_rng(0))
        >>> trainer = Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1),
        ...                   callbacks=[DataParallel()], generator=np.random.default_rng(0))
        >>> state = trainer.fit((X, y), epochs=2, batch_size=16)   # one process: plain training
        >>> state.step                  # 3 blobs of 64 points: 12 batches per epoch
        24
    """

    def __init__(self, comm=None):
        self.comm = comm if comm is not None else SingleProcess()
        rank, size = self.comm.rank, self.comm.world_size
        self.latch = SignalLatch(f"rank {rank} of {size}")
        self.log = None
        self.allreduce_seconds = math.nan

    @property
    def writes_files(self) -> bool:
        """Only rank 0 writes the run folder."""
        return self.comm.rank == 0

    def fit(self, trainer, train, val, *, epochs: int, batch_size: int, resume=None,
            folder=None):
        """``trainer.fit`` on this process's shards, with this object as the first callback.

        Only rank 0 evaluates ``val`` and resumes from ``resume`` (the others receive its
        state); ``folder`` is the run folder, where rank 0 writes distributed.jsonl.
        """
        leader = self.comm.rank == 0
        if leader and folder is not None:
            self.log = StepLog(folder, {"mode": "sync", "world_size": self.comm.world_size})
        trainer.callbacks.insert(0, self)
        try:
            state = trainer.fit(train, val if leader else None, epochs=epochs,
                                batch_size=batch_size, resume=resume if leader else None)
        finally:
            trainer.callbacks.remove(self)
        # Nobody leaves before rank 0 has saved: mpiexec ends the whole job as soon as one
        # process exits with an error code (143 after SIGTERM), checkpoint written or not.
        self.comm.barrier()
        return state

    # ----- Trainer hooks ----------------------------------------------------------------

    def on_train_begin(self, state) -> None:
        trainer, comm = state.trainer, self.comm
        broadcast_training_state(comm, state)
        if not isinstance(trainer.loader, ShardedLoader):
            trainer.loader = ShardedLoader(trainer.loader, comm.rank, comm.world_size)
        self.params = trainable_parameters(trainer.model)
        self.buffers = float_buffers(trainer.model)
        self.grad_layout = FlatLayout([p.shape for p in self.params])
        self.buffer_layout = FlatLayout([b.shape for b in self.buffers])
        dtype = np.result_type(*[p.dtype for p in self.params])
        sizes = (self.grad_layout.size, self.buffer_layout.size, len(self.params), CONTROL)
        self.vector = np.zeros(sum(sizes), dtype)
        ends = np.cumsum(sizes)
        self.grads, self.buffer_part, self.has_grad, self.control = np.split(
            self.vector, ends[:-1])
        self.global_loss, self.signal = math.nan, None
        self.latch.install()
        if self.log is not None:
            self.log.open(state.step)

    def on_epoch_begin(self, state) -> None:
        self.epoch_examples, self.epoch_loss_sum, self.epoch_batch_examples = 0, 0.0, 0

    def on_before_step(self, state) -> None:
        loader = state.trainer.loader
        weight = loader.shard_size / loader.batch_size_now
        grads = [p.grad for p in self.params]
        self.grad_layout.gather(grads, self.grads, scale=weight)
        self.buffer_layout.gather(self.buffers, self.buffer_part, scale=weight)
        self.has_grad[:] = [grad is not None for grad in grads]
        self.control[:] = (state.batch_loss * weight, *flags(self.latch.received))
        self.first_step = state.initial_loss is None
        started = time.perf_counter()
        self.comm.allreduce(self.vector)
        self.allreduce_seconds = time.perf_counter() - started
        for param, grad, count in zip(self.params, self.grad_layout.split(self.grads),
                                      self.has_grad):
            param.grad = grad.astype(param.dtype, copy=False) if count > 0 else None
        self.buffer_layout.scatter(self.buffer_part, self.buffers)
        self.global_loss = float(self.control[0])
        self.signal = agreed(self.control[1], self.control[2])

    def on_batch_end(self, state) -> None:
        loader = state.trainer.loader
        state.batch_loss = self.global_loss
        if self.first_step:
            state.initial_loss = self.global_loss
        self.epoch_examples += loader.shard_size
        self.epoch_loss_sum += self.global_loss * loader.batch_size_now
        self.epoch_batch_examples += loader.batch_size_now
        if self.log is not None:
            self.log.append({"step": state.step, "time": round(self.log.elapsed(), 6),
                             "loss": self.global_loss,
                             "allreduce_seconds": round(self.allreduce_seconds, 7)})
        if self.signal is not None and not state.should_stop:
            name = signal.Signals(self.signal).name
            state.stop(f"interrupted by {name} at step {state.step} (all "
                       f"{self.comm.world_size} processes); the checkpoint holds this exact "
                       "position (resume with --resume auto)")
            state.signal = self.signal

    def on_epoch_end(self, state) -> None:
        """Turn this process's epoch numbers into the global ones, the same everywhere."""
        metrics = state.metrics
        leader = self.comm.rank == 0
        has_val = "val_loss" in metrics
        totals = np.array([
            round(metrics["train_accuracy"] * self.epoch_examples), self.epoch_examples,
            metrics.get("val_loss", 0.0) if leader else 0.0,
            metrics.get("val_accuracy", 0.0) if leader else 0.0,
            float(has_val) if leader else 0.0,
        ])
        self.comm.allreduce(totals)
        correct, seen, val_loss, val_accuracy, val_given = totals
        metrics["loss"] = self.epoch_loss_sum / max(self.epoch_batch_examples, 1)
        metrics["train_accuracy"] = float(correct / max(seen, 1))
        if val_given:
            metrics["val_loss"], metrics["val_accuracy"] = float(val_loss), float(val_accuracy)
        self.check_replicas(state.trainer.model)
        if self.log is not None:
            self.log.write_summary()

    def on_train_end(self, state) -> None:
        self.latch.restore()
        if self.log is not None:
            self.log.close()

    # ----- checks -----------------------------------------------------------------------

    def check_replicas(self, model) -> None:
        """Raise if the processes' copies of the model differ (they never should)."""
        checksum = 0
        for _, array in sorted(model.state_dict().items()):
            checksum = zlib.crc32(np.ascontiguousarray(array).tobytes(), checksum)
        extremes = np.array([checksum, -checksum], np.float64)
        self.comm.allreduce(extremes, op="max")
        if extremes[0] != -extremes[1]:
            raise DistributedError(
                f"rank {self.comm.rank} of {self.comm.world_size}: the copies of the model "
                "differ between processes after the same steps. The MPI library's "
                "all-reduce did not give every process the same bits, or a process changed "
                "its weights on its own (a callback?). Report it with the MPI version."
            )

    def __repr__(self) -> str:
        return f"DataParallel({self.comm!r})"
