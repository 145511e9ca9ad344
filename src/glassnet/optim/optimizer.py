"""``Optimizer``: the loop every optimizer shares.

The base class owns the parameters (in groups), the step counter, the learning-rate
lookup and the saved state. A subclass writes two things:

- ``init_state(param)``: a small dataclass holding the per-parameter slots (momentum,
  moment estimates, ...), created the first time the parameter has a gradient;
- ``update(param, grad, state, lr, weight_decay)``: change ``param.data`` **in place**,
  vectorized, from ``grad`` (never written to) and ``state`` (updated in place).

``step()`` calls ``update`` for every parameter that has a gradient; parameters whose
``.grad`` is None (frozen, or unused in this forward pass) are skipped and keep their state.

Learning rate: a number, or a schedule — any function ``step -> lr`` such as those in
``glassnet.optim.schedule``. The schedule is called with the number of steps taken so far,
so the first ``step()`` uses ``schedule(0)``.

Parameter groups: pass a list of dicts instead of parameters, each with ``"params"`` and
optionally its own ``"lr"`` and ``"weight_decay"`` (the constructor's values are the
defaults), e.g. to decay weights but not biases::

    SGD([{"params": weights, "weight_decay": 5e-4}, {"params": biases}], lr=0.1)

``state_dict()`` layout (JSON-friendly metadata plus ndarrays, no pickled objects)::

    {"type": "Adam",                       # the optimizer's class name
     "step": 120,                          # steps taken (drives the schedules)
     "hyperparameters": {"betas": [0.9, 0.999], "eps": 1e-08, ...},
     "groups": [{"params": [0, 1], "lr": 0.001, "weight_decay": 0.0}, ...],
     "state": {0: {"step": 120, "exp_avg": ndarray, ...}, ...}}

Parameters are numbered in group order; a group whose ``lr`` is a schedule stores
``"lr": None`` (the function is code: the resumed optimizer is built with the same one).
``state`` holds only the parameters that have been updated; its keys may be ints or strings
of ints (as after a JSON round trip).
"""

import dataclasses
import math
import numbers
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from glassnet.autograd.grad_mode import enable_grad
from glassnet.errors import ConfigError, DTypeError, StateDictError
from glassnet.tensor import Tensor

GROUP_KEYS = ("params", "lr", "weight_decay")


@dataclass
class ParamGroup:
    """Parameters that share a learning rate (a number or a schedule) and weight decay."""

    params: list
    lr: float | Callable[[int], float]
    weight_decay: float = 0.0


