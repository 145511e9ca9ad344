"""Pooling: max and average over windows (1-d and 2-d), adaptive and global average.

Max pooling passes the gradient to the window's maximum (max routes); average pooling
spreads it evenly. Padding for max pooling is −inf (never chosen); for average pooling it
is zero and counts in the divisor, as PyTorch's default ``count_include_pad=True``. The
window math is in ``glassnet.ops.fused``; adaptive pooling is two matrix products.
"""

import numpy as np

from glassnet.nn import _args
from glassnet.nn.module import Module
from glassnet.ops import fused
from glassnet.ops.matmul import matmul
from glassnet.ops.reduction import mean


def _pool2d(op, name, x, kernel_size, stride, padding):
    _args.check_input(x, (4,), "(N, C, H, W)", name)
    kernel = _args.as_pair(kernel_size, "kernel_size", name, minimum=1)
    stride = kernel if stride is None else _args.as_pair(stride, "stride", name, minimum=1)
    padding = _args.as_pair(padding, "padding", name, minimum=0)
    return op(x, kernel_size=kernel, stride=stride, padding=padding)


def _pool1d(op, name, x, kernel_size, stride, padding):
    _args.check_input(x, (3,), "(N, C, L)", name)
    kernel = _args.as_int(kernel_size, "kernel_size", name, minimum=1)
    stride = kernel if stride is None else _args.as_int(stride, "stride", name, minimum=1)
    padding = _args.as_int(padding, "padding", name, minimum=0)
    return op(x, kernel_size=kernel, stride=stride, padding=padding)


def max_pool2d(x, kernel_size, stride=None, padding=0):
    """Maximum over kh×kw windows of (N, C, H, W) input.

    Args:
        x: Tensor (N, C, H, W).
        kernel_size: an int or a pair.
        stride: an int or a pair; None (default) means ``kernel_size`` (non-overlapping).
        padding: an int or a pair, at most half the kernel.

    Returns:
        (N, C, (H − kh + 2ph)/sh + 1, (W − kw + 2pw)/sw + 1).

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> F.max_pool2d(gn.tensor([[[[1.0, 2.0], [4.0, 3.0]]]]), 2)
        tensor([[[[4.]]]])
    """
    return _pool2d(fused.max_pool2d, "max_pool2d", x, kernel_size, stride, padding)


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    """Mean over kh×kw windows of (N, C, H, W) input; arguments as ``max_pool2d``.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> F.avg_pool2d(gn.tensor([[[[1.0, 2.0], [4.0, 3.0]]]]), 2)
        tensor([[[[2.5]]]])
    """
    return _pool2d(fused.avg_pool2d, "avg_pool2d", x, kernel_size, stride, padding)


def max_pool1d(x, kernel_size, stride=None, padding=0):
    """Maximum over windows of (N, C, L) input; ints, stride defaults to ``kernel_size``.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> F.max_pool1d(gn.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)
        tensor([[[3., 2.]]])
    """
    return _pool1d(fused.max_pool1d, "max_pool1d", x, kernel_size, stride, padding)


def avg_pool1d(x, kernel_size, stride=None, padding=0):
    """Mean over windows of (N, C, L) input; arguments as ``max_pool1d``."""
    return _pool1d(fused.avg_pool1d, "avg_pool1d", x, kernel_size, stride, padding)


def adaptive_avg_pool2d(x, output_size):
    """Average pooling to a fixed output size (oh, ow), whatever the input's H and W.

    Output cell i along an axis of length n averages the inputs from ⌊i·n/o⌋ to
    ⌈(i+1)·n/o⌉ (PyTorch's windows; they overlap when o does not divide n). Computed as
    P_h · x · P_wᵀ with constant averaging matrices, so the gradient is the transposed map.

    Args:
        x: Tensor (N, C, H, W).
        output_size: an int or a pair (oh, ow), each ≥ 1.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> F.adaptive_avg_pool2d(gn.tensor([[[[1.0, 2.0, 3.0], [5.0, 6.0, 7.0]]]]), (1, 2))
        tensor([[[[3.5, 4.5]]]])
    """
    _args.check_input(x, (4,), "(N, C, H, W)", "adaptive_avg_pool2d")
    out_h, out_w = _args.as_pair(output_size, "output_size", "adaptive_avg_pool2d", minimum=1)
    rows = _averaging_matrix(x.shape[2], out_h, x.dtype)
    cols = _averaging_matrix(x.shape[3], out_w, x.dtype)
    return matmul(rows, matmul(x, cols.T))


