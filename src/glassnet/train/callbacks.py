"""Small callbacks: early stopping, the divergence guard, gradient clipping, stepping a
plateau schedule and the EMA of weights. Each reads the TrainState and changes only what its name
says. (Progress, history and checkpoints have files of their own.)"""

import math

from glassnet.errors import ConfigError


def metric_improved(value: float, best: float | None, mode: str, min_delta: float) -> bool:
    """Whether ``value`` beats ``best`` by more than ``min_delta`` ("min" or "max" mode)."""
    if best is None:
        return True
    return value < best - min_delta if mode == "min" else value > best + min_delta


def check_monitor(monitor: str, mode: str, where: str) -> None:
    if mode not in ("min", "max"):
        raise ConfigError(f"{where}: expected mode 'min' or 'max', but got {mode!r}.")
    if not isinstance(monitor, str) or not monitor:
        raise ConfigError(f"{where}: expected a metric name such as 'val_loss', got {monitor!r}.")


def read_metric(state, monitor: str, where: str) -> float:
    if monitor not in state.metrics:
        raise ConfigError(
            f"{where}: the metric {monitor!r} is not recorded; available: "
            f"{sorted(state.metrics)}. Pass validation data for 'val_*' metrics."
        )
    return state.metrics[monitor]


class EarlyStopping:
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience``
    epochs; with ``restore_best``, put back the weights of the best epoch at the end.

    Example:
        >>> stopper = EarlyStopping(monitor="val_loss", patience=3)
    """

    def __init__(self, monitor: str = "val_loss", *, patience: int = 5, min_delta: float = 0.0,
                 mode: str = "min", restore_best: bool = True):
        check_monitor(monitor, mode, "EarlyStopping")
        if not isinstance(patience, int) or patience < 1:
            raise ConfigError(f"EarlyStopping: expected patience >= 1, but got {patience!r}.")
        self.monitor, self.patience, self.min_delta = monitor, patience, min_delta
        self.mode, self.restore_best = mode, restore_best
        self.best = None
        self.best_epoch = 0
        self.best_weights = None
        self.epochs_without_improvement = 0

    def on_epoch_end(self, state) -> None:
        value = read_metric(state, self.monitor, "EarlyStopping")
        if metric_improved(value, self.best, self.mode, self.min_delta):
            self.best, self.best_epoch = value, state.epoch
            self.epochs_without_improvement = 0
            if self.restore_best:
                self.best_weights = state.trainer.model.state_dict()
            return
        self.epochs_without_improvement += 1
        if self.epochs_without_improvement >= self.patience:
            state.stop(
                f"early stopping: {self.monitor} has not improved for {self.patience} epochs "
                f"(best {self.best:.6g} at epoch {self.best_epoch})"
            )

    def on_train_end(self, state) -> None:
        if self.restore_best and self.best_weights is not None and state.stop_reason:
            state.trainer.model.load_state_dict(self.best_weights)

    def state_dict(self) -> dict:
        """The patience count, the best value and (with ``restore_best``) its weights."""
        return {"best": self.best, "best_epoch": self.best_epoch,
                "epochs_without_improvement": self.epochs_without_improvement,
                "best_weights": self.best_weights}

    def load_state_dict(self, state: dict) -> None:
        self.best, self.best_epoch = state["best"], state["best_epoch"]
        self.epochs_without_improvement = state["epochs_without_improvement"]
        self.best_weights = state["best_weights"]


class DivergenceGuard:
    """Stop a run whose loss is NaN/Inf or exceeds ``factor`` × its initial value — the
    lecture's rule for a learning rate that is too high."""

    def __init__(self, factor: float = 3.0):
        if not factor > 1:
            raise ConfigError(f"DivergenceGuard: expected factor > 1, but got {factor!r}.")
        self.factor = factor

    def on_batch_end(self, state) -> None:
        reason = divergence(state.batch_loss, state.initial_loss, state.step, self.factor)
        if reason is not None:
            state.stop(reason, failed=True)


def divergence(loss: float, initial_loss: float, step: int, factor: float = 3.0) -> str | None:
    """Why training with this loss has diverged, with the lecture's advice; None if it has
    not: the loss is NaN/Inf, or more than ``factor`` × its initial value.

    Example:
        >>> divergence(0.5, 2.3, step=10) is None
        True
        >>> divergence(float("nan"), 2.3, step=10)[:41]
        'the loss became nan at step 10: training '
    """
    if not math.isfinite(loss):
        return (f"the loss became {loss} at step {step}: training diverged. The learning "
                "rate is most likely too high (try 10x smaller), or the inputs contain "
                "NaN/Inf or are not normalized.")
    if loss > factor * initial_loss:
        return (f"the loss {loss:.4g} at step {step} exceeds {factor:g}x its initial "
                f"value {initial_loss:.4g}: training is diverging. The learning rate is "
                "most likely too high (try 10x smaller).")
    return None


class GradientClipping:
    """Clip the gradients after backward and before the update, by global norm or by value."""

    def __init__(self, *, max_norm: float | None = None, max_value: float | None = None):
        if (max_norm is None) == (max_value is None):
            raise ConfigError("GradientClipping: pass exactly one of max_norm or max_value.")
        self.max_norm, self.max_value = max_norm, max_value
        self.last_norm = math.nan

    def on_before_step(self, state) -> None:
        from glassnet.optim import clip_grad_norm, clip_grad_value

        parameters = list(state.trainer.model.parameters())
        if self.max_norm is not None:
            self.last_norm = float(clip_grad_norm(parameters, self.max_norm))
        else:
            clip_grad_value(parameters, self.max_value)


class ReduceLROnPlateau:
    """Step a plateau schedule: after every epoch, give ``monitor`` to ``plateau`` (an
    ``optim.schedule.ReduceOnPlateau``, which the optimizer was built with as ``lr=``); it
    lowers the rate once the metric stops improving.

    Example:
        >>> from glassnet.optim.schedule import ReduceOnPlateau
        >>> plateau = ReduceOnPlateau(0.1, patience=2)
        >>> callback = ReduceLROnPlateau(plateau, monitor="val_loss")
    """

    def __init__(self, plateau, monitor: str = "val_loss"):
        check_monitor(monitor, "min", "ReduceLROnPlateau")
        self.plateau, self.monitor = plateau, monitor

    def on_epoch_end(self, state) -> None:
        self.plateau.update(read_metric(state, self.monitor, "ReduceLROnPlateau"))

    def state_dict(self) -> dict:
        return self.plateau.state_dict()

    def load_state_dict(self, state: dict) -> None:
        self.plateau.load_state_dict(state)


class EMAWeights:
    """Keep an exponential moving average of the weights, updated after every step; at the
    end of training the averaged weights replace the model's (``optim.EMA``)."""

    def __init__(self, decay: float = 0.999):
        self.decay = decay
        self.ema = None

    def on_train_begin(self, state) -> None:
        from glassnet.optim import EMA

        self.ema = EMA(state.trainer.model, decay=self.decay)

    def on_batch_end(self, state) -> None:
        self.ema.update()

    def on_train_end(self, state) -> None:
        self.ema.swap_in()

