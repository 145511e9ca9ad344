"""Maxout: each output unit is the maximum of k linear pieces (Goodfellow et al., 2013).

y_j = max_{i<k} (x W_{jk+i}ᵀ + b_{jk+i}). It generalizes ReLU (k = 2 with one piece fixed
at 0) and leaky ReLU, never saturates and never dies, at k times the parameters.
"""

import numpy as np

from glassnet.errors import ShapeError
from glassnet.nn import _args
from glassnet.nn.linear import linear
from glassnet.nn.module import Module
from glassnet.ops.reduction import max as reduce_max
from glassnet.ops.shape import reshape


def maxout(x, pieces: int):
    """The maximum over consecutive groups of ``pieces`` features of the last axis.

    Features jk … jk + k − 1 form output j, so (..., m·k) → (..., m). At ties the gradient
    is split between the tied pieces.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> F.maxout(gn.tensor([[1.0, -2.0, 0.5, 3.0]]), pieces=2)
        tensor([[1., 3.]])
    """
    pieces = _args.as_int(pieces, "pieces", "maxout", minimum=1)
    _args.check_input(x, None, "(..., units·pieces)", "maxout", min_rank=1)
    if x.shape[-1] % pieces:
        raise ShapeError(
            f"maxout: expected the last axis to be a multiple of pieces={pieces}, but got "
            f"shape {x.shape}. Use units·pieces features."
        )
    grouped = reshape(x, (*x.shape[:-1], x.shape[-1] // pieces, pieces))
    return reduce_max(grouped, axis=-1)


class Maxout(Module):
    """A linear layer with k pieces per output unit, followed by the max over the pieces.

    Args:
        in_features: size of the input's last axis.
        out_features: number of maxout units.
        pieces: k, the linear pieces per unit (≥ 1).
        bias, init, generator, dtype: as ``Linear``.

    Shape:
        (..., in_features) → (..., out_features).

    Attributes:
        weight: (out_features·pieces, in_features); rows jk … jk + k − 1 belong to unit j.
        bias: (out_features·pieces,) or None.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn as nn
        >>> nn.Maxout(4, 3, pieces=2)(gn.zeros(5, 4)).shape
        (5, 3)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        pieces: int = 2,
        bias: bool = True,
        *,
        init=None,
        generator=None,
        dtype=np.float32,
    ):
        super().__init__()
        self.in_features = _args.as_int(in_features, "in_features", "Maxout", minimum=1)
        self.out_features = _args.as_int(out_features, "out_features", "Maxout", minimum=1)
        self.pieces = _args.as_int(pieces, "pieces", "Maxout", minimum=1)
        rows = self.out_features * self.pieces
        self.weight = _args.empty_parameter((rows, self.in_features), dtype)
        self.bias = _args.empty_parameter((rows,), dtype) if bias else None
        _args.initialize(self.weight, self.bias, init, generator, "Maxout")

    def forward(self, x):
        return maxout(linear(x, self.weight, self.bias), self.pieces)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"pieces={self.pieces}, bias={self.bias is not None}"
        )