def _averaging_matrix(size: int, out: int, dtype) -> np.ndarray:
    """(out, size) matrix whose row i averages PyTorch's adaptive window i."""
    matrix = np.zeros((out, size), dtype=dtype)
    for i in range(out):
        start, stop = (i * size) // out, -((-(i + 1) * size) // out)
        matrix[i, start:stop] = 1.0 / (stop - start)
    return matrix


def global_avg_pool2d(x, keepdims: bool = False):
    """The mean of each channel over all positions: (N, C, H, W) → (N, C).

    With ``keepdims=True`` the output is (N, C, 1, 1), like ``adaptive_avg_pool2d(x, 1)``.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> F.global_avg_pool2d(gn.tensor([[[[1.0, 2.0], [3.0, 6.0]]]]))
        tensor([[3.]])
    """
    _args.check_input(x, (4,), "(N, C, H, W)", "global_avg_pool2d")
    return mean(x, axis=(2, 3), keepdims=keepdims)


class _Pool(Module):
    _function = None
    _pair = True

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        name = type(self).__name__
        convert = _args.as_pair if self._pair else _args.as_int
        self.kernel_size = convert(kernel_size, "kernel_size", name, minimum=1)
        self.stride = (
            self.kernel_size if stride is None else convert(stride, "stride", name, minimum=1)
        )
        self.padding = convert(padding, "padding", name, minimum=0)

    def forward(self, x):
        return type(self)._function(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool):
    """Max pooling over kh×kw windows (see ``F.max_pool2d``); no parameters.

    Args:
        kernel_size: an int or a pair.
        stride: an int or a pair; default ``kernel_size``.
        padding: an int or a pair (−inf padding), at most half the kernel.

    Shape:
        (N, C, H, W) → (N, C, (H − kh + 2ph)/sh + 1, (W − kw + 2pw)/sw + 1).

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn as nn
        >>> nn.MaxPool2d(2)(gn.zeros(8, 3, 32, 32)).shape
        (8, 3, 16, 16)
    """

    _function = staticmethod(max_pool2d)


class AvgPool2d(_Pool):
    """Average pooling over kh×kw windows (see ``F.avg_pool2d``); arguments as MaxPool2d."""

    _function = staticmethod(avg_pool2d)


class MaxPool1d(_Pool):
    """Max pooling over windows of (N, C, L) input; int arguments."""

    _function = staticmethod(max_pool1d)
    _pair = False


class AvgPool1d(_Pool):
    """Average pooling over windows of (N, C, L) input; int arguments."""

    _function = staticmethod(avg_pool1d)
    _pair = False


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed (oh, ow) output (see ``F.adaptive_avg_pool2d``).

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn as nn
        >>> nn.AdaptiveAvgPool2d((2, 3))(gn.zeros(1, 4, 7, 9)).shape
        (1, 4, 2, 3)
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = _args.as_pair(output_size, "output_size", "AdaptiveAvgPool2d", minimum=1)

    def forward(self, x):
        return adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class GlobalAvgPool2d(Module):
    """The mean of each channel: (N, C, H, W) → (N, C), or (N, C, 1, 1) with keepdims.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn as nn
        >>> nn.GlobalAvgPool2d()(gn.zeros(2, 16, 7, 7)).shape
        (2, 16)
    """

    def __init__(self, keepdims: bool = False):
        super().__init__()
        self.keepdims = bool(keepdims)

    def forward(self, x):
        return global_avg_pool2d(x, self.keepdims)

    def extra_repr(self) -> str:
        return f"keepdims={self.keepdims}" if self.keepdims else ""
