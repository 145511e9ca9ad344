"""Pooling: max and average over windows (1-d and 2-d), adaptive and global average.

Max pooling passes the gradient to the window's maximum (max routes); average pooling
spreads it evenly. Padding for max pooling is −inf (never chosen); for average pooling it
is zero and counts in the divisor, as PyTorch's default ``count_include_pad=True``. Output
sizes are PyTorch's, rounded down, or up with ``ceil_mode=True``; max pooling takes a
``dilation`` as PyTorch's does. When the windows stop short of the input's end, the layer
warns once per input size (``glassnet.nn.coverage``). The window math is in
``glassnet.ops.fused``; adaptive pooling is two matrix products.
"""

import numpy as np

from glassnet.nn import _args, coverage
from glassnet.nn.module import Module
from glassnet.ops import fused
from glassnet.ops.matmul import matmul
from glassnet.ops.reduction import mean


def _pool_settings(name, dims, kernel_size, stride, padding, dilation=1):
    """(kernel, stride, padding, dilation) checked and as pairs (2-d) or ints (1-d)."""
    convert = _args.as_pair if dims == 2 else _args.as_int
    kernel = convert(kernel_size, "kernel_size", name, minimum=1)
    stride = kernel if stride is None else convert(stride, "stride", name, minimum=1)
    padding = convert(padding, "padding", name, minimum=0)
    return kernel, stride, padding, convert(dilation, "dilation", name, minimum=1)


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Maximum over kh×kw windows of (N, C, H, W) input (PyTorch's argument order).

    Args:
        x: Tensor (N, C, H, W).
        kernel_size: an int or a pair.
        stride: an int or a pair; None (default) means ``kernel_size`` (non-overlapping).
        padding: an int or a pair, at most half the kernel.
        dilation: an int or a pair, the spacing of the window's taps (1: adjacent).
        ceil_mode: round the output size up instead of down.

    Returns:
        (N, C, Ho, Wo) with Ho = ⌊(H + 2ph − dh·(kh − 1) − 1)/sh⌋ + 1 (⌈…⌉ with ceil_mode;
        a last window that would start in the right padding is dropped, as in PyTorch).

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> F.max_pool2d(gn.tensor([[[[1.0, 2.0], [4.0, 3.0]]]]), 2)
        tensor([[[[4.]]]])
        >>> F.max_pool2d(gn.zeros(1, 1, 8, 8), 3, stride=2).shape  # AlexNet's overlapping pool
        (1, 1, 3, 3)
        >>> F.max_pool2d(gn.zeros(1, 1, 8, 8), 3, stride=2, ceil_mode=True).shape
        (1, 1, 4, 4)
    """
    _args.check_input(x, (4,), "(N, C, H, W)", "max_pool2d")
    kernel, stride, padding, dilation = _pool_settings(
        "max_pool2d", 2, kernel_size, stride, padding, dilation)
    return fused.max_pool2d(x, kernel_size=kernel, stride=stride, padding=padding,
                            dilation=dilation, ceil_mode=bool(ceil_mode))


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False):
    """Mean over kh×kw windows of (N, C, H, W) input; arguments as ``max_pool2d`` (no
    dilation, as in PyTorch). Padded zeros count in the average.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> F.avg_pool2d(gn.tensor([[[[1.0, 2.0], [4.0, 3.0]]]]), 2)
        tensor([[[[2.5]]]])
    """
    _args.check_input(x, (4,), "(N, C, H, W)", "avg_pool2d")
    kernel, stride, padding, _ = _pool_settings("avg_pool2d", 2, kernel_size, stride, padding)
    return fused.avg_pool2d(x, kernel_size=kernel, stride=stride, padding=padding,
                            ceil_mode=bool(ceil_mode))


def max_pool1d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Maximum over windows of (N, C, L) input; ints, stride defaults to ``kernel_size``.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> F.max_pool1d(gn.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)
        tensor([[[3., 2.]]])
    """
    _args.check_input(x, (3,), "(N, C, L)", "max_pool1d")
    kernel, stride, padding, dilation = _pool_settings(
        "max_pool1d", 1, kernel_size, stride, padding, dilation)
    return fused.max_pool1d(x, kernel_size=kernel, stride=stride, padding=padding,
                            dilation=dilation, ceil_mode=bool(ceil_mode))


def avg_pool1d(x, kernel_size, stride=None, padding=0, ceil_mode=False):
    """Mean over windows of (N, C, L) input; arguments as ``max_pool1d`` (no dilation)."""
    _args.check_input(x, (3,), "(N, C, L)", "avg_pool1d")
    kernel, stride, padding, _ = _pool_settings("avg_pool1d", 1, kernel_size, stride, padding)
    return fused.avg_pool1d(x, kernel_size=kernel, stride=stride, padding=padding,
                            ceil_mode=bool(ceil_mode))


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
    """What the window pools share: settings, repr and the coverage note."""

    _function = None
    _dims = 2

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, *, ceil_mode=False):
        super().__init__()
        name = type(self).__name__
        self.kernel_size, self.stride, self.padding, self.dilation = _pool_settings(
            name, self._dims, kernel_size, stride, padding, dilation)
        self.ceil_mode = bool(ceil_mode)
        self._checked_sizes = set()  # input sizes already looked at by coverage.warn_once

    def forward(self, x):
        y = self._pool(x)
        coverage.warn_once(self, x.shape)
        return y

    def _axes(self, value) -> tuple:
        return tuple(value) if self._dims == 2 else (value,)

    def uncovered_input(self, input_shape) -> str | None:
        """Which rows or columns of an input of ``input_shape`` no window reads, with the
        arithmetic and a fix (see ``glassnet.nn.coverage``); None when every one is read.

        Example:
            >>> import glassnet.nn as nn
            >>> nn.MaxPool2d(3, stride=2, padding=1).uncovered_input((1, 64, 112, 112)) is None
            True
            >>> print(nn.MaxPool2d(2).uncovered_input((1, 64, 7, 7)).split(", so")[0])
            MaxPool2d(2×2, stride 2) on 7×7: (7 − 2)/2 + 1 = 3.5 along both axes
        """
        settings = [self._axes(v) for v in (self.kernel_size, self.stride, self.padding,
                                            self.dilation)]
        description = coverage.describe(type(self).__name__, *settings, ceil_mode=self.ceil_mode)
        return coverage.explain(description, tuple(input_shape[-self._dims:]), *settings,
                                ceil_mode=self.ceil_mode, pool=True)

    def extra_repr(self) -> str:
        extras = ""
        if self._axes(self.dilation) != (1,) * self._dims:
            extras += f", dilation={self.dilation}"
        if self.ceil_mode:
            extras += ", ceil_mode=True"
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}{extras}")


