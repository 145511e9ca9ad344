"""Reductions over axes: sum, mean, max, min, logsumexp.

All take NumPy's ``axis`` (None, an int or a tuple) and ``keepdims``. Backward broadcasts
the output gradient back over the reduced axes.
"""

import numpy as np

from glassnet.autograd.function import Function
from glassnet.ops._broadcast import normalize_axes


def _expand(grad_z: np.ndarray, axes: tuple, keepdims: bool) -> np.ndarray:
    """Put back the reduced axes (as length 1) so the gradient broadcasts over the input."""
    return grad_z if keepdims else np.expand_dims(grad_z, axes)


class Sum(Function):
    """z = Σ x over ``axis``.   dL/dx = dL/dz, copied along the summed axes."""

    __slots__ = ()

    def forward(self, x, axis, keepdims):
        axes = normalize_axes(axis, x.ndim)
        self.save_for_backward(x.shape, axes, keepdims)
        return np.sum(x, axis=axes, keepdims=keepdims)

    def backward(self, grad_z):
        shape, axes, keepdims = self.saved
        return np.broadcast_to(_expand(grad_z, axes, keepdims), shape)


def sum(x, axis=None, keepdims: bool = False):
    return Sum.apply(x, axis=axis, keepdims=keepdims)


class Mean(Function):
    """z = Σ x / n over ``axis``.   dL/dx = dL/dz / n, copied along the averaged axes."""

    __slots__ = ()

    def forward(self, x, axis, keepdims):
        axes = normalize_axes(axis, x.ndim)
        count = int(np.prod([x.shape[a] for a in axes]))
        self.save_for_backward(x.shape, axes, keepdims, count)
        return np.mean(x, axis=axes, keepdims=keepdims)

    def backward(self, grad_z):
        shape, axes, keepdims, count = self.saved
        return np.broadcast_to(_expand(grad_z, axes, keepdims) / count, shape)


def mean(x, axis=None, keepdims: bool = False):
    return Mean.apply(x, axis=axis, keepdims=keepdims)


class Max(Function):
    """z = max x over ``axis``.  The gradient goes to the maximal element (max routes).

    Convention at ties: the gradient is split equally among all elements equal to the
    maximum, so the result does not depend on which one is found first.
    """

    __slots__ = ()

    def forward(self, x, axis, keepdims):
        return _extremum_forward(self, np.max, x, axis, keepdims)

    def backward(self, grad_z):
        return _extremum_backward(self, grad_z)


def max(x, axis=None, keepdims: bool = False):
    return Max.apply(x, axis=axis, keepdims=keepdims)


class Min(Function):
    """z = min x over ``axis``.  The gradient goes to the minimal element; ties split it."""

    __slots__ = ()

    def forward(self, x, axis, keepdims):
        return _extremum_forward(self, np.min, x, axis, keepdims)

    def backward(self, grad_z):
        return _extremum_backward(self, grad_z)


def min(x, axis=None, keepdims: bool = False):
    return Min.apply(x, axis=axis, keepdims=keepdims)


def _extremum_forward(fn, reduce, x, axis, keepdims):
    axes = normalize_axes(axis, x.ndim)
    z = reduce(x, axis=axes, keepdims=True)
    if fn.needs_input_grad[0]:
        winners = x == z
        fn.save_for_backward(winners, winners.sum(axis=axes, keepdims=True), axes, keepdims)
    return z if keepdims else np.squeeze(z, axes)


def _extremum_backward(fn, grad_z):
    winners, n_winners, axes, keepdims = fn.saved
    return winners * (_expand(grad_z, axes, keepdims) / n_winners).astype(grad_z.dtype)


class LogSumExp(Function):
    """z = log Σ e^x over ``axis``, computed as m + log Σ e^(x − m) with m = max x, so large
    inputs do not overflow.   dL/dx = dL/dz * softmax(x) along the axis."""

    __slots__ = ()

    def forward(self, x, axis, keepdims):
        axes = normalize_axes(axis, x.ndim)
        shift = np.max(x, axis=axes, keepdims=True)
        shift[~np.isfinite(shift)] = 0  # all −inf (or inf) rows: nothing to stabilize
        e = np.exp(x - shift)
        total = np.sum(e, axis=axes, keepdims=True)
        self.save_for_backward(e / total, axes, keepdims)
        z = np.log(total) + shift
        return z if keepdims else np.squeeze(z, axes)

    def backward(self, grad_z):
        softmax, axes, keepdims = self.saved
        return _expand(grad_z, axes, keepdims) * softmax


def logsumexp(x, axis=None, keepdims: bool = False):
    return LogSumExp.apply(x, axis=axis, keepdims=keepdims)
