"""Short, repeatable training experiments, and putting everything back afterwards.

The doctor trains the user's model many times from the same start (the preflight's
overfitting check, the zeroed-input baseline, the main short run, the counter-experiments).
These helpers make that safe and fair:

- ``saved_state(model)`` snapshots the parameters, buffers, train/eval mode and every
  random generator the model draws from, and restores them on exit;
- ``clone_optimizer`` builds a fresh optimizer of the user's kind and settings over the
  same parameters (optionally with the learning rate or weight decay scaled), so the
  user's own optimizer is never stepped;
- ``train_steps`` runs a plain loop over given batches and returns the losses.
"""

import contextlib
import math

import numpy as np

from glassnet import optim
from glassnet.autograd.grad_mode import no_grad
from glassnet.creation import as_tensor
from glassnet.diagnose.telemetry import preserve_randomness_and_buffers
from glassnet.errors import ConfigError
from glassnet.nn import Dropout


@contextlib.contextmanager
def saved_state(model, optimizer=None):
    """Restore ``model`` (parameters, buffers, mode, generators) and ``optimizer`` (its
    state and learning rates) to what they are now when the block ends."""
    saved = [(p, p.data.copy(), None if p.grad is None else p.grad.copy())
             for p in model.parameters()]
    modes = [(module, module.training) for module in model.modules()]
    restore_random = preserve_randomness_and_buffers(model)
    optimizer_state = optimizer.state_dict() if optimizer is not None else None
    try:
        yield
    finally:
        for p, data, grad in saved:
            if p.data.shape == data.shape and p.data.dtype == data.dtype:
                p.data[...] = data
            else:
                p.data = data
            p.grad = grad
        for module, mode in modes:
            module.training = mode
        restore_random()
        if optimizer is not None:
            optimizer.load_state_dict(optimizer_state)


def clone_optimizer(optimizer, *, lr_scale: float = 1.0, weight_decay: float | None = None,
                    weight_decay_scale: float = 1.0):
    """A fresh optimizer of ``optimizer``'s class and settings over the same parameters.

    Args:
        lr_scale: multiply every group's learning rate (a schedule is scaled at every step).
        weight_decay: replace every group's weight decay (None keeps it).
        weight_decay_scale: multiply every group's weight decay.

    Raises:
        ConfigError: the optimizer is not a glassnet first-order optimizer that can be
            rebuilt from its settings.
    """
    if not isinstance(optimizer, optim.Optimizer) or isinstance(optimizer, optim.LBFGS):
        raise ConfigError(
            f"doctor: expected a glassnet.optim optimizer such as optim.Adam, but got "
            f"{type(optimizer).__name__}. Pass optimizer=optim.Adam(model.parameters()) or "
            "another first-order optimizer from glassnet.optim."
        )
    groups = []
    for group in optimizer.param_groups:
        decay = group.weight_decay if weight_decay is None else weight_decay
        groups.append({"params": group.params, "lr": _scaled(group.lr, lr_scale),
                       "weight_decay": decay * weight_decay_scale})
    settings = {key: tuple(value) if isinstance(value, list) else value
                for key, value in optimizer.hyperparameters().items()}
    try:
        return type(optimizer)(groups, lr=groups[0]["lr"], **settings)
    except TypeError as error:
        raise ConfigError(
            f"doctor: cannot rebuild {type(optimizer).__name__} from its settings ({error}). "
            "Pass one of glassnet.optim's optimizers."
        ) from None


def _scaled(lr, scale: float):
    if scale == 1.0:
        return lr
    if callable(lr):
        return lambda step: lr(step) * scale
    return lr * scale


def batches(X, y, batch_size: int, steps: int, generator: np.random.Generator) -> list:
    """``steps`` mini-batches drawn epoch by epoch without replacement (index arrays)."""
    n = len(X)
    size = min(batch_size, n)
    order, chosen = np.empty(0, dtype=np.int64), []
    while len(chosen) < steps:
        if len(order) < size:
            order = np.concatenate([order, generator.permutation(n)])
        chosen.append(order[:size])
        order = order[size:]
    return chosen


def train_steps(model, loss_fn, optimizer, X, y, indices: list) -> list:
    """Train on the batches ``X[i], y[i]`` for each index array ``i``; return each step's
    loss. Stops at the first non-finite loss (the rest is NaN)."""
    model.train()
    losses = []
    for index in indices:
        loss = loss_fn(model(as_tensor(X[index])), y[index])
        value = float(loss.item())
        losses.append(value)
        if not math.isfinite(value):
            break
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    losses += [math.nan] * (len(indices) - len(losses))
    return losses


def evaluate(model, loss_fn, X, y, *, batch_size: int = 1000) -> dict:
    """Mean loss (and accuracy for integer labels) in eval mode without a graph."""
    was_training = model.training
    model.eval()
    total, correct = 0.0, 0
    try:
        with no_grad():
            for start in range(0, len(X), batch_size):
                outputs = model(as_tensor(X[start : start + batch_size]))
                targets = y[start : start + batch_size]
                total += float(loss_fn(outputs, targets).item()) * len(targets)
                if is_classifier_output(outputs.data, targets):
                    correct += int((outputs.data.argmax(axis=1) == targets).sum())
    finally:
        model.train(was_training)
    n = max(len(X), 1)
    result = {"loss": total / n}
    if np.asarray(y).dtype.kind in "iu":
        result["accuracy"] = correct / n
    return result


def example_losses(model, loss_fn, X, y, *, batch_size: int = 1000) -> np.ndarray:
    """The loss of every example on its own (eval mode, no graph), for paired comparisons
    of two models on the same examples."""
    was_training = model.training
    model.eval()
    values = []
    try:
        with no_grad():
            for start in range(0, len(X), batch_size):
                outputs = model(as_tensor(X[start : start + batch_size])).data
                targets = y[start : start + batch_size]
                for i in range(len(outputs)):
                    one = as_tensor(outputs[i : i + 1])
                    values.append(float(loss_fn(one, targets[i : i + 1]).item()))
    finally:
        model.train(was_training)
    return np.asarray(values)


def paired_difference(a: np.ndarray, b: np.ndarray) -> dict:
    """Mean of a − b over the same examples and its standard error."""
    difference = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    finite = difference[np.isfinite(difference)]
    if finite.size < 2:
        return {"mean": float("nan"), "se": float("nan"), "n": int(finite.size)}
    return {"mean": float(finite.mean()),
            "se": float(finite.std(ddof=1) / np.sqrt(finite.size)), "n": int(finite.size)}


def is_classifier_output(outputs: np.ndarray, targets) -> bool:
    targets = np.asarray(targets)
    return outputs.ndim == 2 and outputs.shape[1] > 1 and targets.ndim == 1 and \
        targets.dtype.kind in "iu"


@contextlib.contextmanager
def dropout_off(model):
    """Switch every Dropout layer to its inference behaviour (identity) inside the block,
    leaving the rest of the model (batch norm) in training mode."""
    layers = [m for m in model.modules() if isinstance(m, Dropout)]
    modes = [m.training for m in layers]
    try:
        for m in layers:
            m.training = False
        yield
    finally:
        for m, mode in zip(layers, modes):
            m.training = mode
