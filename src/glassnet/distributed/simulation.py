"""K workers in one process: synchronous and asynchronous SGD on a simulated clock.

The real engines (``sync``, ``async_sgd``) need several processes and give timings that
depend on the machine. These simulations run the same protocols in one process, on a
clock that advances by *drawn* compute times, so the trade-off can be studied on a laptop
with any number of workers and any spread of speeds:

- ``simulate_sync_sgd``: each step, every worker computes the gradient of its shard of the
  global batch (``shard_bounds``, batch norm per shard, running statistics averaged: as
  ``DataParallel``); the step takes as long as the *slowest* worker, plus the all-reduce.
- ``simulate_async_sgd``: each worker takes the next batch and the current weights, computes
  for a drawn time, and the server applies its gradient when it arrives, then hands the
  worker fresh weights and the next batch (as ``ParameterServer``: same batch order, same
  epoch boundary, same ``max_staleness`` rule, batch-norm statistics as deltas). The
  staleness of each gradient follows from the drawn times: equal times give exactly K − 1.
  Alternatively, ``staleness=`` draws each gradient's staleness directly from a chosen
  distribution (the analysts' model: the gradient applied at step t was computed at the
  weights of step t − τ; τ is clipped to ``max_staleness`` or 64), with no clock.

Compute-time models are functions ``(worker, examples, rng) -> seconds``:
``constant_time``, ``exponential_time``, ``lognormal_time``, and ``with_straggler``.
Staleness models are functions ``rng -> int``: ``constant_staleness``,
``uniform_staleness``, ``geometric_staleness``.

Example:
    >>> import numpy as np
    >>> from glassnet import models, nn, optim
    >>> from glassnet.data import blobs
    >>> X, y = blobs(100, 3, generator=np.random.default_rng(0))
    >>> model = models.mlp(2, [16], 3, generator=np.random.default_rng(0))
    >>> result = simulate_async_sgd(model, nn.CrossEntropyLoss(),
    ...                             optim.SGD(model.parameters(), lr=0.05), (X, y),
    ...                             workers=4, batch_size=16, steps=16,
    ...                             compute_time=constant_time(1e-3))
    >>> sorted(result.staleness_histogram().items())   # equal speeds: K − 1 after warm-up
    [(0, 1), (1, 1), (2, 1), (3, 13)]
"""

import heapq
import math
from collections import Counter, deque
from dataclasses import dataclass, field

import numpy as np

from glassnet.autograd.grad_mode import no_grad
from glassnet.creation import as_tensor
from glassnet.data import DataLoader
from glassnet.distributed.flat import float_buffers, trainable_parameters
from glassnet.distributed.sharding import shard_bounds
from glassnet.errors import ConfigError
from glassnet.random import resolve_generator

MAX_DRAWN_STALENESS = 64  # drawn staleness is clipped here (each step keeps one more state)


@dataclass
class Update:
    """One gradient that reached the server.

    Attributes:
        step: updates applied so far, this one included if applied.
        time: simulated seconds at which it arrived (NaN without a clock).
        worker: who computed it (-1 for a synchronous step: all of them).
        staleness: updates applied between its weights and its arrival.
        loss: its batch's loss at the weights it was computed on.
        applied: False if ``max_staleness`` dropped it.
    """

    step: int
    time: float
    worker: int
    staleness: int
    loss: float
    applied: bool = True


@dataclass
class SimulationResult:
    """What a simulation did: every update, and the evaluations along the way
    (``{"step", "time", "loss", "accuracy"}`` dicts)."""

    updates: list = field(default_factory=list)
    evaluations: list = field(default_factory=list)

    def staleness_histogram(self) -> dict:
        """{staleness: count} over the applied updates."""
        return dict(Counter(u.staleness for u in self.updates if u.applied))

    def mean_staleness(self) -> float:
        applied = [u.staleness for u in self.updates if u.applied]
        return sum(applied) / len(applied) if applied else 0.0


# ----- compute-time and staleness models ---------------------------------------------------


def constant_time(seconds_per_example: float):
    """Every worker takes exactly ``seconds_per_example`` × examples."""
    _check_positive(seconds_per_example, "constant_time")
    return lambda worker, examples, rng: seconds_per_example * examples


