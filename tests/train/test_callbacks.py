"""Callbacks one by one: clipping, the plateau schedule, EMA weights, progress output."""

import io

import numpy as np
import pytest

from glassnet import models, optim
from glassnet.data import blobs
from glassnet.errors import ConfigError
from glassnet.nn import CrossEntropyLoss
from glassnet.optim.schedule import ReduceOnPlateau
from glassnet.train.callbacks import EMAWeights, GradientClipping, ReduceLROnPlateau
from glassnet.train.progress import Progress
from glassnet.train.trainer import Trainer


def data():
    return blobs(40, 3, generator=np.random.default_rng(0))


def trainer_with(callbacks, lr=0.01):
    generator = np.random.default_rng(0)
    model = models.mlp(2, [16], 3, generator=generator)
    return Trainer(model, CrossEntropyLoss(), optim.SGD(model.parameters(), lr=lr),
                   callbacks=callbacks, generator=generator)


class GradientNorms:
    """Record the global gradient norm seen by the optimizer step."""

    def __init__(self):
        self.norms = []

    def on_before_step(self, state):
        grads = [p.grad for p in state.trainer.model.parameters()]
        self.norms.append(float(np.sqrt(sum((g.astype(np.float64) ** 2).sum() for g in grads))))


def test_gradient_clipping_caps_the_norm_the_optimizer_sees():
    clipping, seen = GradientClipping(max_norm=0.05), GradientNorms()
    trainer_with([clipping, seen]).fit(data(), epochs=2, batch_size=32)
    assert max(seen.norms) <= 0.05 * (1 + 1e-5)
    assert clipping.last_norm > 0.05  # the raw norm was larger: clipping did something


def test_gradient_clipping_needs_exactly_one_limit():
    with pytest.raises(ConfigError, match="exactly one"):
        GradientClipping()
    with pytest.raises(ConfigError, match="exactly one"):
        GradientClipping(max_norm=1.0, max_value=1.0)


def test_plateau_schedule_lowers_the_rate_when_validation_stalls():
    plateau = ReduceOnPlateau(0.5, factor=0.1, patience=0, threshold=10.0)  # never "improves"
    generator = np.random.default_rng(0)
    model = models.mlp(2, [16], 3, generator=generator)
    trainer = Trainer(model, CrossEntropyLoss(), optim.SGD(model.parameters(), lr=plateau),
                      callbacks=[ReduceLROnPlateau(plateau)], generator=generator)
    state = trainer.fit(data(), data(), epochs=4, batch_size=64)
    # The first epoch sets the best; each later one fails to improve and cuts the rate that
    # the next epoch uses ("lr" records the rate an epoch trained with).
    assert [round(record["lr"], 6) for record in state.history] == [0.5, 0.5, 0.05, 0.005]


class WeightRecorder:
    """Record the raw weights at the start and after every step (after EMAWeights's update,
    which comes first in the callback list)."""

    def __init__(self):
        self.snapshots = []

    def on_train_begin(self, state):
        self.on_batch_end(state)

    def on_batch_end(self, state):
        self.snapshots.append([p.data.astype(np.float64) for p in state.trainer.model.parameters()])


def test_ema_weights_end_as_the_moving_average_of_every_step():
    ema, recorder = EMAWeights(decay=0.75), WeightRecorder()
    trainer = trainer_with([ema, recorder], lr=0.1)
    trainer.fit(data(), epochs=2, batch_size=32)
    # θ̄_0 = θ_0, then θ̄_t = 0.75·θ̄_{t−1} + 0.25·θ_t after each of the 8 steps.
    initial, *steps = recorder.snapshots
    assert len(steps) == 8
    expected = initial
    for weights in steps:
        expected = [0.75 * average + 0.25 * w for average, w in zip(expected, weights)]
    averaged = [p.data for p in trainer.model.parameters()]
    for got, want, last in zip(averaged, expected, steps[-1]):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
        assert np.abs(want - last).max() > 1e-3  # the average is not just the last weights
    ema.ema.swap_out()
    for raw, last in zip(trainer.model.parameters(), steps[-1]):
        np.testing.assert_array_equal(raw.data, last)


def test_progress_prints_plain_lines_and_the_epoch_line_without_a_terminal():
    stream = io.StringIO()
    trainer_with([Progress(stream=stream, lines_per_epoch=2)]).fit(data(), data(), epochs=2,
                                                                   batch_size=10)
    text = stream.getvalue()
    assert "epoch 1/2: batch 6/12" in text and "samples/s" in text
    assert "Finished epoch 2 / 2: cost " in text
    assert "\r" not in text


def test_progress_bar_on_request():
    stream = io.StringIO()
    trainer_with([Progress(bar=True, stream=stream)]).fit(data(), epochs=1, batch_size=10)
    assert "\r" in stream.getvalue()  # tqdm redraws in place
    assert "Finished epoch 1 / 1" in stream.getvalue()
