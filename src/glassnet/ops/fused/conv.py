"""Convolution (2-d and 1-d) as one op: im2col, one matrix multiply, and its adjoint.

Fused because a convolution written with the primitive ops (a pad, kh·kw shifted slices,
a stack and a matmul) records dozens of nodes and copies the input kh·kw times per node;
here forward is one im2col copy and one GEMM, and backward two GEMMs and a col2im. Tested
against a naive nested-loop convolution (kept in the tests) and against
``torch.nn.functional.conv2d``/``conv1d``.

Internal layout: channels-last. The output is returned as an NCHW-*shaped* view of an NHWC
array (``out.data.strides`` show it), because the next ops (ReLU, pooling, the next
convolution's im2col) all run faster when the channels are the innermost, contiguous axis.
Values, shapes and axis order are exactly PyTorch's; only the memory order differs.
"""

import numpy as np

from glassnet.autograd.function import Function
from glassnet.errors import ShapeError
from glassnet.ops._broadcast import shape_of
from glassnet.ops.fused.im2col import col2im, im2col
from glassnet.ops.fused.output_size import (
    check_bias,
    check_floating,
    check_rank,
    conv_output_size,
)
from glassnet.tensor import array_of


class Conv2d(Function):
    """y[n, o] = Σ_c Σ_(i,j) W[o, c, i, j] · x_pad[n, c, S·h + i, S·w + j] + b[o].

    With X_cols = im2col(x) of shape (N·Ho·Wo, K), K = kh·kw·C, W_cols the weight as
    (Co, K) and G the output gradient as (N·Ho·Wo, Co):
        forward:  Y = X_cols W_colsᵀ + b
        backward: dL/dW = Gᵀ X_cols,  dL/db = Σ_rows G,  dL/dx = col2im(G W_cols).
    The input gradient is skipped when x does not need one (the first layer's image).
    """

    __slots__ = ()

    def forward(self, x, weight, bias, *, stride, padding):
        N, C, H, W = x.shape
        Co, _, kh, kw = weight.shape
        cols = im2col(x, (kh, kw), stride, padding)
        w_cols = weight.transpose(0, 2, 3, 1).reshape(Co, kh * kw * C)
        out = cols @ w_cols.T
        if bias is not None:
            if np.result_type(out, bias) == out.dtype:
                out += bias  # in place: no second output-sized array
            else:
                out = out + bias
        self.save_for_backward(
            cols if self.needs_input_grad[1] else None,
            weight if self.needs_input_grad[0] else None,
            x.shape,
            weight.shape,
            stride,
            padding,
        )
        Ho = (H + 2 * padding[0] - kh) // stride[0] + 1
        Wo = (W + 2 * padding[1] - kw) // stride[1] + 1
        return out.reshape(N, Ho, Wo, Co).transpose(0, 3, 1, 2)

    def backward(self, grad_out):
        cols, weight, x_shape, w_shape, stride, padding = self.saved
        Co, C, kh, kw = w_shape
        # (N, Ho, Wo, Co) rows; free when grad_out is channels-last already.
        grad_rows = grad_out.transpose(0, 2, 3, 1).reshape(-1, Co)
        grad_x = grad_weight = grad_bias = None
        if self.needs_input_grad[0]:
            grad_x = col2im(grad_rows, weight, x_shape, stride, padding)
        if self.needs_input_grad[1]:
            grad_w_cols = grad_rows.T @ cols
            grad_weight = np.ascontiguousarray(
                grad_w_cols.reshape(Co, kh, kw, C).transpose(0, 3, 1, 2)
            )
        if self.needs_input_grad[2]:
            grad_bias = grad_rows.sum(axis=0)
        return grad_x, grad_weight, grad_bias


class Conv1d(Conv2d):
    """1-d convolution over (N, C, L): the 2-d convolution of a height-1 image."""

    __slots__ = ()

    def forward(self, x, weight, bias, *, stride, padding):
        out = super().forward(
            x[:, :, None, :], weight[:, :, None, :], bias, stride=(1, stride), padding=(0, padding)
        )
        return out[:, :, 0, :]

    def backward(self, grad_out):
        grad_x, grad_weight, grad_bias = super().backward(grad_out[:, :, None, :])
        return (
            None if grad_x is None else grad_x[:, :, 0, :],
            None if grad_weight is None else grad_weight[:, :, 0, :],
            grad_bias,
        )


