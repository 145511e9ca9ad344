"""Convolutions over 1-d signals and 2-d images (cross-correlation, as in every library).

A filter of size F slides over the input zero-padded by P on each side, in steps of S; the
output has (W − F + 2P)/S + 1 positions per axis, and a size that is not a whole number is
an error (the lecture's 7×7 input with F=3, S=3), not a silently cropped input. The math is
the fused op ``glassnet.ops.fused.conv2d`` (im2col and one matrix multiply).
"""

import numpy as np

from glassnet.nn import _args
from glassnet.nn.module import Module
from glassnet.ops import fused


def conv2d(x, weight, bias=None, stride=1, padding=0):
    """2-d convolution of a batch of images.

    Args:
        x: Tensor (N, C_in, H, W).
        weight: (C_out, C_in, kh, kw).
        bias: (C_out,) or None.
        stride: an int or a pair (sh, sw), each ≥ 1.
        padding: an int or a pair (ph, pw) of zeros added on both sides, each ≥ 0.

    Returns:
        A Tensor (N, C_out, H_out, W_out) with H_out = (H − kh + 2ph)/sh + 1.

    Raises:
        ShapeError: x is not 4-d, its channels differ from the weight's C_in, or the output
            size is not a positive whole number.
        ConfigError: stride < 1 or negative padding.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> x = gn.ones(1, 1, 3, 3)
        >>> F.conv2d(x, gn.ones(1, 1, 2, 2), padding=0)
        tensor([[[[4., 4.],
                  [4., 4.]]]])
    """
    _args.check_input(x, (4,), "(N, C, H, W)", "conv2d")
    if len(weight.shape) == 4:  # other weight ranks: the fused op names the problem
        _args.check_channels(x, weight.shape[1], "conv2d")
    return fused.conv2d(
        x,
        weight,
        bias,
        stride=_args.as_pair(stride, "stride", "conv2d", minimum=1),
        padding=_args.as_pair(padding, "padding", "conv2d", minimum=0),
    )


def conv1d(x, weight, bias=None, stride=1, padding=0):
    """1-d convolution of a batch of signals.

    Args:
        x: Tensor (N, C_in, L).
        weight: (C_out, C_in, k).
        bias: (C_out,) or None.
        stride: an int ≥ 1.
        padding: an int ≥ 0 of zeros added on both ends.

    Returns:
        A Tensor (N, C_out, L_out) with L_out = (L − k + 2·padding)/stride + 1.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> F.conv1d(gn.tensor([[[1.0, 2.0, 3.0]]]), gn.tensor([[[1.0, -1.0]]]))
        tensor([[[-1., -1.]]])
    """
    _args.check_input(x, (3,), "(N, C, L)", "conv1d")
    if len(weight.shape) == 3:
        _args.check_channels(x, weight.shape[1], "conv1d")
    return fused.conv1d(
        x,
        weight,
        bias,
        stride=_args.as_int(stride, "stride", "conv1d", minimum=1),
        padding=_args.as_int(padding, "padding", "conv1d", minimum=0),
    )


class _ConvNd(Module):
    """What Conv1d and Conv2d share: argument checks, parameters and repr."""

    _dims = 2
    _name = "Conv2d"

    def __init__(
        self, in_channels, out_channels, kernel_size, stride, padding, bias, init, generator, dtype
    ):
        super().__init__()
        name = self._name
        self.in_channels = _args.as_int(in_channels, "in_channels", name, minimum=1)
        self.out_channels = _args.as_int(out_channels, "out_channels", name, minimum=1)
        if self._dims == 2:
            self.kernel_size = _args.as_pair(kernel_size, "kernel_size", name, minimum=1)
            self.stride = _args.as_pair(stride, "stride", name, minimum=1)
            self.padding = _args.as_pair(padding, "padding", name, minimum=0)
            kernel = self.kernel_size
        else:
            self.kernel_size = _args.as_int(kernel_size, "kernel_size", name, minimum=1)
            self.stride = _args.as_int(stride, "stride", name, minimum=1)
            self.padding = _args.as_int(padding, "padding", name, minimum=0)
            kernel = (self.kernel_size,)
        shape = (self.out_channels, self.in_channels, *kernel)
        self.weight = _args.empty_parameter(shape, dtype)
        self.bias = _args.empty_parameter((self.out_channels,), dtype) if bias else None
        _args.initialize(self.weight, self.bias, init, generator, name)

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}, bias={self.bias is not None}"
        )


class Conv2d(_ConvNd):
    """2-d convolution layer: K filters of size F×F over C input channels.

    Args:
        in_channels: C, the input's channels.
        out_channels: K, the number of filters.
        kernel_size: F, an int or a pair (kh, kw).
        stride: S, an int or a pair.
        padding: P, zeros on each side, an int or a pair.
        bias: whether to learn one bias per filter.
        init: None for PyTorch's default (U(±1/√fan_in), fan_in = C·kh·kw), or an
            initializer from ``nn.init`` (the bias then starts at zero).
        generator: the np.random.Generator for the initialization.
        dtype: the parameters' dtype.

    Shape:
        input (N, C, H, W) → output (N, K, (H − kh + 2ph)/sh + 1, (W − kw + 2pw)/sw + 1).

    Attributes:
        weight: (K, C, kh, kw), PyTorch's layout.
        bias: (K,) or None.

    Example (the lecture's: 32×32×3 input, 10 filters 5×5, stride 1, pad 2):
        >>> import glassnet as gn
        >>> import glassnet.nn as nn
        >>> conv = nn.Conv2d(3, 10, 5, stride=1, padding=2)
        >>> conv(gn.zeros(1, 3, 32, 32)).shape
        (1, 10, 32, 32)
        >>> sum(p.size for p in conv.parameters())
        760
    """

    _dims = 2
    _name = "Conv2d"

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        bias: bool = True,
        *,
        init=None,
        generator=None,
        dtype=np.float32,
    ):
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, bias, init, generator, dtype
        )

    def forward(self, x):
        return conv2d(x, self.weight, self.bias, self.stride, self.padding)


class Conv1d(_ConvNd):
    """1-d convolution layer over (N, C, L) signals; arguments as Conv2d but ints.

    Shape:
        input (N, C, L) → output (N, K, (L − k + 2P)/S + 1).

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn as nn
        >>> nn.Conv1d(4, 8, kernel_size=3, padding=1)(gn.zeros(2, 4, 10)).shape
        (2, 8, 10)
    """

    _dims = 1
    _name = "Conv1d"

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        bias: bool = True,
        *,
        init=None,
        generator=None,
        dtype=np.float32,
    ):
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, bias, init, generator, dtype
        )

    def forward(self, x):
        return conv1d(x, self.weight, self.bias, self.stride, self.padding)
