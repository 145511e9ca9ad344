"""Activation functions the engine needs as primitives: tanh, sigmoid, relu.

Each backward is written in terms of the forward's output where that is cheaper
(tanh' = 1 − tanh², σ' = σ(1 − σ)). The layers issue adds the rest of the activations.
"""

import numpy as np

from glassnet.autograd.function import Function


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
        z = np.maximum(x, 0)
        self.save_for_backward(z)
        return z

    def backward(self, grad_z):
        (z,) = self.saved
        return np.where(z > 0, grad_z, 0)


def relu(x):
    return ReLU.apply(x)
