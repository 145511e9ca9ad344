"""Activation functions as functions (``F.relu``) and as layers (``nn.ReLU()``).

The math and each derivative live in ``glassnet.ops.activation``; these wrappers check
arguments and give PyTorch's layer names. All are stable for large |x|:
``sigmoid(−1000) = 0`` and ``softplus(1000) = 1000`` without overflow warnings or NaN.

=========== ============================================ ===================================
name        f(x)                                         f'(x)
=========== ============================================ ===================================
sigmoid     1 / (1 + e^−x)                               f(x)(1 − f(x))
tanh        tanh x                                       1 − f(x)²
relu        max(0, x)                                    1 if x > 0 else 0
leaky_relu  x if x > 0 else a·x                          1 if x > 0 else a
elu         x if x > 0 else α(eˣ − 1)                    1 if x > 0 else f(x) + α
softplus    ln(1 + eˣ)                                   sigmoid(x)
gelu        x·Φ(x)                                       Φ(x) + x·φ(x)
softmax     e^(x_i) / Σ_j e^(x_j)                        diag(f) − f fᵀ
=========== ============================================ ===================================
"""

from glassnet.errors import ConfigError
from glassnet.nn import _args
from glassnet.nn.module import Module
from glassnet.ops import activation as ops


def sigmoid(x):
    """σ(x) = 1/(1 + e^−x).

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> F.sigmoid(gn.tensor([-1000.0, 0.0, 1000.0]))
        tensor([0. , 0.5, 1. ])
    """
    return ops.sigmoid(x)


def tanh(x):
    """tanh(x)."""
    return ops.tanh(x)


def relu(x):
    """max(0, x); the gradient at 0 is 0."""
    return ops.relu(x)


def leaky_relu(x, negative_slope: float = 0.01):
    """x for x > 0, else ``negative_slope``·x.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> F.leaky_relu(gn.tensor([-2.0, 3.0]), 0.1)
        tensor([-0.2,  3. ])
    """
    return ops.leaky_relu(x, _args.as_float(negative_slope, "negative_slope", "leaky_relu"))


def elu(x, alpha: float = 1.0):
    """x for x > 0, else α(eˣ − 1).

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> F.elu(gn.tensor([-1000.0, 2.0]))
        tensor([-1.,  2.])
    """
    return ops.elu(x, _args.as_float(alpha, "alpha", "elu"))


def softplus(x):
    """ln(1 + eˣ), computed without overflow.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> F.softplus(gn.tensor([-1000.0, 0.0, 1000.0])).tolist()
        [0.0, 0.6931471824645996, 1000.0]
    """
    return ops.softplus(x)


def gelu(x, approximate: str = "none"):
    """x·Φ(x) (exact, with erf) or its tanh approximation (``approximate="tanh"``)."""
    return ops.gelu(x, approximate)


def softmax(x, axis: int = -1):
    """e^(x_i) / Σ_j e^(x_j) along ``axis`` (computed from x − max x).

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> F.softmax(gn.tensor([[0.0, 0.0], [1000.0, 0.0]]), axis=1)
        tensor([[0.5, 0.5],
                [1. , 0. ]])
    """
    _check_axis(x, axis, "softmax")
    return ops.softmax(x, axis)


def log_softmax(x, axis: int = -1):
    """x_i − log Σ_j e^(x_j) along ``axis``; finite even where softmax underflows to 0.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> F.log_softmax(gn.tensor([1000.0, 0.0]))
        tensor([    0., -1000.])
    """
    _check_axis(x, axis, "log_softmax")
    return ops.log_softmax(x, axis)


def _check_axis(x, axis, where: str) -> None:
    _args.check_input(x, None, "", where, min_rank=1)
    axis = _args.as_int(axis, "axis", where, minimum=-x.ndim)
    if axis >= x.ndim:
        raise ConfigError(
            f"{where}: expected axis in [{-x.ndim}, {x.ndim - 1}] for an input of shape "
            f"{x.shape}, but got axis={axis}."
        )


class Sigmoid(Module):
    """σ(x) = 1/(1 + e^−x), element-wise."""

    def forward(self, x):
        return sigmoid(x)


class Tanh(Module):
    """tanh(x), element-wise."""

    def forward(self, x):
        return tanh(x)


class ReLU(Module):
    """max(0, x), element-wise."""

    def forward(self, x):
        return relu(x)


class LeakyReLU(Module):
    """x for x > 0, else ``negative_slope``·x.

    Example:
        >>> import glassnet.nn as nn
        >>> nn.LeakyReLU(0.2)
        LeakyReLU(negative_slope=0.2)
    """

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = _args.as_float(negative_slope, "negative_slope", "LeakyReLU")

    def forward(self, x):
        return leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """x for x > 0, else ``alpha``·(eˣ − 1)."""

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = _args.as_float(alpha, "alpha", "ELU")

    def forward(self, x):
        return elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class Softplus(Module):
    """ln(1 + eˣ), a smooth ReLU whose derivative is the sigmoid."""

    def forward(self, x):
        return softplus(x)


class GELU(Module):
    """x·Φ(x); ``approximate`` is ``"none"`` (exact) or ``"tanh"``."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ConfigError(
                f"GELU: expected approximate to be one of ('none', 'tanh'), but got "
                f"{approximate!r}."
            )
        self.approximate = approximate

    def forward(self, x):
        return gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softmax(Module):
    """Softmax along ``axis`` (default the last)."""

    def __init__(self, axis: int = -1):
        super().__init__()
        self.axis = _args.as_int(axis, "axis", "Softmax", minimum=-(2**31))

    def forward(self, x):
        return softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class LogSoftmax(Module):
    """Log-softmax along ``axis`` (default the last)."""

    def __init__(self, axis: int = -1):
        super().__init__()
        self.axis = _args.as_int(axis, "axis", "LogSoftmax", minimum=-(2**31))

    def forward(self, x):
        return log_softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"