def exponential_time(seconds_per_example: float):
    """Exponentially distributed times with that mean: memoryless, a long right tail."""
    _check_positive(seconds_per_example, "exponential_time")
    return lambda worker, examples, rng: seconds_per_example * examples * rng.exponential()


def lognormal_time(seconds_per_example: float, sigma: float = 0.5):
    """Log-normal times with that mean and log-spread ``sigma`` (0 gives constant times)."""
    _check_positive(seconds_per_example, "lognormal_time")
    mu = -0.5 * sigma**2  # so that the mean factor is 1
    return lambda worker, examples, rng: (seconds_per_example * examples
                                          * rng.lognormal(mu, sigma))


def with_straggler(compute_time, *, worker: int = 0, factor: float = 4.0):
    """``compute_time``, but worker ``worker`` is ``factor`` times slower."""
    _check_positive(factor, "with_straggler")
    return lambda w, examples, rng: compute_time(w, examples, rng) * (factor if w == worker
                                                                      else 1.0)


def constant_staleness(tau: int):
    """Every gradient is exactly ``tau`` updates old (round-robin workers: τ = K − 1)."""
    return lambda rng: tau


def uniform_staleness(max_tau: int):
    """Staleness uniform on {0, …, ``max_tau``}."""
    return lambda rng: int(rng.integers(0, max_tau + 1))


def geometric_staleness(mean: float):
    """Staleness on {0, 1, …} with P(τ) ∝ (mean/(1+mean))^τ and the given mean."""
    _check_positive(mean, "geometric_staleness")
    return lambda rng: int(rng.geometric(1.0 / (1.0 + mean)) - 1)


# ----- synchronous -------------------------------------------------------------------------


def simulate_sync_sgd(model, loss_fn, optimizer, train, *, workers: int, batch_size: int,
                      steps: int, compute_time=None, allreduce_time: float = 0.0,
                      evaluate=None, eval_every: int = 10, generator=None,
                      time_generator=None, on_step=None) -> SimulationResult:
    """Synchronous data-parallel SGD with ``workers`` workers, simulated (see module doc).

    Args:
        model, loss_fn, optimizer: as for a Trainer; the model is trained in place.
        train: (X, y), shuffled each epoch by ``generator`` as a Trainer's loader would.
        workers: K, the number of workers the global batch is split over.
        batch_size: the global batch.
        steps: optimizer steps to take.
        compute_time: ``(worker, examples, rng) -> seconds`` (default: no clock, NaN times).
        allreduce_time: seconds every step spends in the all-reduce.
        evaluate: (X, y) on which to measure loss and accuracy every ``eval_every`` steps.
        generator: the data order; time_generator: the compute-time draws.
        on_step: called as ``on_step(step, model)`` after every applied update.
    """
    _check_common(workers, batch_size, steps, eval_every)
    if batch_size < workers:
        raise ConfigError(f"simulate_sync_sgd: expected batch_size >= workers ({workers}), "
                          f"but got {batch_size}.")
    time_rng = _time_generator(time_generator)
    batches = _Batches(len(train[0]), batch_size, generator)
    buffers = float_buffers(model)
    result, clock = SimulationResult(), 0.0
    _maybe_evaluate(result, model, loss_fn, evaluate, 0, clock, eval_every, force=True)
    for step in range(1, steps + 1):
        indices = batches.next_full(workers)
        optimizer.zero_grad()
        before = [b.copy() for b in buffers]
        summed = [np.zeros_like(b) for b in buffers]
        loss_total, times = 0.0, []
        for worker in range(workers):
            start, end = shard_bounds(len(indices), worker, workers)
            weight = (end - start) / len(indices)
            for buffer, old in zip(buffers, before):
                buffer[...] = old
            loss = _loss(model, loss_fn, train, indices[start:end])
            (loss * weight).backward()  # gradients add up over the shards: their weighted sum
            loss_total += weight * float(loss.item())
            for total, buffer in zip(summed, buffers):
                total += weight * buffer
            if compute_time is not None:
                times.append(compute_time(worker, end - start, time_rng))
        for buffer, total in zip(buffers, summed):
            buffer[...] = total
        optimizer.step()
        clock = clock + max(times) + allreduce_time if compute_time is not None else math.nan
        result.updates.append(Update(step, clock, -1, 0, loss_total))
        if on_step is not None:
            on_step(step, model)
        _maybe_evaluate(result, model, loss_fn, evaluate, step, clock, eval_every,
                        force=step == steps)
    return result


