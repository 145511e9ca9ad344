"""The fully connected layer y = x Wᵀ + b, and the identity layer."""

import numpy as np

from glassnet.nn import _args
from glassnet.nn.module import Module
from glassnet.ops import fused


def linear(x, weight, bias=None):
    """y = x @ weightᵀ + bias over the last axis of x (PyTorch's layout).

    Args:
        x: Tensor of shape (..., in_features), at least 1-d.
        weight: (out_features, in_features).
        bias: (out_features,) or None.

    Returns:
        A Tensor of shape (..., out_features).

    Raises:
        ShapeError: x is 0-d or its last axis is not in_features.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> F.linear(gn.tensor([[1.0, 2.0]]), gn.tensor([[3.0, 4.0]]), gn.tensor([0.5]))
        tensor([[11.5]])
    """
    _args.check_input(x, None, "(..., in_features)", "linear", min_rank=1)
    return fused.linear(x, weight, bias)


class Linear(Module):
    """Fully connected layer: y = x Wᵀ + b.

    Args:
        in_features: size of each input's last axis.
        out_features: size of each output's last axis.
        bias: whether to learn an additive bias.
        init: None for PyTorch's default (weight and bias from U(−1/√in, 1/√in)), or an
            initializer from ``nn.init`` (called as ``init(weight, generator=...)``; the
            bias then starts at zero).
        generator: the np.random.Generator for the initialization (default: glassnet's).
        dtype: the parameters' dtype.

    Shape:
        input (..., in_features) → output (..., out_features).

    Attributes:
        weight: Parameter of shape (out_features, in_features).
        bias: Parameter of shape (out_features,), or None.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn as nn
        >>> layer = nn.Linear(20, 30)
        >>> layer(gn.randn(128, 20)).shape
        (128, 30)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        *,
        init=None,
        generator=None,
        dtype=np.float32,
    ):
        super().__init__()
        self.in_features = _args.as_int(in_features, "in_features", "Linear", minimum=1)
        self.out_features = _args.as_int(out_features, "out_features", "Linear", minimum=1)
        self.weight = _args.empty_parameter((self.out_features, self.in_features), dtype)
        self.bias = _args.empty_parameter((self.out_features,), dtype) if bias else None
        _args.initialize(self.weight, self.bias, init, generator, "Linear")

    def forward(self, x):
        return linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. a residual block's projection)."""

    def forward(self, x):
        return x
