"""Weight initializers. Each fills a Parameter (or any Tensor or ndarray) in place and
returns it; each takes ``generator=None`` (glassnet's default generator when None).

Fans follow PyTorch: for a weight of shape (out, in, *kernel), fan_in = in·∏kernel and
fan_out = out·∏kernel, so a Conv2d(3, 10, 5) weight has fan_in = 75 and fan_out = 250.

The schemes, as the course gives them (n = fan_in unless ``mode="fan_out"``):

- ``zeros``: every unit computes the same thing and gets the same gradient, so the units of
  a layer never become different (symmetry is not broken). Fine for biases only.
- ``small_random``: 0.01·N(0, 1). Activations shrink layer by layer in deep nets.
- ``xavier_*`` (Glorot): Var(w) = gain²·2 / (fan_in + fan_out) — about 1/n, for tanh.
- ``kaiming_*`` (He): Var(w) = gain² / n with gain √2 for ReLU — 2/n, i.e. std 1/√(n/2).

Example:
    >>> import numpy as np
    >>> import glassnet.nn as nn
    >>> layer = nn.Linear(300, 100)
    >>> w = nn.init.kaiming_normal(layer.weight, nonlinearity="relu",
    ...                            generator=np.random.default_rng(0))
    >>> round(float(w.data.std() * np.sqrt(300 / 2)), 1)
    1.0
"""

import math

import numpy as np

from glassnet.errors import ConfigError, ShapeError
from glassnet.random import resolve_generator
from glassnet.tensor import Tensor

_GAINS = ("linear", "identity", "conv1d", "conv2d", "sigmoid", "tanh", "relu", "leaky_relu")
_MODES = ("fan_in", "fan_out")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor that keeps activations' variance steady through ``nonlinearity``.

    linear/identity/conv/sigmoid: 1; tanh: 5/3; relu: √2; leaky_relu with slope a
    (``param``, default 0.01): √(2 / (1 + a²)). PyTorch's values.

    Example:
        >>> round(calculate_gain("relu"), 4), round(calculate_gain("tanh"), 4)
        (1.4142, 1.6667)
    """
    if nonlinearity in ("linear", "identity", "conv1d", "conv2d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope**2))
    raise ConfigError(
        f"calculate_gain: expected nonlinearity to be one of {_GAINS}, but got {nonlinearity!r}."
    )


def fans(shape: tuple) -> tuple:
    """(fan_in, fan_out) of a weight of ``shape`` = (out, in, *kernel).

    Example:
        >>> fans((10, 3, 5, 5))
        (75, 250)
    """
    shape = tuple(shape)
    if len(shape) < 2:
        raise ShapeError(
            f"init: fan_in and fan_out need a weight with at least 2 axes (out, in, ...), but "
            f"got shape {shape}. Use uniform/normal/constant for biases."
        )
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def zeros(tensor, *, generator=None):
    """Fill with 0 (``generator`` is accepted for a uniform signature and unused)."""
    return constant(tensor, 0.0)


def ones(tensor, *, generator=None):
    """Fill with 1."""
    return constant(tensor, 1.0)


def constant(tensor, value: float, *, generator=None):
    """Fill with ``value``."""
    _array(tensor)[...] = value
    return tensor


def normal(tensor, mean: float = 0.0, std: float = 1.0, *, generator=None):
    """Draw from N(mean, std²)."""
    array = _array(tensor)
    array[...] = resolve_generator(generator).normal(mean, std, array.shape)
    return tensor


def uniform(tensor, a: float = 0.0, b: float = 1.0, *, generator=None):
    """Draw from U(a, b)."""
    array = _array(tensor)
    array[...] = resolve_generator(generator).uniform(a, b, array.shape)
    return tensor


def small_random(tensor, scale: float = 0.01, *, generator=None):
    """The course's "small random numbers": ``scale``·N(0, 1), scale 0.01 by default."""
    return normal(tensor, 0.0, scale, generator=generator)


def xavier_uniform(tensor, gain: float = 1.0, *, generator=None):
    """Glorot uniform: U(−a, a) with a = gain·√(6 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(_array(tensor).shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform(tensor, -bound, bound, generator=generator)


def xavier_normal(tensor, gain: float = 1.0, *, generator=None):
    """Glorot normal: N(0, std²) with std = gain·√(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(_array(tensor).shape)
    return normal(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator=generator)


def kaiming_uniform(
    tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    *,
    generator=None,
):
    """He uniform: U(−b, b) with b = gain·√(3 / fan), gain = calculate_gain(nonlinearity, a).

    Args:
        a: the negative slope of the leaky ReLU that follows (0 means ReLU).
        mode: ``"fan_in"`` keeps the forward activations' variance, ``"fan_out"`` the
            backward gradients'.
        nonlinearity: ``"relu"``, ``"leaky_relu"``, ``"tanh"``, ``"linear"``, ...
    """
    bound = _kaiming_std(tensor, a, mode, nonlinearity) * math.sqrt(3.0)
    return uniform(tensor, -bound, bound, generator=generator)


def kaiming_normal(
    tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    *,
    generator=None,
):
    """He normal: N(0, std²) with std = gain / √fan (√(2 / fan_in) for ReLU)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    return normal(tensor, 0.0, std, generator=generator)


def _kaiming_std(tensor, a: float, mode: str, nonlinearity: str) -> float:
    if mode not in _MODES:
        raise ConfigError(f"kaiming: expected mode to be one of {_MODES}, but got {mode!r}.")
    fan_in, fan_out = fans(_array(tensor).shape)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def default_uniform(weight, bias=None, *, generator=None) -> None:
    """PyTorch's default for Linear and Conv: weight and bias from U(−1/√fan_in, 1/√fan_in).

    (PyTorch writes the weight's as kaiming_uniform with a = √5, which is the same bound.)
    """
    fan_in, _ = fans(_array(weight).shape)
    bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    uniform(weight, -bound, bound, generator=generator)
    if bias is not None:
        uniform(bias, -bound, bound, generator=generator)


def _array(tensor) -> np.ndarray:
    if isinstance(tensor, Tensor):
        return tensor.data
    if isinstance(tensor, np.ndarray):
        return tensor
    raise TypeError(
        f"init: expected a Parameter, Tensor or ndarray to fill in place, but got "
        f"{type(tensor).__name__}."
    )
