"""Learning-rate schedules: plain functions ``step -> lr``.

Each factory below returns a function of the step number t (0, 1, 2, ...) that gives the
learning rate as a float; pass it as ``lr=`` to any optimizer, which calls it with the
number of steps taken so far. Schedules compose because they are just functions:
``linear_warmup(cosine(0.1, 1000), 100)``. For a schedule in epochs, wrap it:
``lambda t: schedule(t // steps_per_epoch)``.

``ReduceOnPlateau`` is the one stateful helper: the trainer reports a validation metric to
it after each epoch, and it is also a function of the step, so it can be passed as ``lr=``.
"""

import itertools
import math
from collections.abc import Callable, Sequence

from glassnet.errors import ConfigError

Schedule = Callable[[int], float]


def constant(lr: float) -> Schedule:
    """lr_t = lr.

    Example:
        >>> constant(0.1)(1000)
        0.1
    """
    lr = _positive(lr, "lr", "constant")
    return lambda step: lr


def step_decay(lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    """lr_t = lr · γ^⌊t / step_size⌋: multiply by γ every ``step_size`` steps (or epochs).

    Example:
        >>> schedule = step_decay(0.1, step_size=10, gamma=0.5)
        >>> [schedule(t) for t in (0, 9, 10, 25)]
        [0.1, 0.1, 0.05, 0.025]
    """
    lr = _positive(lr, "lr", "step_decay")
    step_size = _positive_int(step_size, "step_size", "step_decay")
    gamma = _positive(gamma, "gamma", "step_decay")
    return lambda step: lr * gamma ** (step // step_size)


def exponential(lr: float, rate: float) -> Schedule:
    """lr_t = α0 · e^(−k·t) with α0 = ``lr`` and k = ``rate`` ≥ 0.

    Example:
        >>> round(exponential(0.1, rate=0.5)(2), 6)     # 0.1·e^−1
        0.036788
    """
    lr = _positive(lr, "lr", "exponential")
    rate = _non_negative(rate, "rate", "exponential")
    return lambda step: lr * math.exp(-rate * step)


def inverse_time(lr: float, rate: float) -> Schedule:
    """lr_t = α0 / (1 + k·t), the "1/t decay".

    Example:
        >>> inverse_time(0.1, rate=0.5)(2)      # 0.1 / 2
        0.05
    """
    lr = _positive(lr, "lr", "inverse_time")
    rate = _non_negative(rate, "rate", "inverse_time")
    return lambda step: lr / (1 + rate * step)


def cosine(
    lr: float,
    period: int,
    *,
    min_lr: float = 0.0,
    restarts: bool = False,
    period_multiplier: int = 1,
) -> Schedule:
    """Cosine annealing from ``lr`` down to ``min_lr`` over ``period`` steps.

    lr_t = min_lr + (lr − min_lr) · (1 + cos(π · t_cur / T)) / 2, where t_cur = t and
    T = ``period``; after the period the rate stays at ``min_lr``. With ``restarts``
    (SGDR), t_cur restarts from 0 at the end of each cycle and each cycle is
    ``period_multiplier`` times longer than the one before.

    Example:
        >>> schedule = cosine(1.0, period=10, min_lr=0.1)
        >>> [round(schedule(t), 4) for t in (0, 5, 10, 50)]
        [1.0, 0.55, 0.1, 0.1]
        >>> [round(cosine(1.0, 10, restarts=True)(t), 4) for t in (5, 10, 15)]
        [0.5, 1.0, 0.5]

    Reference: Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm
    Restarts" (ICLR 2017).
    """
    lr = _positive(lr, "lr", "cosine")
    period = _positive_int(period, "period", "cosine")
    min_lr = _non_negative(min_lr, "min_lr", "cosine")
    if min_lr > lr:
        raise ConfigError(f"cosine: expected min_lr <= lr, but got min_lr={min_lr}, lr={lr}.")
    period_multiplier = _positive_int(period_multiplier, "period_multiplier", "cosine")

    def schedule(step: int) -> float:
        position, length = step, period
        if restarts and period_multiplier == 1:
            position = step % period
        elif restarts:
            while position >= length:  # cycles grow geometrically: O(log step) rounds
                position -= length
                length *= period_multiplier
        elif position >= length:
            return min_lr
        return min_lr + (lr - min_lr) * (1 + math.cos(math.pi * position / length)) / 2

    return schedule


def linear_warmup(schedule: Schedule, warmup_steps: int) -> Schedule:
    """Ramp linearly up to ``schedule(0)`` over ``warmup_steps``, then follow ``schedule``.

    lr_t = schedule(0) · (t + 1) / W for t < W, and schedule(t − W) afterwards: the wrapped
    schedule starts its own clock when the warm-up ends, so ``linear_warmup(cosine(lr, T),
    W)`` warms up for W steps and then anneals over T more. The first step uses lr/W (not
    0, which would waste the step).

    Example:
        >>> schedule = linear_warmup(constant(0.4), warmup_steps=4)
        >>> [round(schedule(t), 6) for t in range(6)]
        [0.1, 0.2, 0.3, 0.4, 0.4, 0.4]

    Reference: Goyal et al., "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour"
    (2017).
    """
    if not callable(schedule):
        raise ConfigError(
            f"linear_warmup: expected a schedule (a function of the step), but got "
            f"{schedule!r}. Wrap a number with constant(lr)."
        )
    warmup_steps = _positive_int(warmup_steps, "warmup_steps", "linear_warmup")
    peak = float(schedule(0))

    def warmed_up(step: int) -> float:
        if step < warmup_steps:
            return peak * (step + 1) / warmup_steps
        return schedule(step - warmup_steps)

    return warmed_up


def one_cycle(
    max_lr: float,
    total_steps: int,
    *,
    pct_start: float = 0.3,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
) -> Schedule:
    """The 1cycle policy: cosine up from max_lr/div_factor to max_lr, then down to near 0.

    Phase 1 (steps 0 … pct_start·total − 1) rises from a0 = max_lr / div_factor to
    max_lr; phase 2 (to total − 1) falls to a0 / final_div_factor, each along half a cosine
    (PyTorch's ``OneCycleLR`` with ``anneal_strategy="cos"``). Steps past the end keep the
    final value.

    Example:
        >>> schedule = one_cycle(1.0, total_steps=10, pct_start=0.5, div_factor=10)
        >>> [round(schedule(t), 4) for t in (0, 4, 9)]
        [0.1, 1.0, 0.0]

    Reference: Smith & Topin, "Super-Convergence: Very Fast Training of Neural Networks
    Using Large Learning Rates" (2017).
    """
    max_lr = _positive(max_lr, "max_lr", "one_cycle")
    total_steps = _positive_int(total_steps, "total_steps", "one_cycle")
    if not 0 < pct_start < 1:
        raise ConfigError(f"one_cycle: expected pct_start in (0, 1), but got {pct_start}.")
    initial = max_lr / _positive(div_factor, "div_factor", "one_cycle")
    final = initial / _positive(final_div_factor, "final_div_factor", "one_cycle")
    peak_step = pct_start * total_steps - 1
    last_step = total_steps - 1
    if not 0 < peak_step < last_step:
        raise ConfigError(
            f"one_cycle: pct_start={pct_start} with total_steps={total_steps} leaves a phase "
            "without steps. Use more steps or a pct_start further from 0 and 1."
        )

    def schedule(step: int) -> float:
        if step <= peak_step:
            return _cosine_between(initial, max_lr, step / peak_step)
        fraction = min((step - peak_step) / (last_step - peak_step), 1.0)
        return _cosine_between(max_lr, final, fraction)

    return schedule


def piecewise(boundaries: Sequence[int], values: Sequence[float]) -> Schedule:
    """Piecewise constant: values[0] before boundaries[0], values[i] from boundaries[i−1].

    Example:
        >>> schedule = piecewise([10, 20], [0.1, 0.01, 0.001])
        >>> [schedule(t) for t in (0, 9, 10, 19, 20, 99)]
        [0.1, 0.1, 0.01, 0.01, 0.001, 0.001]
    """
    boundaries, values = list(boundaries), [float(v) for v in values]
    if len(values) != len(boundaries) + 1:
        raise ConfigError(
            f"piecewise: expected one more value than boundaries, but got "
            f"{len(boundaries)} boundaries and {len(values)} values."
        )
    if any(b <= a for a, b in itertools.pairwise(boundaries)) or any(b < 1 for b in boundaries):
        raise ConfigError(
            f"piecewise: expected strictly increasing positive boundaries, but got {boundaries}."
        )
    if any(not v >= 0 for v in values):
        raise ConfigError(f"piecewise: expected values >= 0, but got {values}.")

    def schedule(step: int) -> float:
        return values[sum(step >= b for b in boundaries)]

    return schedule


def scale_lr_for_batch(lr: float, batch: int, base_batch: int, rule: str = "linear") -> float:
    """The learning rate for batch size ``batch`` given one tuned at ``base_batch``.

    ``"linear"``: lr · batch / base_batch (Goyal et al. 2017: with k× the batch, take k×
    the step); ``"sqrt"``: lr · √(batch / base_batch), which keeps the gradient noise scale
    for adaptive methods (Krizhevsky, "One weird trick", 2014).

    Example:
        >>> scale_lr_for_batch(0.1, 1024, 256)
        0.4
        >>> scale_lr_for_batch(0.1, 1024, 256, rule="sqrt")
        0.2
    """
    lr = _positive(lr, "lr", "scale_lr_for_batch")
    batch = _positive_int(batch, "batch", "scale_lr_for_batch")
    base_batch = _positive_int(base_batch, "base_batch", "scale_lr_for_batch")
    if rule == "linear":
        return lr * batch / base_batch
    if rule == "sqrt":
        return lr * math.sqrt(batch / base_batch)
    raise ConfigError(f"scale_lr_for_batch: expected rule 'linear' or 'sqrt', but got {rule!r}.")


class ReduceOnPlateau:
    """Divide the learning rate when a monitored metric stops improving.

    Call ``update(metric)`` once per evaluation (usually per epoch). When the metric has
    not improved on the best value by more than ``threshold`` (relative) for more than
    ``patience`` evaluations, the rate is multiplied by ``factor`` (not below ``min_lr``)
    and ``cooldown`` evaluations pass before counting again. The object is a schedule: its
    value does not depend on the step, so pass it as ``lr=`` to an optimizer. Its state is
    not part of the optimizer's ``state_dict`` (which stores ``lr: None`` for any schedule):
    save ``plateau.state_dict()`` beside it to resume.

    Args:
        lr: the initial learning rate.
        mode: ``"min"`` (a loss) or ``"max"`` (an accuracy).
        factor: in (0, 1).
        patience: evaluations without improvement tolerated.
        threshold: relative improvement that counts (PyTorch's ``threshold_mode="rel"``).
        cooldown: evaluations to wait after a reduction.
        min_lr: the floor.

    Example:
        >>> plateau = ReduceOnPlateau(0.1, patience=1, factor=0.5)
        >>> [plateau.update(val_loss) for val_loss in [1.0, 0.9, 0.95, 0.92]]
        [False, False, False, True]
        >>> plateau(0)         # two evaluations without improvement > patience=1
        0.05
    """

    def __init__(
        self,
        lr: float,
        *,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ):
        where = "ReduceOnPlateau"
        if mode not in ("min", "max"):
            raise ConfigError(f"{where}: expected mode 'min' or 'max', but got {mode!r}.")
        if not 0 < factor < 1:
            raise ConfigError(f"{where}: expected factor in (0, 1), but got {factor}.")
        self.lr = _positive(lr, "lr", where)
        self.mode, self.factor = mode, float(factor)
        self.patience = _non_negative_int(patience, "patience", where)
        self.cooldown = _non_negative_int(cooldown, "cooldown", where)
        self.threshold = _non_negative(threshold, "threshold", where)
        self.min_lr = _non_negative(min_lr, "min_lr", where)
        self.best = None
        self.bad_evaluations = 0
        self.cooldown_left = 0

    def __call__(self, step: int) -> float:
        return self.lr

    def update(self, metric: float) -> bool:
        """Record one evaluation of the metric; return True when the rate was reduced."""
        metric = float(metric)
        if self.best is None or self._improved(metric):
            self.best, self.bad_evaluations = metric, 0
        else:
            self.bad_evaluations += 1
        if self.cooldown_left > 0:
            self.cooldown_left -= 1
            self.bad_evaluations = 0
        if self.bad_evaluations > self.patience:
            reduced = max(self.lr * self.factor, self.min_lr)
            self.bad_evaluations, self.cooldown_left = 0, self.cooldown
            changed = reduced < self.lr
            self.lr = reduced
            return changed
        return False

    def _improved(self, metric: float) -> bool:
        if self.mode == "min":
            return metric < self.best * (1 - self.threshold) if self.best >= 0 else (
                metric < self.best * (1 + self.threshold)
            )
        return metric > self.best * (1 + self.threshold) if self.best >= 0 else (
            metric > self.best * (1 - self.threshold)
        )

    def state_dict(self) -> dict:
        """The helper's state (JSON-friendly), to save with a checkpoint."""
        return {
            "lr": self.lr,
            "best": self.best,
            "bad_evaluations": self.bad_evaluations,
            "cooldown_left": self.cooldown_left,
        }

    def load_state_dict(self, state: dict) -> None:
        self.lr = float(state["lr"])
        self.best = state["best"]
        self.bad_evaluations = int(state["bad_evaluations"])
        self.cooldown_left = int(state["cooldown_left"])


def reduce_on_plateau(lr: float, **options) -> ReduceOnPlateau:
    """A ``ReduceOnPlateau`` helper (the schedule-factory spelling); options as there."""
    return ReduceOnPlateau(lr, **options)


# ----- helpers ------------------------------------------------------------------------------


def _cosine_between(start: float, end: float, fraction: float) -> float:
    return end + (start - end) * (1 + math.cos(math.pi * fraction)) / 2


def _positive(value, what: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ConfigError(f"{where}: expected {what} > 0, but got {value!r}.")
    return float(value)


def _non_negative(value, what: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ConfigError(f"{where}: expected {what} >= 0, but got {value!r}.")
    return float(value)


def _positive_int(value, what: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{where}: expected {what} to be an int >= 1, but got {value!r}.")
    return value


def _non_negative_int(value, what: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{where}: expected {what} to be an int >= 0, but got {value!r}.")
    return value