class Optimizer:
    """Base class of the optimizers; see the module docstring for the contract.

    Args:
        params: an iterable of Tensors (``model.parameters()``) or of group dicts.
        lr: the learning rate: a positive number or a function of the step.
        weight_decay: λ ≥ 0; each subclass says how it applies it.

    Example:
        >>> import glassnet as gn
        >>> from glassnet.optim import SGD
        >>> w = gn.tensor([1.0, 2.0], requires_grad=True)
        >>> optimizer = SGD([w], lr=0.5)
        >>> (w * w).sum().backward()          # grad = 2w = [2, 4]
        >>> optimizer.step()
        >>> w.data                            # w − 0.5·grad
        array([0., 0.], dtype=float32)
        >>> optimizer.zero_grad()
        >>> w.grad is None
        True
    """

    def __init__(self, params: Iterable, *, lr, weight_decay: float = 0.0):
        name = type(self).__name__
        _check_lr(lr, name)
        _check_non_negative(weight_decay, "weight_decay", name)
        self.param_groups = _build_groups(params, lr, weight_decay, name)
        self._params = [p for group in self.param_groups for p in group.params]
        self._index = {id(p): i for i, p in enumerate(self._params)}
        self.state: dict = {}
        self.step_count = 0

    # ----- what a subclass writes ---------------------------------------------------------

    def init_state(self, param: Tensor):
        """The per-parameter state dataclass, created on the parameter's first update."""
        raise NotImplementedError(f"{type(self).__name__} must implement init_state")

    def update(self, param: Tensor, grad: np.ndarray, state, lr: float, weight_decay: float):
        """Update ``param.data`` in place from ``grad`` and ``state``."""
        raise NotImplementedError(f"{type(self).__name__} must implement update")

    def hyperparameters(self) -> dict:
        """The optimizer-wide settings, stored in ``state_dict`` (JSON-friendly values)."""
        return {}

    # ----- the shared loop ----------------------------------------------------------------

    def step(self, closure: Callable | None = None):
        """Update every parameter that has a gradient, then advance the step counter.

        Args:
            closure: optional; called first (with gradients enabled) to recompute the loss
                and gradients. Its return value is returned.
        """
        loss = _call_closure(closure) if closure is not None else None
        for group in self.param_groups:
            lr = self._resolve_lr(group)
            for param in group.params:
                if param.grad is None:
                    continue
                index = self._index[id(param)]
                state = self.state.get(index)
                if state is None:
                    state = self.state[index] = self.init_state(param)
                self.update(param, param.grad, state, lr, group.weight_decay)
        self.step_count += 1
        return loss

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (``.grad = None``, as PyTorch's default)."""
        for param in self._params:
            param.grad = None

    def current_lr(self, group: int = 0) -> float:
        """The learning rate the next ``step()`` will use for parameter group ``group``."""
        return self._resolve_lr(self.param_groups[group])

    def _resolve_lr(self, group: ParamGroup) -> float:
        if not callable(group.lr):
            return group.lr
        lr = float(group.lr(self.step_count))
        if not (math.isfinite(lr) and lr >= 0):
            raise ConfigError(
                f"{type(self).__name__}: the learning-rate schedule returned {lr} at step "
                f"{self.step_count}; expected a finite number >= 0. Check its arguments."
            )
        return lr

    # ----- saving and resuming ------------------------------------------------------------

    def state_dict(self) -> dict:
        """Everything needed to resume exactly; the layout is in the module docstring.

        Arrays are copies, so later steps do not change a saved state_dict.
        """
        groups, start = [], 0
        for group in self.param_groups:
            indices = list(range(start, start + len(group.params)))
            start += len(group.params)
            lr = None if callable(group.lr) else group.lr
            groups.append({"params": indices, "lr": lr, "weight_decay": group.weight_decay})
        state = {
            index: {
                field.name: _copy_value(getattr(slots, field.name))
                for field in dataclasses.fields(slots)
            }
            for index, slots in sorted(self.state.items())
        }
        return {
            "type": type(self).__name__,
            "step": self.step_count,
            "hyperparameters": self.hyperparameters(),
            "groups": groups,
            "state": state,
        }

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore a ``state_dict()`` into this optimizer, built over the same parameters.

        Raises:
            StateDictError: a different optimizer type, group layout or array shape.
        """
        name = type(self).__name__
        if state_dict.get("type") != name:
            raise StateDictError(
                f"{name}.load_state_dict: expected the state of a {name}, but got one of "
                f"{state_dict.get('type')!r}. Build the same optimizer before loading."
            )
        saved_groups = state_dict["groups"]
        sizes = [len(g["params"]) for g in saved_groups]
        if sizes != [len(g.params) for g in self.param_groups]:
            raise StateDictError(
                f"{name}.load_state_dict: expected groups of sizes "
                f"{[len(g.params) for g in self.param_groups]}, but the saved state has "
                f"{sizes}. Build the optimizer over the same parameters in the same order."
            )
        for group, saved in zip(self.param_groups, saved_groups):
            if saved["lr"] is not None:
                group.lr = float(saved["lr"])
            group.weight_decay = float(saved["weight_decay"])
        saved_settings = state_dict.get("hyperparameters", {})
        unknown = set(saved_settings) - set(self.hyperparameters())
        if unknown:
            raise StateDictError(
                f"{name}.load_state_dict: unknown hyperparameters {sorted(unknown)}; expected "
                f"{sorted(self.hyperparameters())}."
            )
        for key, value in saved_settings.items():
            setattr(self, key, tuple(value) if isinstance(value, list) else value)
        self.state = {
            int(index): self._restore_state(int(index), slots)
            for index, slots in state_dict["state"].items()
        }
        self.step_count = int(state_dict["step"])

    def _restore_state(self, index: int, saved: dict):
        param = self._params[index]
        state = self.init_state(param)
        for field in dataclasses.fields(state):
            value = saved[field.name]
            if isinstance(value, np.ndarray):
                if value.shape != param.shape:
                    raise StateDictError(
                        f"{type(self).__name__}.load_state_dict: state {field.name!r} of "
                        f"parameter {index} has shape {value.shape}, but the parameter has "
                        f"shape {param.shape}."
                    )
                value = np.array(value, dtype=param.dtype, copy=True)
            setattr(state, field.name, value)
        return state

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        lrs = [g.lr if not callable(g.lr) else "schedule" for g in self.param_groups]
        return f"{type(self).__name__}(groups={len(self.param_groups)}, lr={lrs}, {settings})"


# ----- helpers ------------------------------------------------------------------------------


def _build_groups(params, lr, weight_decay, name: str) -> list:
    if isinstance(params, Tensor):
        raise ConfigError(
            f"{name}: expected an iterable of parameters, but got a single Tensor. "
            "Pass model.parameters() or a list such as [w]."
        )
    items = list(params)
    if not items:
        raise ConfigError(
            f"{name}: expected at least one parameter, but got an empty list. Check that "
            "the model has parameters (model.parameters() is a generator and empties once)."
        )
    specs = items if isinstance(items[0], dict) else [{"params": items}]
    groups, seen = [], set()
    for spec in specs:
        if not isinstance(spec, dict):
            raise ConfigError(f"{name}: expected all parameter groups to be dicts, got {spec!r}.")
        unknown = set(spec) - set(GROUP_KEYS)
        if unknown or "params" not in spec:
            raise ConfigError(
                f"{name}: a parameter group takes the keys {list(GROUP_KEYS)} ('params' "
                f"required), but got {sorted(spec)}."
            )
        group_params = [spec["params"]] if isinstance(spec["params"], Tensor) else list(
            spec["params"]
        )
        for param in group_params:
            _check_param(param, name, seen)
        group_lr = spec.get("lr", lr)
        group_decay = spec.get("weight_decay", weight_decay)
        _check_lr(group_lr, name)
        _check_non_negative(group_decay, "weight_decay", name)
        groups.append(ParamGroup(group_params, _as_float(group_lr), float(group_decay)))
    return groups


def _check_param(param, name: str, seen: set) -> None:
    if not isinstance(param, Tensor):
        raise DTypeError(
            f"{name}: expected parameters to be Tensors, but got {type(param).__name__}. "
            "Pass model.parameters()."
        )
    if param.dtype.kind != "f":
        raise DTypeError(f"{name}: expected floating parameters, but got dtype {param.dtype}.")
    if id(param) in seen:
        raise ConfigError(
            f"{name}: a parameter of shape {param.shape} appears twice (in one group or two). "
            "Give each parameter to exactly one group."
        )
    seen.add(id(param))


def _check_lr(lr, name: str) -> None:
    if callable(lr):
        return
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not lr > 0:
        raise ConfigError(
            f"{name}: expected lr to be a number > 0 or a schedule (a function of the "
            f"step), but got {lr!r}."
        )


def _check_non_negative(value, what: str, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
        raise ConfigError(f"{name}: expected {what} >= 0, but got {value!r}.")


def _as_float(lr):
    """A Python float (NumPy treats it as weak, so float32 parameters stay float32)."""
    return lr if callable(lr) else float(lr)


def _copy_value(value):
    return value.copy() if isinstance(value, np.ndarray) else value


def _call_closure(closure: Callable):
    with enable_grad():
        return closure()


def check_range(value, what: str, name: str, low: float, high: float, *, closed: bool = False):
    """``value`` as a float in [low, high) (or [low, high] with ``closed``), else ConfigError."""
    inside = isinstance(value, numbers.Real) and not isinstance(value, bool)
    inside = inside and low <= value and (value <= high if closed else value < high)
    if not inside:
        bracket = "]" if closed else ")"
        raise ConfigError(f"{name}: expected {what} in [{low}, {high}{bracket}, but got {value!r}.")
    return float(value)
