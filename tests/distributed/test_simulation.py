"""The single-process simulation of K workers: it agrees with the real engines where they
are exact, and its staleness and clock behave as the protocol says."""

import math

import numpy as np
import pytest

from glassnet import models, nn, optim
from glassnet.data import blobs, spiral
from glassnet.distributed.simulation import (
    constant_staleness,
    constant_time,
    exponential_time,
    geometric_staleness,
    lognormal_time,
    simulate_async_sgd,
    simulate_sync_sgd,
    uniform_staleness,
    with_straggler,
)
from glassnet.errors import ConfigError
from glassnet.train.trainer import Trainer

DATA = spiral(60, 3, generator=np.random.default_rng(3))  # 180 points: 6 batches of 30


def setup(lr=0.05):
    model = models.mlp(2, [24], 3, generator=np.random.default_rng(0))
    return model, optim.SGD(model.parameters(), lr=lr, momentum=0.9)


def weights(model) -> np.ndarray:
    return np.concatenate([p.data.ravel() for p in model.parameters()])


def plain_sgd(steps_epochs=5) -> np.ndarray:
    model, optimizer = setup()
    Trainer(model, nn.CrossEntropyLoss(), optimizer,
            generator=np.random.default_rng(0)).fit(DATA, epochs=steps_epochs, batch_size=30)
    return weights(model)


def test_sync_simulation_equals_one_process_with_the_global_batch():
    model, optimizer = setup()
    result = simulate_sync_sgd(model, nn.CrossEntropyLoss(), optimizer, DATA, workers=4,
                               batch_size=30, steps=30, generator=np.random.default_rng(0))
    assert np.abs(weights(model) - plain_sgd()).max() < 1e-5  # float32 round-off
    assert all(math.isnan(u.time) and u.staleness == 0 for u in result.updates)


@pytest.mark.parametrize("options", [{"compute_time": exponential_time(1e-3)},
                                     {"staleness": constant_staleness(0)}])
def test_async_simulation_with_one_worker_or_no_staleness_is_plain_sgd(options):
    model, optimizer = setup()
    result = simulate_async_sgd(model, nn.CrossEntropyLoss(), optimizer, DATA, workers=1,
                                batch_size=30, steps=30, generator=np.random.default_rng(0),
                                **options)
    np.testing.assert_array_equal(weights(model), plain_sgd())
    assert result.mean_staleness() == 0


def test_equal_compute_times_make_every_gradient_k_minus_1_stale_after_the_start():
    model, optimizer = setup(lr=0.01)
    result = simulate_async_sgd(model, nn.CrossEntropyLoss(), optimizer, DATA, workers=3,
                                batch_size=30, steps=36, compute_time=constant_time(1e-3),
                                generator=np.random.default_rng(0))
    # Each epoch starts with all workers on the same weights: 0, 1, 2, then 2, 2, 2.
    assert [u.staleness for u in result.updates[:6]] == [0, 1, 2, 2, 2, 2]
    assert result.staleness_histogram() == {0: 6, 1: 6, 2: 24}
    assert result.updates[-1].time == pytest.approx(12 * 30e-3)  # 36 updates / 3 workers


def test_sync_waits_for_its_slowest_worker_and_async_does_not():
    common = {"workers": 4, "batch_size": 30, "steps": 24, "generator":
              np.random.default_rng(0), "time_generator": np.random.default_rng(1)}
    slow = with_straggler(constant_time(1e-3), worker=0, factor=4.0)
    model, optimizer = setup()
    sync = simulate_sync_sgd(model, nn.CrossEntropyLoss(), optimizer, DATA,
                             compute_time=slow, allreduce_time=0.002, **common)
    # Shards of 7, 8, 7, 8 examples; the straggler's 7 take 28 ms, plus 2 ms all-reduce.
    assert sync.updates[0].time == pytest.approx(0.030)
    assert sync.updates[-1].time == pytest.approx(24 * 0.030)
    model, optimizer = setup()
    common["generator"] = np.random.default_rng(0)
    larger = spiral(200, 3, generator=np.random.default_rng(3))  # 20 batches per epoch
    asynchronous = simulate_async_sgd(model, nn.CrossEntropyLoss(), optimizer, larger,
                                      compute_time=slow, **common)
    fast_workers = {u.worker for u in asynchronous.updates[:6]}
    assert 0 not in fast_workers  # the straggler's first gradient arrives after six others
    assert max(u.staleness for u in asynchronous.updates if u.worker == 0) >= 6


def test_max_staleness_drops_and_redoes_stale_gradients():
    model, optimizer = setup(lr=0.01)
    result = simulate_async_sgd(model, nn.CrossEntropyLoss(), optimizer, DATA, workers=4,
                                batch_size=30, steps=24, compute_time=lognormal_time(1e-3),
                                max_staleness=1, generator=np.random.default_rng(0))
    applied = [u for u in result.updates if u.applied]
    assert len(applied) == 24 and max(u.staleness for u in applied) <= 1
    assert any(not u.applied for u in result.updates)
    assert all(u.staleness > 1 for u in result.updates if not u.applied)


@pytest.mark.parametrize("staleness, mean", [(constant_staleness(3), 3.0),
                                             (uniform_staleness(4), 2.0),
                                             (geometric_staleness(2.0), 2.0)])
def test_drawn_staleness_follows_the_chosen_distribution(staleness, mean):
    model, optimizer = setup(lr=0.005)
    result = simulate_async_sgd(model, nn.CrossEntropyLoss(), optimizer, DATA, workers=1,
                                batch_size=30, steps=400, staleness=staleness,
                                generator=np.random.default_rng(0),
                                time_generator=np.random.default_rng(7))
    assert result.mean_staleness() == pytest.approx(mean, abs=0.3)


def test_async_loss_still_falls_with_stale_gradients_and_evaluations_are_recorded():
    model, optimizer = setup(lr=0.02)
    data = blobs(100, 3, generator=np.random.default_rng(3))
    result = simulate_async_sgd(model, nn.CrossEntropyLoss(), optimizer, data, workers=4,
                                batch_size=30, steps=120, compute_time=exponential_time(1e-3),
                                evaluate=data, eval_every=30,
                                generator=np.random.default_rng(0))
    steps = [e["step"] for e in result.evaluations]
    assert steps == [0, 30, 60, 90, 120]
    assert result.evaluations[-1]["loss"] < 0.5 * result.evaluations[0]["loss"]
    assert result.mean_staleness() > 1


def test_simulation_arguments_are_checked():
    model, optimizer = setup()
    loss = nn.CrossEntropyLoss()
    with pytest.raises(ConfigError, match="exactly one of compute_time"):
        simulate_async_sgd(model, loss, optimizer, DATA, workers=2, batch_size=30, steps=1)
    with pytest.raises(ConfigError, match="workers to be a positive integer"):
        simulate_sync_sgd(model, loss, optimizer, DATA, workers=0, batch_size=30, steps=1)
    with pytest.raises(ConfigError, match="batch_size >= workers"):
        simulate_sync_sgd(model, loss, optimizer, DATA, workers=8, batch_size=4, steps=1)
    with pytest.raises(ConfigError, match="positive number"):
        exponential_time(0.0)
    with pytest.raises(ConfigError, match="expected τ >= 0"):
        simulate_async_sgd(model, loss, optimizer, DATA, workers=1, batch_size=30, steps=1,
                           staleness=lambda rng: -1)
