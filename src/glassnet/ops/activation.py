"""Activation functions: tanh, sigmoid, relu, leaky relu, ELU, softplus, GELU, softmax and
log-softmax, each a Function with its derivative beside it.

Each backward is written in terms of the forward's output where that is cheaper
(tanh' = 1 − tanh², σ' = σ(1 − σ)). Every forward is stable for large |x|: no overflow
warning and no NaN at ±1000.
"""

import math

import numpy as np

from glassnet.autograd.function import Function
from glassnet.errors import ConfigError
from glassnet.ops.parallel import blockwise


class Tanh(Function):
    """z = tanh x.   dL/dx = dL/dz * (1 − z²)."""

    __slots__ = ()

    def forward(self, x):
        z = np.tanh(x)
        self.save_for_backward(z)
        return z

    def backward(self, grad_z):
        (z,) = self.saved
        return grad_z * (1 - z * z)


def tanh(x):
    return Tanh.apply(x)


class Sigmoid(Function):
    """z = σ(x) = 1 / (1 + e^−x).   dL/dx = dL/dz * z (1 − z).

    Computed from e^−|x| so that neither branch overflows: σ(−1000) is 0 and σ(1000) is 1,
    without warnings.
    """

    __slots__ = ()

    def forward(self, x):
        e = np.exp(-np.abs(x))
        z = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        self.save_for_backward(z)
        return z

    def backward(self, grad_z):
        (z,) = self.saved
        return grad_z * z * (1 - z)


def sigmoid(x):
    return Sigmoid.apply(x)


class ReLU(Function):
    """z = max(0, x).   dL/dx = dL/dz where x > 0, else 0 (0 at x = 0, as in PyTorch)."""

    __slots__ = ()

    def forward(self, x):
        z = blockwise(np.maximum, np.empty_like(x), x, x.dtype.type(0))
        self.save_for_backward(z)
        return z

    def backward(self, grad_z):
        (z,) = self.saved
        # NOTE: a product with the mask, not np.where: 7x faster on a conv activation
        # (benchmarks/layers.py), and it keeps grad_z's memory order. Only an inf/NaN
        # gradient where z = 0 differs: it gives NaN there rather than 0. Per block, the
        # mask stays in cache.
        return blockwise(_masked, np.empty_like(grad_z), grad_z, z)


def _masked(grad_z, z, out):
    """grad_z where z > 0, else 0, written into ``out``."""
    return np.multiply(grad_z, z > 0, out=out)


def relu(x):
    return ReLU.apply(x)


class LeakyReLU(Function):
    """z = x for x > 0, else a·x (a = ``negative_slope``).

    dL/dx = dL/dz where x > 0, else a·dL/dz; at x = 0 the slope a is used (as in PyTorch).
    """

    __slots__ = ()

    def forward(self, x, negative_slope):
        positive = x > 0
        self.save_for_backward(positive, negative_slope)
        return np.where(positive, x, x * np.asarray(negative_slope, dtype=x.dtype))

    def backward(self, grad_z):
        positive, negative_slope = self.saved
        return np.where(positive, grad_z, grad_z * np.asarray(negative_slope, grad_z.dtype))


def leaky_relu(x, negative_slope: float = 0.01):
    return LeakyReLU.apply(x, negative_slope=negative_slope)


class ELU(Function):
    """z = x for x > 0, else α(eˣ − 1).

    dL/dx = dL/dz where x > 0, else dL/dz·αeˣ = dL/dz·(z + α); at x = 0 the left
    derivative α is used (as in PyTorch). eˣ is only evaluated on min(x, 0), so large
    inputs never overflow.
    """

    __slots__ = ()

    def forward(self, x, alpha):
        alpha = np.asarray(alpha, dtype=x.dtype)
        positive = x > 0
        z = np.where(positive, x, alpha * np.expm1(np.minimum(x, 0)))
        self.save_for_backward(positive, z, alpha)
        return z

    def backward(self, grad_z):
        positive, z, alpha = self.saved
        return np.where(positive, grad_z, grad_z * (z + alpha))


def elu(x, alpha: float = 1.0):
    return ELU.apply(x, alpha=alpha)