# ----- asynchronous ------------------------------------------------------------------------


def simulate_async_sgd(model, loss_fn, optimizer, train, *, workers: int, batch_size: int,
                       steps: int, compute_time=None, staleness=None,
                       max_staleness: int | None = None, evaluate=None, eval_every: int = 10,
                       generator=None, time_generator=None, on_step=None) -> SimulationResult:
    """Asynchronous SGD with a parameter server and ``workers`` workers, simulated.

    Give exactly one of ``compute_time`` (event-driven: staleness follows from the drawn
    times, as on real machines) and ``staleness`` (``rng -> τ``: each update uses the
    gradient at the weights of τ updates earlier; no clock). Other arguments as
    ``simulate_sync_sgd``; ``batch_size`` is each worker's batch (one update each).

    Raises:
        ConfigError: neither or both of ``compute_time`` and ``staleness``, or bad sizes.
    """
    _check_common(workers, batch_size, steps, eval_every)
    if (compute_time is None) == (staleness is None):
        raise ConfigError(
            "simulate_async_sgd: give exactly one of compute_time (simulated clock, staleness "
            "from the times) or staleness (a distribution of staleness, no clock)."
        )
    time_rng = _time_generator(time_generator)
    replica = _Replica(model, on_step)
    batches = _Batches(len(train[0]), batch_size, generator)
    result = SimulationResult()
    _maybe_evaluate(result, model, loss_fn, evaluate, 0, 0.0, eval_every, force=True)
    if staleness is not None:
        _run_fixed_staleness(replica, loss_fn, optimizer, train, batches, staleness,
                             max_staleness, steps, time_rng, result, evaluate, eval_every)
    else:
        _run_event_driven(replica, loss_fn, optimizer, train, batches, workers, compute_time,
                          max_staleness, steps, time_rng, result, evaluate, eval_every)
    return result


def _run_event_driven(replica, loss_fn, optimizer, train, batches, workers, compute_time,
                      max_staleness, steps, rng, result, evaluate, eval_every) -> None:
    model, version, clock = replica.model, 0, 0.0
    snapshots = {}  # version → [weights and buffers, number of tasks computing on it]
    in_flight, idle, retry, order = [], deque(range(workers)), deque(), 0

    def hand_out(now: float) -> None:
        nonlocal order
        while idle:
            indices = retry.popleft() if retry else batches.next_in_epoch()
            if indices is None:
                return  # the epoch's batches are all out: wait for its last gradients
            worker = idle.popleft()
            if version not in snapshots:
                snapshots[version] = [replica.snapshot(), 0]
            snapshots[version][1] += 1
            finish = now + compute_time(worker, len(indices), rng)
            heapq.heappush(in_flight, (finish, order, worker, version, indices))
            order += 1

    hand_out(clock)
    while version < steps:
        if not in_flight:  # epoch boundary, as the real server: a new epoch starts
            batches.new_epoch()
            hand_out(clock)
            continue
        clock, _, worker, base, indices = heapq.heappop(in_flight)
        tau = version - base
        applied = max_staleness is None or tau <= max_staleness
        loss = replica.gradient_at(snapshots[base][0], loss_fn, train, indices)
        snapshots[base][1] -= 1
        if snapshots[base][1] == 0:
            del snapshots[base]
        if applied:
            replica.apply(optimizer)
            version += 1
        else:
            retry.append(indices)
        result.updates.append(Update(version, clock, worker, tau, loss, applied))
        if applied:
            _maybe_evaluate(result, model, loss_fn, evaluate, version, clock, eval_every,
                            force=version == steps)
        idle.append(worker)
        hand_out(clock)


