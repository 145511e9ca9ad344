"""Asynchronous SGD with a parameter server: rank 0 serves the weights, the others compute.

The protocol, for each worker (every rank but 0), in a loop::

    server → worker:  the current weights (version v) and a batch to work on
    worker:           the loss and gradient of that batch at those weights
    worker → server:  the gradient (and the loss)
    server:           applies it at once with the optimizer → version v' ≥ v + 1

Nobody waits for anybody: while one worker computes, the server applies the gradients of
the others. So a gradient usually arrives computed on weights that are no longer current;
its **staleness** is the number of updates the server applied in between (v' − 1 − v). With
one worker it is always 0, and training is plain SGD, step for step (tested); with K
workers it is about K − 1. Every gradient's staleness is written to the run folder
(``distributed.jsonl``, summarized in ``distributed.json``). With ``max_staleness`` the
server drops a gradient that is staler than that and hands its batch out again.

Data: the server alone shuffles (with the run's loader generator); it hands out the
epoch's batches in order to whichever worker asks next, so the workers see disjoint
shards of each epoch, sized by their speed. An epoch ends once all its gradients are in;
the server then evaluates, logs and checkpoints while the workers wait, as a single
process would. Batch-norm running statistics travel as deltas, applied like gradients.

Stopping: a signal at the server or at any worker (reported with its next gradient) stops
the run; gradients still on their way are not applied, their batches are saved in the
checkpoint as not yet done, and ``--resume auto`` hands them out first. Workers copy their
dropout generators from the same seed, so their dropout masks repeat across workers (not
across batches); async runs are not bit-for-bit repeatable anyway, because the arrival order
depends on timing.
"""

import signal
import time
from collections import deque

import numpy as np

from glassnet.creation import as_tensor
from glassnet.data import DataLoader
from glassnet.distributed.flat import FlatLayout, float_buffers, trainable_parameters
from glassnet.distributed.signals import SignalLatch, agreed, flags
from glassnet.distributed.step_log import StepLog
from glassnet.distributed.wire import GO, STOP, result_message, task_message
from glassnet.errors import ConfigError
from glassnet.train.resume import restore_training
from glassnet.train.state import TrainState


class _Model:
    """The parts of a model that travel: trainable parameters and float buffers."""

    def __init__(self, model):
        self.params = trainable_parameters(model)
        self.buffers = float_buffers(model)
        self.grad_layout = FlatLayout([p.shape for p in self.params])
        self.buffer_layout = FlatLayout([b.shape for b in self.buffers])
        self.dtype = np.result_type(*[p.dtype for p in self.params])

    def task(self, batch_size: int):
        return task_message(self.dtype, self.grad_layout.size, self.buffer_layout.size,
                            batch_size)

    def result(self):
        return result_message(self.dtype, self.grad_layout.size, self.buffer_layout.size,
                              len(self.params))