def conv2d(x, weight, bias=None, *, stride=(1, 1), padding=(0, 0)):
    """2-d convolution (cross-correlation, as in every deep-learning library) over NCHW input.

    Output size per spatial axis: (W − F + 2P)/S + 1, which must be a whole number.

    Args:
        x: Tensor (N, C_in, H, W).
        weight: Tensor (C_out, C_in, kh, kw), PyTorch's layout.
        bias: Tensor (C_out,), or None.
        stride: (sh, sw), the step between windows.
        padding: (ph, pw), zeros added on each side.

    Shape:
        x (N, C_in, H, W) → y (N, C_out, Ho, Wo) with Ho = (H − kh + 2ph)/sh + 1, likewise Wo.
        y is an NCHW-shaped view of channels-last memory (see the module docstring).

    Returns:
        A Tensor of shape (N, C_out, Ho, Wo).

    Raises:
        ShapeError: wrong ranks, a channel count that does not match the weight, a bias of
            the wrong length, or an output size that is not a positive whole number.
        DTypeError: x is not floating.

    Example:
        The lecture's layer: 10 filters 5×5, stride 1, pad 2 on a 32×32×3 image.

        >>> import glassnet as gn
        >>> x = gn.randn(1, 3, 32, 32)
        >>> w = gn.randn(10, 3, 5, 5)
        >>> conv2d(x, w, gn.zeros(10), padding=(2, 2)).shape
        (1, 10, 32, 32)
    """
    _check_conv(x, weight, bias, 2, "conv2d", stride, padding)
    return Conv2d.apply(x, weight, bias, stride=tuple(stride), padding=tuple(padding))


def conv1d(x, weight, bias=None, *, stride=1, padding=0):
    """1-d convolution over (N, C_in, L) input.

    Args:
        x: Tensor (N, C_in, L).
        weight: Tensor (C_out, C_in, k).
        bias: Tensor (C_out,), or None.
        stride: int, the step between windows.
        padding: int, zeros added on each side.

    Shape:
        x (N, C_in, L) → y (N, C_out, Lo) with Lo = (L − k + 2P)/S + 1.

    Returns:
        A Tensor of shape (N, C_out, Lo).

    Raises:
        ShapeError: as ``conv2d``.

    Example:
        A moving sum of width 2:

        >>> import glassnet as gn
        >>> x = gn.tensor([[[1.0, 2.0, 3.0, 4.0]]])
        >>> conv1d(x, gn.ones(1, 1, 2))
        tensor([[[3., 5., 7.]]])
    """
    _check_conv(x, weight, bias, 1, "conv1d", (stride,), (padding,))
    return Conv1d.apply(x, weight, bias, stride=int(stride), padding=int(padding))


def _check_conv(x, weight, bias, spatial: int, op_name: str, stride, padding) -> None:
    """Validate ranks, channels, bias and the output size; see ``conv2d``'s Raises."""
    x_array = np.asarray(array_of(x))
    layout = "(N, C, H, W)" if spatial == 2 else "(N, C, L)"
    check_rank(x_array, spatial + 2, layout, op_name)
    check_floating(x_array, "input", op_name)
    x_shape, w_shape = x_array.shape, shape_of(weight)
    if len(w_shape) != spatial + 2:
        kernel = "kh, kw" if spatial == 2 else "k"
        raise ShapeError(
            f"{op_name}: expected a {spatial + 2}-d weight (out_channels, in_channels, "
            f"{kernel}), but got shape {w_shape}."
        )
    if x_shape[1] != w_shape[1]:
        raise ShapeError(
            f"{op_name}: input has {x_shape[1]} channels but weight expects "
            f"in_channels={w_shape[1]} (x.shape={x_shape}, weight.shape={w_shape}). "
            "Check the previous layer's out_channels (or the image's channel count)."
        )
    if bias is not None:
        check_bias(shape_of(bias), w_shape[0], "out_channels", op_name)
    for size, kernel, s, p in zip(x_shape[2:], w_shape[2:], stride, padding):
        conv_output_size(size, kernel, s, p, op_name=op_name)