def _run_fixed_staleness(replica, loss_fn, optimizer, train, batches, staleness,
                         max_staleness, steps, rng, result, evaluate, eval_every) -> None:
    # The states of the last updates, newest last; older draws are clipped to the oldest.
    history = deque(maxlen=(max_staleness if max_staleness is not None else
                            MAX_DRAWN_STALENESS) + 1)
    for step in range(1, steps + 1):
        history.append(replica.snapshot())
        tau = int(staleness(rng))
        if tau < 0:
            raise ConfigError(f"simulate_async_sgd: staleness drew {tau}; expected τ >= 0.")
        tau = min(tau, len(history) - 1)  # nothing is older than the start (or the cap)
        indices = batches.next_full(1)
        loss = replica.gradient_at(history[-1 - tau], loss_fn, train, indices)
        replica.apply(optimizer)
        result.updates.append(Update(step, math.nan, 0, tau, loss))
        _maybe_evaluate(result, replica.model, loss_fn, evaluate, step, math.nan, eval_every,
                        force=step == steps)


class _Replica:
    """The server's model, and gradients computed at an older state of it."""

    def __init__(self, model, on_step=None):
        self.model = model
        self.on_step = on_step
        self.steps = 0
        self.params = trainable_parameters(model)
        self.buffers = float_buffers(model)
        self.delta = [np.zeros_like(b) for b in self.buffers]

    def snapshot(self) -> list:
        return [p.data.copy() for p in self.params] + [b.copy() for b in self.buffers]

    def gradient_at(self, snapshot: list, loss_fn, train, indices) -> float:
        """Gradients (in ``.grad``) and buffer deltas of the batch at ``snapshot``; the
        model's current state is put back afterwards. Returns the batch's loss."""
        current = self.snapshot()
        self._load(snapshot)
        self.model.train()
        for param in self.params:
            param.grad = None
        loss = _loss(self.model, loss_fn, train, indices)
        loss.backward()
        for delta, buffer, old in zip(self.delta, self.buffers, snapshot[len(self.params):]):
            np.subtract(buffer, old, out=delta)
        self._load(current)
        return float(loss.item())

    def apply(self, optimizer) -> None:
        optimizer.step()
        optimizer.zero_grad()
        for buffer, delta in zip(self.buffers, self.delta):
            buffer += delta
        self.steps += 1
        if self.on_step is not None:
            self.on_step(self.steps, self.model)

    def _load(self, snapshot: list) -> None:
        for array, saved in zip([p.data for p in self.params] + self.buffers, snapshot):
            array[...] = saved


class _Batches:
    """Each epoch's batches of example indices, in the order a Trainer's loader gives."""

    def __init__(self, n: int, batch_size: int, generator):
        self.loader = DataLoader((np.arange(n),), batch_size=batch_size, shuffle=True,
                                 generator=resolve_generator(generator))
        self.new_epoch()

    def new_epoch(self) -> None:
        self._epoch = (indices for (indices,) in self.loader)

    def next_in_epoch(self):
        return next(self._epoch, None)

    def next_full(self, minimum: int) -> np.ndarray:
        """The next batch with at least ``minimum`` examples, across epochs (a smaller last
        batch is skipped, as ``ShardedLoader`` does)."""
        while True:
            indices = self.next_in_epoch()
            if indices is None:
                self.new_epoch()
            elif len(indices) >= minimum:
                return indices


def _loss(model, loss_fn, train, indices):
    inputs, targets = train
    return loss_fn(model(as_tensor(inputs[indices])), targets[indices])


def _maybe_evaluate(result, model, loss_fn, evaluate, step, clock, every, *, force) -> None:
    if evaluate is None or not (force or step % every == 0):
        return
    if result.evaluations and result.evaluations[-1]["step"] == step:
        return
    inputs, targets = evaluate
    was_training = model.training
    model.eval()
    with no_grad():
        outputs = model(as_tensor(inputs))
        loss = float(loss_fn(outputs, targets).item())
    model.train(was_training)
    accuracy = float((outputs.data.argmax(axis=1) == np.asarray(targets)).mean())
    result.evaluations.append({"step": step, "time": clock, "loss": loss,
                               "accuracy": accuracy})


def _time_generator(generator):
    return generator if generator is not None else np.random.default_rng(0)


def _check_common(workers, batch_size, steps, eval_every) -> None:
    for name, value in (("workers", workers), ("batch_size", batch_size), ("steps", steps),
                        ("eval_every", eval_every)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ConfigError(f"simulation: expected {name} to be a positive integer, but "
                              f"got {value!r}.")


def _check_positive(value, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ConfigError(f"{where}: expected a positive number, but got {value!r}.")