class ParameterServer:
    """Rank 0 of ``glassnet train --distributed async``: hold the model, apply gradients.

    Args:
        comm: the communicator; every other rank runs an ``AsyncWorker``.
        max_staleness: drop gradients staler than this many updates (None: apply all).

    Raises:
        ConfigError: fewer than 2 processes, or a negative ``max_staleness``.
    """

    writes_files = True

    def __init__(self, comm, *, max_staleness: int | None = None):
        _check_world(comm)
        if max_staleness is not None and (
            isinstance(max_staleness, bool) or not isinstance(max_staleness, int)
            or max_staleness < 0
        ):
            raise ConfigError(
                f"ParameterServer: expected max_staleness to be an integer >= 0 (or None), "
                f"but got {max_staleness!r}."
            )
        self.comm = comm
        self.workers = list(range(1, comm.world_size))
        self.max_staleness = max_staleness
        self.latch = SignalLatch(f"parameter server, rank 0 of {comm.world_size}")
        self.pending = deque()  # index arrays of batches handed out but not applied
        self.log = None

    def fit(self, trainer, train, val, *, epochs: int, batch_size: int, resume=None,
            folder=None) -> TrainState:
        """Serve ``epochs`` epochs of ``train`` to the workers; evaluate ``val`` each epoch.

        ``trainer`` supplies the model, optimizer, loader generator and callbacks (progress,
        history, checkpoints, ...), called as ``Trainer.fit`` calls them; ``folder`` gets
        distributed.jsonl.
        """
        if not isinstance(epochs, int) or epochs < 1:
            raise ConfigError(f"fit: expected epochs to be a positive integer, but got {epochs!r}.")
        self.trainer, self.parts = trainer, _Model(trainer.model)
        trainer.loader = DataLoader((np.arange(len(train[0])),), batch_size=batch_size,
                                    shuffle=True, generator=trainer.generator)
        self.task = self.parts.task(batch_size)
        self.result = self.parts.result()
        self.outstanding = {}  # worker → (indices, version it was sent)
        self.idle = deque(self.workers)
        trainer.callbacks.append(self)  # its pending batches go into the checkpoints
        state = TrainState(trainer=trainer, epochs=epochs)
        try:
            if resume is not None:
                restore_training(resume, state)
            if folder is not None:
                self.log = StepLog(folder, {"mode": "async", "world_size": self.comm.world_size,
                                            "workers": len(self.workers),
                                            "max_staleness": self.max_staleness})
                self.log.open(state.step)
            self.latch.install()
            self._notify("on_train_begin", state)
            while state.epoch < epochs and not state.should_stop:
                self._run_epoch(state, val)
            self._collect_outstanding()
            self._notify("on_train_end", state)  # checkpoints before any worker may exit
            self._stop_workers(state)
        finally:
            self.latch.restore()
            trainer.callbacks.remove(self)
            if self.log is not None:
                self.log.close()
        return state

    # ----- the server's loop ------------------------------------------------------------

    def _run_epoch(self, state, val) -> None:
        trainer = self.trainer
        trainer.model.train()
        state.batch = trainer.loader.state_dict()["batches_done"] - len(self.pending)
        self._notify("on_epoch_begin", state)
        started, self.totals = time.perf_counter(), np.zeros(3)  # loss sum, correct, seen
        batches = (indices for (indices,) in trainer.loader)
        while True:
            while self.idle and not state.should_stop:
                indices = self.pending.popleft() if self.pending else next(batches, None)
                if indices is None:
                    break
                self._send_task(self.idle.popleft(), indices, state.step)
            if not self.outstanding:
                break  # the epoch's work is done (or stopping)
            worker = self.comm.receive(self.result.buffer)
            self._apply_result(worker, state)
            self.idle.append(worker)
        if state.should_stop:
            return
        loss_sum, correct, seen = self.totals
        state.epoch += 1
        state.metrics = {
            "epoch": state.epoch,
            "loss": float(loss_sum / max(seen, 1)),
            "train_accuracy": float(correct / max(seen, 1)),
            **{f"val_{k}": v for k, v in (trainer.evaluate(val) if val is not None else {})
               .items()},
            "lr": trainer.optimizer.current_lr(),
            "seconds": time.perf_counter() - started,
        }
        state.history.append(state.metrics)
        self._notify("on_epoch_end", state)
        if self.log is not None:
            self.log.write_summary()

    def _send_task(self, worker: int, indices: np.ndarray, version: int) -> None:
        task, parts = self.task, self.parts
        parts.grad_layout.gather([p.data for p in parts.params], task["weights"])
        parts.buffer_layout.gather(parts.buffers, task["buffers"])
        task["header"][:] = (GO, len(indices), version, 0, 0)
        task["indices"][: len(indices)] = indices
        self.comm.send(task.buffer, worker)
        self.outstanding[worker] = (indices, version)

    def _apply_result(self, worker: int, state) -> None:
        result, parts = self.result, self.parts
        indices, version = self.outstanding.pop(worker)
        examples, correct, sigterm, sigint = result["header"].tolist()
        loss = float(result["loss"][0])
        staleness = state.step - version
        fresh = self.max_staleness is None or staleness <= self.max_staleness
        applied = fresh and not state.should_stop
        if applied:
            grads = parts.grad_layout.split(result["grads"])
            for param, grad, has_grad in zip(parts.params, grads, result["has_grad"]):
                param.grad = grad.astype(param.dtype, copy=False) if has_grad else None
            self._notify("on_before_step", state)
            self.trainer.optimizer.step()
            self.trainer.optimizer.zero_grad()
            for buffer, delta in zip(parts.buffers, parts.buffer_layout.split(
                    result["buffer_deltas"])):
                buffer += delta
            state.step += 1
            state.batch += 1
            state.batch_loss = loss
            if state.initial_loss is None:
                state.initial_loss = loss
            self.totals += (loss * examples, correct, examples)
        else:
            self.pending.append(indices)  # dropped, or stopping: its batch is not done
        if applied or not fresh:  # not the ones discarded because the run is stopping
            self._log(state, worker, staleness, applied, loss)
        if applied:
            self._notify("on_batch_end", state)
        own_sigterm, own_sigint = flags(self.latch.received)
        received = agreed(sigterm + own_sigterm, sigint + own_sigint)
        if received is not None and not state.should_stop:
            name = signal.Signals(received).name
            state.stop(f"interrupted by {name} at step {state.step}; the checkpoint holds "
                       "this exact position (resume with --resume auto)")
            state.signal = received

    def _log(self, state, worker: int, staleness: int, applied: bool, loss: float) -> None:
        if self.log is not None:
            self.log.append({"step": state.step, "time": round(self.log.elapsed(), 6),
                             "worker": worker, "staleness": staleness, "applied": applied,
                             "loss": loss})

    def _collect_outstanding(self) -> None:
        """Receive the gradients still on their way, unapplied: their batches stay to do."""
        while self.outstanding:
            worker = self.comm.receive(self.result.buffer)
            self.pending.append(self.outstanding.pop(worker)[0])

    def _stop_workers(self, state) -> None:
        header = self.task["header"]
        header[:] = (STOP, 0, state.step, state.signal or 0, int(state.failed))
        for worker in self.workers:
            self.comm.send(self.task.buffer, worker)

    def _notify(self, hook: str, state) -> None:
        for callback in self.trainer.callbacks:
            method = getattr(callback, hook, None)
            if method is not None:
                method(state)

    # ----- checkpointed state: the batches handed out but not applied -----------------------

    def state_dict(self) -> dict:
        sizes = [len(indices) for indices in self.pending]
        flat = np.concatenate(list(self.pending)) if self.pending else np.zeros(0, np.int64)
        return {"pending_indices": flat.astype(np.int64), "pending_sizes": sizes}

    def load_state_dict(self, state: dict) -> None:
        flat, sizes = np.asarray(state["pending_indices"]), state["pending_sizes"]
        self.pending = deque(np.split(flat, np.cumsum(sizes)[:-1])) if sizes else deque()

    def __repr__(self) -> str:
        return (f"ParameterServer({self.comm!r}, workers={len(self.workers)}, "
                f"max_staleness={self.max_staleness})")