class Softplus(Function):
    """z = ln(1 + eˣ), a smooth ReLU.   dL/dx = dL/dz·σ(x).

    Computed as max(x, 0) + ln(1 + e^−|x|), so softplus(1000) = 1000 and
    softplus(−1000) = 0 without overflow.
    """

    __slots__ = ()

    def forward(self, x):
        e = np.exp(-np.abs(x))
        self.save_for_backward(x, e)
        return np.maximum(x, 0) + np.log1p(e)

    def backward(self, grad_z):
        x, e = self.saved
        sigmoid_x = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        return grad_z * sigmoid_x


def softplus(x):
    return Softplus.apply(x)


class GELU(Function):
    """Gaussian error linear unit: z = x·Φ(x), Φ the standard normal CDF.

    Exact form (PyTorch's default, ``approximate="none"``): Φ(x) = ½(1 + erf(x/√2)),
    dL/dx = dL/dz·(Φ(x) + x·φ(x)) with φ(x) = e^(−x²/2)/√(2π).
    ``approximate="tanh"``: z = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³),
    dL/dx = dL/dz·(½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²)).
    """

    __slots__ = ()

    def forward(self, x, approximate):
        if approximate == "tanh":
            t = np.tanh(_SQRT_2_OVER_PI * (x + _GELU_CUBIC * x**3))
            self.save_for_backward(x, t, approximate)
            return 0.5 * x * (1 + t)
        from scipy.special import erf  # imported here: scipy adds ~0.4 s to `import glassnet`

        cdf = 0.5 * (1 + erf(x / math.sqrt(2)))
        self.save_for_backward(x, cdf, approximate)
        return x * cdf

    def backward(self, grad_z):
        x, saved, approximate = self.saved
        if approximate == "tanh":
            t = saved
            du = _SQRT_2_OVER_PI * (1 + 3 * _GELU_CUBIC * x * x)
            return grad_z * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du)
        pdf = np.exp(-0.5 * x * x) * _INV_SQRT_2PI
        return grad_z * (saved + x * pdf)


# Python floats (not NumPy scalars), so float32 inputs stay float32.
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_GELU_CUBIC = 0.044715
_GELU_APPROXIMATIONS = ("none", "tanh")


def gelu(x, approximate: str = "none"):
    """GELU; ``approximate`` is ``"none"`` (exact, with erf) or ``"tanh"``."""
    if approximate not in _GELU_APPROXIMATIONS:
        raise ConfigError(
            f"gelu: expected approximate to be one of {_GELU_APPROXIMATIONS}, but got "
            f"{approximate!r}."
        )
    return GELU.apply(x, approximate=approximate)


class Softmax(Function):
    """z_i = e^(x_i) / Σ_j e^(x_j) along ``axis``, computed from x − max x (no overflow).

    dL/dx = z ⊙ (dL/dz − Σ_j dL/dz_j·z_j)   (the Jacobian diag(z) − z zᵀ applied to dL/dz).
    """

    __slots__ = ()

    def forward(self, x, axis):
        e = np.exp(x - _stable_shift(x, axis))
        z = e / e.sum(axis=axis, keepdims=True)
        self.save_for_backward(z, axis)
        return z

    def backward(self, grad_z):
        z, axis = self.saved
        return z * (grad_z - (grad_z * z).sum(axis=axis, keepdims=True))


def softmax(x, axis: int = -1):
    return Softmax.apply(x, axis=axis)


class LogSoftmax(Function):
    """z_i = x_i − log Σ_j e^(x_j) along ``axis`` (shifted by max x, so no overflow).

    dL/dx = dL/dz − softmax(x)·Σ_j dL/dz_j.
    """

    __slots__ = ()

    def forward(self, x, axis):
        shifted = x - _stable_shift(x, axis)
        e = np.exp(shifted)
        total = e.sum(axis=axis, keepdims=True)
        self.save_for_backward(e / total, axis)
        return shifted - np.log(total)

    def backward(self, grad_z):
        probabilities, axis = self.saved
        return grad_z - probabilities * grad_z.sum(axis=axis, keepdims=True)


def log_softmax(x, axis: int = -1):
    return LogSoftmax.apply(x, axis=axis)


def _stable_shift(x: np.ndarray, axis: int) -> np.ndarray:
    """max x along ``axis`` (kept), with non-finite maxima replaced by 0 (rows of −inf)."""
    shift = np.max(x, axis=axis, keepdims=True)
    shift[~np.isfinite(shift)] = 0
    return shift
