"""The learning-rate range test: sweep the learning rate up exponentially and watch the loss.

Train from the current weights for ``steps`` steps, multiplying the learning rate by the
same factor every step from ``start_lr`` to ``end_lr`` (Smith, "Cyclical Learning Rates for
Training Neural Networks", 2017). The loss is smoothed with a bias-corrected exponential
moving average; the sweep stops once the smoothed loss exceeds ``diverge`` × its minimum.
Two picks are shown together:

- **steepest**: where the smoothed loss falls fastest per decade of learning rate (the
  most negative slope d loss / d log lr, before the minimum);
- **minimum / 10**: a tenth of the learning rate at the lowest smoothed loss — one decade
  back from where the loss stops improving. This is the suggestion.

A curve that never falls by ``MIN_DROP`` of its starting value is refused: there is no
learning rate to read from it. The model's weights and the optimizer are restored.
"""

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from glassnet import optim
from glassnet.creation import as_tensor
from glassnet.diagnose.experiment import batches, clone_optimizer, saved_state
from glassnet.diagnose.messages import TABLE
from glassnet.errors import ConfigError
from glassnet.i18n import text

MIN_DROP = 0.05  # the smoothed loss must fall at least 5% below where it started
WARMUP_POINTS = 5  # the smoothing's first points are too noisy to stop the sweep on


@dataclass
class LRFindResult:
    """The sweep and what it suggests.

    Attributes:
        lrs, losses, smoothed: the learning rate, batch loss and smoothed loss per step.
        steepest_lr: the steepest-descent pick (None when refused).
        minimum_lr: the learning rate at the lowest smoothed loss.
        suggestion: minimum_lr / 10, or None when refused.
        refused: None, or why no learning rate can be suggested ("flat").
        diverged_at: the learning rate where the sweep stopped on divergence, or None.
    """

    lrs: list = field(default_factory=list)
    losses: list = field(default_factory=list)
    smoothed: list = field(default_factory=list)
    steepest_lr: float | None = None
    minimum_lr: float | None = None
    suggestion: float | None = None
    refused: str | None = None
    diverged_at: float | None = None

    def to_json(self) -> dict:
        return asdict(self)

    def describe(self, lang: str = "en") -> str:
        """The suggestion (or the refusal) in a sentence."""
        if self.refused is not None:
            drop = _drop(self.smoothed)
            return text(TABLE, f"lr_find.{self.refused}", lang, drop=drop, need=MIN_DROP)
        return text(TABLE, "lr_find.suggestion", lang, suggestion=_g(self.suggestion),
                    minimum=_g(self.minimum_lr), steepest=_g(self.steepest_lr))


def lr_find(model, loss_fn, train, *, optimizer=None, start_lr: float = 1e-7,
            end_lr: float = 10.0, steps: int = 100, batch_size: int = 64,
            smoothing: float = 0.98, diverge: float = 4.0, seed: int = 0) -> LRFindResult:
    """Run the learning-rate range test on ``model``.

    Args:
        model, loss_fn: what to train.
        train: (X, y) arrays.
        optimizer: its kind and settings are used (cloned; default Adam); only the
            learning rate is swept.
        start_lr, end_lr: the sweep's range (log-spaced).
        steps: the number of steps (and learning rates) of the sweep.
        batch_size: examples per step.
        smoothing: β of the exponential moving average of the loss.
        diverge: stop once the smoothed loss exceeds this many times its minimum.
        seed: the batch order.

    Returns:
        An ``LRFindResult``.

    Example:
        >>> import numpy as np
        >>> from glassnet import models, nn
        >>> from glassnet.data import blobs
        >>> X, y = blobs(200, 3, generator=np.random.default_rng(0))
        >>> model = models.mlp(2, [32], 3, generator=np.random.default_rng(0))
        >>> result = lr_find(model, nn.CrossEntropyLoss(), (X, y), steps=60)
        >>> result.refused is None and 1e-6 < result.suggestion < 10
        True
    """
    if not 0 < start_lr < end_lr:
        raise ConfigError(f"lr_find: expected 0 < start_lr < end_lr, but got start_lr="
                          f"{start_lr!r}, end_lr={end_lr!r}.")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 10:
        raise ConfigError(f"lr_find: expected steps to be an integer >= 10, but got {steps!r}.")
    if not 0 <= smoothing < 1:
        raise ConfigError(f"lr_find: expected smoothing in [0, 1), but got {smoothing!r}.")
    X, y = np.asarray(train[0]), np.asarray(train[1])
    if optimizer is None:
        optimizer = optim.Adam(model.parameters(), lr=1e-3)
    lrs = np.geomspace(start_lr, end_lr, steps)
    result = LRFindResult()
    with saved_state(model, optimizer), np.errstate(all="ignore"):
        sweep = clone_optimizer(optimizer)
        ratios = [_number_lr(g.lr) / _number_lr(sweep.param_groups[0].lr)
                  for g in sweep.param_groups]
        order = batches(X, y, batch_size, steps, np.random.default_rng(seed))
        average, best = 0.0, math.inf
        model.train()
        for i, (lr, index) in enumerate(zip(lrs, order)):
            for group, ratio in zip(sweep.param_groups, ratios):
                group.lr = float(lr) * ratio
            loss = loss_fn(model(as_tensor(X[index])), y[index])
            value = float(loss.item())
            if not math.isfinite(value):
                result.diverged_at = float(lr)
                break
            average = smoothing * average + (1 - smoothing) * value
            smoothed = average / (1 - smoothing ** (i + 1))
            result.lrs.append(float(lr))
            result.losses.append(value)
            result.smoothed.append(smoothed)
            best = min(best, smoothed)
            if i >= WARMUP_POINTS and smoothed > diverge * best:
                result.diverged_at = float(lr)
                break
            sweep.zero_grad()
            loss.backward()
            sweep.step()
    _suggest(result)
    return result


def _suggest(result: LRFindResult) -> None:
    smoothed = np.asarray(result.smoothed)
    if smoothed.size < 3 or _drop(result.smoothed) < MIN_DROP:
        result.refused = "flat"
        return
    lowest = int(np.argmin(smoothed))
    result.minimum_lr = result.lrs[lowest]
    result.suggestion = result.minimum_lr / 10
    # The first points of the average stand for a handful of batches: their slope is noise.
    first = min(max(WARMUP_POINTS, len(smoothed) // 10), lowest)
    if lowest - first >= 2:
        lrs = np.log(result.lrs[first : lowest + 1])
        slopes = np.gradient(smoothed[first : lowest + 1], lrs)
        result.steepest_lr = result.lrs[first + int(np.argmin(slopes))]
    else:
        result.steepest_lr = result.minimum_lr


def _drop(smoothed) -> float:
    """How far the smoothed loss fell below its start, as a share of the start."""
    if len(smoothed) < 2 or not smoothed[0]:
        return 0.0
    return float((smoothed[0] - min(smoothed)) / abs(smoothed[0]))


def _number_lr(lr) -> float:
    return float(lr(0)) if callable(lr) else float(lr)


def _g(value) -> str:
    return "—" if value is None else f"{value:.3g}"
