"""Convolutions over 1-d signals and 2-d images (cross-correlation, as in every library).

A filter of F taps, D apart (dilation), slides over the input zero-padded by P on each side
in steps of S; the output has floor((W + 2P − D·(F − 1) − 1)/S) + 1 positions per axis, as
in PyTorch. ``groups`` splits the channels into independent groups (``groups=in_channels``:
a depthwise convolution, one filter per channel, as in MobileNet). When the windows stop
short of the input's end (the lecture's 7×7 input with F = 3, S = 3), the layer computes
the same output as PyTorch and warns once per input size with the arithmetic and a fix
(``glassnet.nn.coverage``). The math is the fused op ``glassnet.ops.fused.conv2d``.
"""

import numpy as np

from glassnet.errors import ConfigError
from glassnet.nn import _args, coverage
from glassnet.nn.module import Module
from glassnet.ops import fused


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution of a batch of images (PyTorch's argument order).

    Args:
        x: Tensor (N, C_in, H, W).
        weight: (C_out, C_in/groups, kh, kw).
        bias: (C_out,) or None.
        stride: an int or a pair (sh, sw), each ≥ 1.
        padding: an int or a pair (ph, pw) of zeros added on both sides, each ≥ 0.
        dilation: an int or a pair (dh, dw), the spacing between kernel taps, each ≥ 1.
        groups: an int ≥ 1 dividing C_in and C_out; groups=C_in is a depthwise convolution.

    Returns:
        A Tensor (N, C_out, H_out, W_out) with H_out = ⌊(H + 2ph − dh·(kh − 1) − 1)/sh⌋ + 1.

    Raises:
        ShapeError: x is not 4-d, its channels differ from the weight's C_in·groups, or the
            window is larger than the padded input.
        ConfigError: stride, dilation or groups < 1, or negative padding.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> x = gn.ones(1, 1, 3, 3)
        >>> F.conv2d(x, gn.ones(1, 1, 2, 2), padding=0)
        tensor([[[[4., 4.],
                  [4., 4.]]]])
    """
    _args.check_input(x, (4,), "(N, C, H, W)", "conv2d")
    groups = _args.as_int(groups, "groups", "conv2d", minimum=1)
    if len(weight.shape) == 4 and groups == 1:  # otherwise the fused op names the problem
        _args.check_channels(x, weight.shape[1], "conv2d")
    return fused.conv2d(
        x,
        weight,
        bias,
        stride=_args.as_pair(stride, "stride", "conv2d", minimum=1),
        padding=_args.as_pair(padding, "padding", "conv2d", minimum=0),
        dilation=_args.as_pair(dilation, "dilation", "conv2d", minimum=1),
        groups=groups,
    )


def conv1d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution of a batch of signals (PyTorch's argument order).

    Args:
        x: Tensor (N, C_in, L).
        weight: (C_out, C_in/groups, k).
        bias: (C_out,) or None.
        stride: an int ≥ 1.
        padding: an int ≥ 0 of zeros added on both ends.
        dilation: an int ≥ 1, the spacing between kernel taps.
        groups: an int ≥ 1 dividing C_in and C_out.

    Returns:
        A Tensor (N, C_out, L_out) with
        L_out = ⌊(L + 2·padding − dilation·(k − 1) − 1)/stride⌋ + 1.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> F.conv1d(gn.tensor([[[1.0, 2.0, 3.0]]]), gn.tensor([[[1.0, -1.0]]]))
        tensor([[[-1., -1.]]])
    """
    _args.check_input(x, (3,), "(N, C, L)", "conv1d")
    groups = _args.as_int(groups, "groups", "conv1d", minimum=1)
    if len(weight.shape) == 3 and groups == 1:
        _args.check_channels(x, weight.shape[1], "conv1d")
    return fused.conv1d(
        x,
        weight,
        bias,
        stride=_args.as_int(stride, "stride", "conv1d", minimum=1),
        padding=_args.as_int(padding, "padding", "conv1d", minimum=0),
        dilation=_args.as_int(dilation, "dilation", "conv1d", minimum=1),
        groups=groups,
    )


class _ConvNd(Module):
    """What Conv1d and Conv2d share: argument checks, parameters, repr and the coverage note."""

    _dims = 2
    _name = "Conv2d"

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                 bias, init, generator, dtype):
        super().__init__()
        name = self._name
        self.in_channels = _args.as_int(in_channels, "in_channels", name, minimum=1)
        self.out_channels = _args.as_int(out_channels, "out_channels", name, minimum=1)
        convert = _args.as_pair if self._dims == 2 else _args.as_int
        self.kernel_size = convert(kernel_size, "kernel_size", name, minimum=1)
        self.stride = convert(stride, "stride", name, minimum=1)
        self.padding = convert(padding, "padding", name, minimum=0)
        self.dilation = convert(dilation, "dilation", name, minimum=1)
        self.groups = _args.as_int(groups, "groups", name, minimum=1)
        for what, count in (("in_channels", self.in_channels),
                            ("out_channels", self.out_channels)):
            if count % self.groups:
                raise ConfigError(
                    f"{name}: expected {what} divisible by groups, but got {what}={count} "
                    f"with groups={self.groups}. Choose groups dividing both in_channels and "
                    "out_channels (groups=in_channels is a depthwise convolution)."
                )
        shape = (self.out_channels, self.in_channels // self.groups, *self._axes(self.kernel_size))
        self.weight = _args.empty_parameter(shape, dtype)
        self.bias = _args.empty_parameter((self.out_channels,), dtype) if bias else None
        _args.initialize(self.weight, self.bias, init, generator, name)
        self._checked_sizes = set()  # input sizes already looked at by coverage.warn_once

    def _axes(self, value) -> tuple:
        return tuple(value) if self._dims == 2 else (value,)

    def uncovered_input(self, input_shape) -> str | None:
        """Which rows or columns of an input of ``input_shape`` no window reads, with the
        arithmetic and a fix (see ``glassnet.nn.coverage``); None when every one is read.

        Example (the lecture's 7×7 input, F = 3, S = 3):
            >>> import textwrap
            >>> import glassnet.nn as nn
            >>> note = nn.Conv2d(1, 1, 3, stride=3).uncovered_input((1, 1, 7, 7))
            >>> print(textwrap.fill(note, 80))
            Conv2d(1→1, 3×3, stride 3) on 7×7: (7 − 3)/3 + 1 = 2.33 along both axes, so the
            last row and the last column of the input are never seen; pad by 1 on each side
            (padding=1) or use stride=2.
        """
        settings = [self._axes(v) for v in (self.kernel_size, self.stride, self.padding,
                                            self.dilation)]
        description = coverage.describe(self._name, *settings, groups=self.groups,
                                        channels=(self.in_channels, self.out_channels))
        return coverage.explain(description, tuple(input_shape[-self._dims:]), *settings)

    def extra_repr(self) -> str:
        extras = ""
        if self._axes(self.dilation) != (1,) * self._dims:
            extras += f", dilation={self.dilation}"
        if self.groups != 1:
            extras += f", groups={self.groups}"
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}{extras}, bias={self.bias is not None}"
        )