class MaxPool2d(_Pool):
    """Max pooling over kh×kw windows (see ``F.max_pool2d``); no parameters.

    Args:
        kernel_size: an int or a pair.
        stride: an int or a pair; default ``kernel_size``.
        padding: an int or a pair (−inf padding), at most half the kernel.
        dilation: an int or a pair, the spacing of the window's taps.
        ceil_mode: round the output size up instead of down (keyword only).

    Shape:
        (N, C, H, W) → (N, C, ⌊(H + 2ph − dh·(kh − 1) − 1)/sh⌋ + 1, likewise for W), ⌈…⌉
        with ceil_mode. When the windows never reach some rows or columns at the end of
        the input, the layer warns (``glassnet.errors.UncoveredInputWarning``, once per
        input size) with the arithmetic and a fix.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn as nn
        >>> nn.MaxPool2d(2)(gn.zeros(8, 3, 32, 32)).shape
        (8, 3, 16, 16)
        >>> nn.MaxPool2d(3, stride=2, padding=1)(gn.zeros(1, 64, 112, 112)).shape  # ResNet's
        (1, 64, 56, 56)
    """

    def _pool(self, x):
        return max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                          self.ceil_mode)

    def forward_after_relu(self, x):
        """``self(relu(x))`` as one fused op that pools first (``fused.relu_max_pool2d``):
        the ReLU runs on the smaller pooled output. ``Sequential`` calls it for a ReLU
        directly followed by this layer when neither has hooks.

        Example:
            >>> import glassnet as gn
            >>> import glassnet.nn as nn
            >>> nn.MaxPool2d(2).forward_after_relu(gn.tensor([[[[-1.0, -2.0], [-3.0, -4.0]]]]))
            tensor([[[[0.]]]])
        """
        _args.check_input(x, (4,), "(N, C, H, W)", "max_pool2d")
        y = fused.relu_max_pool2d(x, kernel_size=self.kernel_size, stride=self.stride,
                                  padding=self.padding, dilation=self.dilation,
                                  ceil_mode=self.ceil_mode)
        coverage.warn_once(self, x.shape)
        return y


class AvgPool2d(_Pool):
    """Average pooling over kh×kw windows (see ``F.avg_pool2d``); arguments as MaxPool2d
    without dilation."""

    def __init__(self, kernel_size, stride=None, padding=0, *, ceil_mode=False):
        super().__init__(kernel_size, stride, padding, ceil_mode=ceil_mode)

    def _pool(self, x):
        return avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode)


class MaxPool1d(_Pool):
    """Max pooling over windows of (N, C, L) input; int arguments."""

    _dims = 1

    def _pool(self, x):
        return max_pool1d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                          self.ceil_mode)


class AvgPool1d(_Pool):
    """Average pooling over windows of (N, C, L) input; int arguments, no dilation."""

    _dims = 1

    def __init__(self, kernel_size, stride=None, padding=0, *, ceil_mode=False):
        super().__init__(kernel_size, stride, padding, ceil_mode=ceil_mode)

    def _pool(self, x):
        return avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode)


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