class AsyncWorker:
    """Every rank but 0 of ``glassnet train --distributed async``: compute gradients of the
    batches the parameter server hands out, at the weights it sends with them.

    Args:
        comm: the communicator (rank 0 runs the ``ParameterServer``).
    """

    writes_files = False

    def __init__(self, comm):
        _check_world(comm)
        self.comm = comm
        self.latch = SignalLatch(f"worker, rank {comm.rank} of {comm.world_size}")

    def fit(self, trainer, train, val, *, epochs: int, batch_size: int, resume=None,
            folder=None) -> TrainState:
        """Work until the server says stop; ``val``, ``resume`` and ``folder`` are the
        server's business. Returns a TrainState with the steps this worker computed."""
        inputs, targets = train
        model, parts = trainer.model, _Model(trainer.model)
        task, result = parts.task(batch_size), parts.result()
        state = TrainState(trainer=trainer, epochs=epochs)
        model.train()
        self.latch.install()
        try:
            while True:
                self.comm.receive(task.buffer, source=0)
                command, count, _, stop_signal, failed = task["header"].tolist()
                if command == STOP:
                    _mirror_stop(state, stop_signal, failed)
                    return state
                parts.grad_layout.scatter(task["weights"], [p.data for p in parts.params])
                parts.buffer_layout.scatter(task["buffers"], parts.buffers)
                indices = task["indices"][:count]
                outputs = model(as_tensor(inputs[indices]))
                loss = trainer.loss_fn(outputs, targets[indices])
                trainer.optimizer.zero_grad()
                loss.backward()
                grads = [p.grad for p in parts.params]
                parts.grad_layout.gather(grads, result["grads"])
                deltas = result["buffer_deltas"]
                parts.buffer_layout.gather(parts.buffers, deltas)
                np.subtract(deltas, task["buffers"], out=deltas)
                result["has_grad"][:] = [grad is not None for grad in grads]
                result["header"][:] = (count, _count_correct(outputs.data, targets[indices]),
                                       *flags(self.latch.received))
                result["loss"][0] = float(loss.item())
                self.comm.send(result.buffer, 0)
                state.step += 1
        finally:
            self.latch.restore()

    def __repr__(self) -> str:
        return f"AsyncWorker({self.comm!r})"


def _check_world(comm) -> None:
    if comm.world_size < 2:
        raise ConfigError(
            "--distributed async: expected at least 2 processes (a parameter server and a "
            f"worker), but this run has {comm.world_size}. Start it with mpiexec, e.g. "
            "mpiexec -n 3 glassnet train --distributed async (1 server, 2 workers)."
        )


def _mirror_stop(state, stop_signal: int, failed: int) -> None:
    """The worker ends as the server's run did: interrupted, failed or done."""
    if stop_signal:
        state.stop(f"interrupted by {signal.Signals(stop_signal).name} (at the parameter "
                   "server's word)")
        state.signal = stop_signal
    elif failed:
        state.stop("the parameter server stopped the run (see its message)", failed=True)


def _count_correct(outputs: np.ndarray, targets: np.ndarray) -> int:
    if outputs.ndim != 2 or targets.ndim != 1 or targets.dtype.kind not in "iu":
        return 0
    return int((outputs.argmax(axis=1) == targets).sum())