class Conv2d(_ConvNd):
    """2-d convolution layer: K filters of size F×F over C input channels.

    Args:
        in_channels: C, the input's channels.
        out_channels: K, the number of filters.
        kernel_size: F, an int or a pair (kh, kw).
        stride: S, an int or a pair.
        padding: P, zeros on each side, an int or a pair.
        dilation: D, the spacing between kernel taps, an int or a pair (1: adjacent).
        groups: G; the C inputs and K outputs split into G groups, each output seeing only
            its group's C/G inputs. G = C is a depthwise convolution (MobileNet's).
        bias: whether to learn one bias per filter.
        init: None for PyTorch's default (U(±1/√fan_in), fan_in = C/G·kh·kw), or an
            initializer from ``nn.init`` (the bias then starts at zero).
        generator: the np.random.Generator for the initialization.
        dtype: the parameters' dtype.

    Shape:
        input (N, C, H, W) → output (N, K, Ho, Wo) with
        Ho = ⌊(H + 2ph − dh·(kh − 1) − 1)/sh⌋ + 1, likewise Wo (PyTorch's sizes). When the
        windows never reach some rows or columns at the end of the input, the layer warns
        (``glassnet.errors.UncoveredInputWarning``, once per input size) with the
        arithmetic and a fix.

    Attributes:
        weight: (K, C/G, kh, kw), PyTorch's layout.
        bias: (K,) or None.

    Raises:
        ConfigError: a size below its minimum, or channels not divisible by groups.

    Example (the lecture's: 32×32×3 input, 10 filters 5×5, stride 1, pad 2):
        >>> import glassnet as gn
        >>> import glassnet.nn as nn
        >>> conv = nn.Conv2d(3, 10, 5, stride=1, padding=2)
        >>> conv(gn.zeros(1, 3, 32, 32)).shape
        (1, 10, 32, 32)
        >>> sum(p.size for p in conv.parameters())
        760

        ResNet's downsampling 3×3 convolution with stride 2 halves 56 to 28, and a depthwise
        3×3 has one 3×3 filter per channel:

        >>> nn.Conv2d(64, 128, 3, stride=2, padding=1)(gn.zeros(1, 64, 56, 56)).shape
        (1, 128, 28, 28)
        >>> nn.Conv2d(32, 32, 3, padding=1, groups=32).weight.shape
        (32, 1, 3, 3)
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
        dilation=1,
        groups: int = 1,
        bias: bool = True,
        *,
        init=None,
        generator=None,
        dtype=np.float32,
    ):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, init, generator, dtype)

    def forward(self, x):
        y = conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                   self.groups)
        coverage.warn_once(self, x.shape)
        return y


class Conv1d(_ConvNd):
    """1-d convolution layer over (N, C, L) signals; arguments as Conv2d but ints.

    Shape:
        input (N, C, L) → output (N, K, ⌊(L + 2P − D·(k − 1) − 1)/S⌋ + 1).

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn as nn
        >>> nn.Conv1d(4, 8, kernel_size=3, padding=1)(gn.zeros(2, 4, 10)).shape
        (2, 8, 10)
        >>> nn.Conv1d(4, 8, kernel_size=3, dilation=2, groups=4)(gn.zeros(2, 4, 10)).shape
        (2, 8, 6)
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
        dilation: int = 1,
        groups: int = 1,
        bias: bool = True,
        *,
        init=None,
        generator=None,
        dtype=np.float32,
    ):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, init, generator, dtype)

    def forward(self, x):
        y = conv1d(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                   self.groups)
        coverage.warn_once(self, x.shape)
        return y
