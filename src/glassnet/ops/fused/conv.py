"""Convolution (2-d and 1-d, dilated, grouped, depthwise) as one op each, with its adjoint.

Fused because a convolution written with the primitive ops (a pad, kh·kw shifted slices,
a stack and a matmul) records dozens of nodes and copies the input kh·kw times per node.
Two ops, each the natural algorithm for its kind of convolution:

- ``Conv2d`` (any groups whose input channels per group C/G exceed 1, and every
  convolution with groups = 1): forward is one im2col copy and one (batched, per group)
  GEMM; backward two GEMMs and a col2im.
- ``DepthwiseConv2d`` (groups = C_in > 1: one input channel per group, MobileNet's
  depthwise convolution): there is no sum over channels, so no GEMM to do; forward and
  backward loop over the kh·kw kernel offsets with element-wise products of strided
  slices, as max pooling does, without an im2col copy.

Both are tested against a naive nested-loop convolution (kept in the tests), against each
other, and against ``torch.nn.functional.conv2d``/``conv1d``.

Internal layout: channels-last. The output is returned as an NCHW-*shaped* view of an NHWC
array (``out.data.strides`` show it), because the next ops (ReLU, pooling, the next
convolution's im2col) all run faster when the channels are the innermost, contiguous axis.
Values, shapes and axis order are exactly PyTorch's; only the memory order differs.
"""

import numpy as np

from glassnet.autograd.function import Function
from glassnet.errors import ShapeError
from glassnet.ops._broadcast import shape_of
from glassnet.ops.fused.im2col import col2im, im2col, output_shape, pad_channels_last
from glassnet.ops.fused.output_size import (
    check_bias,
    check_floating,
    check_rank,
    conv_output_size,
)
from glassnet.ops.parallel import matmul_by_rows, matmul_summed_over_blocks, row_sums
from glassnet.tensor import array_of


class Conv2d(Function):
    """y[n, o] = Σ_c Σ_(i,j) W[o, c, i, j] · x_pad[n, g·C/G + c, S·h + D·i, S·w + D·j] + b[o],
    with g = o // (Co/G) the group of output channel o.

    With X_cols = im2col(x) of shape (G, N·Ho·Wo, K), K = kh·kw·C/G, W_cols the weight as
    (G, Co/G, K) and G_rows the output gradient as (G, N·Ho·Wo, Co/G), per group:
        forward:  Y = X_cols W_colsᵀ + b
        backward: dL/dW = G_rowsᵀ X_cols,  dL/db = Σ_rows G_rows,  dL/dx = col2im(G_rows W_cols).
    With G = 1 each batched product is one plain GEMM. Each GEMM runs on every core as
    single-threaded GEMMs over blocks of rows (``glassnet.ops.parallel``); the weight
    gradient sums one partial product per block. The input gradient is skipped when x does
    not need one (the first layer's image).
    """

    __slots__ = ()

    def forward(self, x, weight, bias, *, stride, padding, dilation=(1, 1), groups=1):
        N = x.shape[0]
        Co, C_group, kh, kw = weight.shape
        Ho, Wo = output_shape(x.shape, (kh, kw), stride, padding, dilation)
        rows, per_group = N * Ho * Wo, Co // groups
        cols = im2col(x, (kh, kw), stride, padding, dilation, groups)
        w_cols = weight.reshape(groups, per_group, C_group, kh, kw).transpose(0, 1, 3, 4, 2)
        w_cols = w_cols.reshape(groups, per_group, kh * kw * C_group)
        out = np.empty((rows, Co), dtype=np.result_type(cols, w_cols))
        # Each group's product lands in its run of output channels: (N·Ho·Wo, Co) = NHWC.
        matmul_by_rows(cols, w_cols.transpose(0, 2, 1),
                       out=out.reshape(rows, groups, per_group).transpose(1, 0, 2))
        out = _add_bias(out, bias)
        self.save_for_backward(
            cols if self.needs_input_grad[1] else None,
            weight if self.needs_input_grad[0] else None,
            x.shape,
            weight.shape,
            (stride, padding, dilation, groups),
        )
        return out.reshape(N, Ho, Wo, Co).transpose(0, 3, 1, 2)

    def backward(self, grad_out):
        cols, weight, x_shape, w_shape, (stride, padding, dilation, groups) = self.saved
        Co, C_group, kh, kw = w_shape
        # (N, Ho, Wo, Co) rows; free when grad_out is channels-last already.
        grad_rows = grad_out.transpose(0, 2, 3, 1).reshape(-1, Co)
        grad_x = grad_weight = grad_bias = None
        if self.needs_input_grad[0]:
            grad_x = col2im(grad_rows, weight, x_shape, stride, padding, dilation, groups)
        if self.needs_input_grad[1]:
            per_group = grad_rows.reshape(-1, groups, Co // groups).transpose(1, 2, 0)
            grad_w_cols = matmul_summed_over_blocks(per_group, cols)  # (G, Co/G, kh·kw·C/G)
            grad_weight = np.ascontiguousarray(
                grad_w_cols.reshape(Co, kh, kw, C_group).transpose(0, 3, 1, 2)
            )
        if self.needs_input_grad[2]:
            grad_bias = row_sums(grad_rows)
        return grad_x, grad_weight, grad_bias


class DepthwiseConv2d(Function):
    """y[n, c·m + t] = Σ_(i,j) W[c·m + t, 0, i, j] · x_pad[n, c, S·h + D·i, S·w + D·j] + b[·]:
    groups = C, each input channel c filtered by its own m = Co/C kernels.

    With X_ij the strided slice of the padded input that kernel offset (i, j) reads for
    every output pixel (N, Ho, Wo, C), and G the output gradient as (N, Ho, Wo, C, m):
        forward:  Y = Σ_(i,j) X_ij ⊙ W_ij + b              (W_ij: the (C, m) weights of (i, j))
        backward: dL/dW_ij = Σ_(n,h,w) X_ij ⊙ G,  dL/db = Σ_(n,h,w) G,
                  dL/dx = Σ_(i,j) (G W_ij summed over m) added back onto the slice X_ij.

    NOTE: each sum runs over a few samples at a time (``_batch_blocks``: about 256 KiB of
    output), so the kh·kw products accumulate in cache instead of streaming the whole batch
    through memory kh·kw times: 2.5x faster for a 3×3 over (128, 32, 28, 28) (103 → 39 ms).
    It is cache blocking, not a loop over samples: the block size depends on the bytes.
    """

    __slots__ = ()

    def forward(self, x, weight, bias, *, stride, padding, dilation=(1, 1), groups=None):
        N, C = x.shape[:2]
        Co, _, kh, kw = weight.shape
        m = Co // C
        padded = pad_channels_last(x, padding)
        w_offsets = weight.reshape(C, m, kh, kw).transpose(2, 3, 0, 1)  # (kh, kw, C, m)
        out_size = output_shape(x.shape, (kh, kw), stride, padding, dilation)
        dtype = np.result_type(x, weight)
        out = np.empty((N, *out_size, C, m), dtype)
        term = np.empty((_block_size(out), *out.shape[1:]), dtype)
        for block in _batch_blocks(out):
            y, scratch = out[block], term[: block.stop - block.start]
            for index, (i, j) in enumerate(_offsets(kh, kw)):
                window = _window(padded[block], i, j, out_size, stride, dilation)[..., None]
                if index == 0:
                    np.multiply(window, w_offsets[i, j], out=y)
                else:
                    y += np.multiply(window, w_offsets[i, j], out=scratch)
        out = _add_bias(out.reshape(N, *out_size, Co), bias)
        self.save_for_backward(
            padded if self.needs_input_grad[1] else None,
            w_offsets if self.needs_input_grad[0] else None,
            x.shape,
            (kh, kw),
            (stride, padding, dilation),
        )
        return out.transpose(0, 3, 1, 2)

    def backward(self, grad_out):
        padded, w_offsets, x_shape, kernel, settings = self.saved
        C = x_shape[1]
        grad = np.ascontiguousarray(grad_out.transpose(0, 2, 3, 1))  # (N, Ho, Wo, Co)
        grad_by_channel = grad.reshape(*grad.shape[:3], C, -1)  # (N, Ho, Wo, C, m)
        grad_x = grad_weight = grad_bias = None
        if self.needs_input_grad[0]:
            grad_x = self._grad_input(grad_by_channel, w_offsets, x_shape, *settings)
        if self.needs_input_grad[1]:
            grad_w = self._grad_weight(grad_by_channel, padded, kernel, *settings)
            grad_weight = np.ascontiguousarray(grad_w.transpose(2, 3, 0, 1)).reshape(
                -1, 1, *kernel)
        if self.needs_input_grad[2]:
            grad_bias = grad.reshape(-1, grad.shape[-1]).sum(axis=0)
        return grad_x, grad_weight, grad_bias

    @staticmethod
    def _grad_input(grad, w_offsets, x_shape, stride, padding, dilation):
        """Σ_(i,j) of each offset's share G·W_ij, added back onto the slice it was read from."""
        N, C, H, W = x_shape
        (ph, pw), (kh, kw), m = padding, w_offsets.shape[:2], grad.shape[-1]
        dtype = np.result_type(grad, w_offsets)
        grad_padded = np.zeros((N, H + 2 * ph, W + 2 * pw, C), dtype=dtype)
        share = np.empty((_block_size(grad), *grad.shape[1:4]), dtype=dtype)
        for block in _batch_blocks(grad):
            g, part = grad[block], share[: block.stop - block.start]
            for i, j in _offsets(kh, kw):
                if m == 1:  # 2x faster than the einsum
                    np.multiply(g[..., 0], w_offsets[i, j, :, 0], out=part)
                else:  # sums the m kernels of a channel without an (…, C, m) temporary
                    np.einsum("nhwcm,cm->nhwc", g, w_offsets[i, j], out=part)
                _window(grad_padded[block], i, j, grad.shape[1:3], stride, dilation)[...] += part
        return grad_padded[:, ph : ph + H, pw : pw + W, :].transpose(0, 3, 1, 2)

    @staticmethod
    def _grad_weight(grad, padded, kernel, stride, padding, dilation):
        """dL/dW_ij = Σ_(n,h,w) X_ij ⊙ G for every offset, as (kh, kw, C, m)."""
        kh, kw = kernel
        grad_w = np.zeros((kh, kw, *grad.shape[3:]), dtype=np.result_type(grad, padded))
        for block in _batch_blocks(grad):
            for i, j in _offsets(kh, kw):
                window = _window(padded[block], i, j, grad.shape[1:3], stride, dilation)
                grad_w[i, j] += np.einsum("nhwc,nhwcm->cm", window, grad[block])
        return grad_w


def _add_bias(out: np.ndarray, bias) -> np.ndarray:
    if bias is None:
        return out
    if np.result_type(out, bias) == out.dtype:
        out += bias  # in place: no second output-sized array
        return out
    return out + bias


def _block_size(array: np.ndarray, target_bytes: int = 1 << 18) -> int:
    """How many samples of ``array`` (batch first) fill about ``target_bytes``, at least 1."""
    per_sample = array[:1].nbytes or 1
    return max(1, min(len(array), target_bytes // per_sample))


def _batch_blocks(array: np.ndarray):
    """Slices of the batch axis, ``_block_size`` samples each."""
    size = _block_size(array)
    return (slice(start, min(start + size, len(array))) for start in range(0, len(array), size))


def _offsets(kh: int, kw: int):
    return ((i, j) for i in range(kh) for j in range(kw))


def _window(padded: np.ndarray, i: int, j: int, out_size: tuple, stride: tuple,
            dilation: tuple) -> np.ndarray:
    """The (N, Ho, Wo, C) strided slice of channels-last ``padded`` that offset (i, j) reads."""
    (Ho, Wo), (sh, sw), (dh, dw) = out_size, stride, dilation
    rows = slice(i * dh, i * dh + sh * (Ho - 1) + 1, sh)
    cols = slice(j * dw, j * dw + sw * (Wo - 1) + 1, sw)
    return padded[:, rows, cols, :]


class _Conv1d(Function):
    """A 1-d convolution over (N, C, L) as its 2-d op over a height-1 image."""

    __slots__ = ()
    conv2d: type

    def forward(self, x, weight, bias, *, stride, padding, dilation=1, groups=1):
        conv = self.conv2d()
        conv.needs_input_grad = self.needs_input_grad
        out = conv.forward(
            x[:, :, None, :], weight[:, :, None, :], bias, stride=(1, stride),
            padding=(0, padding), dilation=(1, dilation), groups=groups,
        )
        self.save_for_backward(conv)
        return out[:, :, 0, :]

    def backward(self, grad_out):
        (conv,) = self.saved
        grad_x, grad_weight, grad_bias = conv.backward(grad_out[:, :, None, :])
        return (
            None if grad_x is None else grad_x[:, :, 0, :],
            None if grad_weight is None else grad_weight[:, :, 0, :],
            grad_bias,
        )


class Conv1d(_Conv1d):
    """1-d convolution over (N, C, L); see ``Conv2d``."""

    __slots__ = ()
    conv2d = Conv2d


class DepthwiseConv1d(_Conv1d):
    """1-d depthwise convolution over (N, C, L); see ``DepthwiseConv2d``."""

    __slots__ = ()
    conv2d = DepthwiseConv2d


def conv2d(x, weight, bias=None, *, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
    """2-d convolution (cross-correlation, as in every deep-learning library) over NCHW input.

    Output size per spatial axis, as PyTorch: floor((W + 2P − D·(F − 1) − 1)/S) + 1. Input
    rows or columns that no window reaches are not read (the layers warn about them; see
    ``glassnet.nn.Conv2d``).

    Args:
        x: Tensor (N, C_in, H, W).
        weight: Tensor (C_out, C_in/groups, kh, kw), PyTorch's layout.
        bias: Tensor (C_out,), or None.
        stride: (sh, sw), the step between windows.
        padding: (ph, pw), zeros added on each side.
        dilation: (dh, dw), the spacing between kernel taps (1: adjacent).
        groups: G; the input and output channels split into G groups, group g's outputs
            seeing only group g's inputs (G = C_in: depthwise).

    Shape:
        x (N, C_in, H, W) → y (N, C_out, Ho, Wo) with Ho = ⌊(H + 2ph − dh·(kh − 1) − 1)/sh⌋ + 1,
        likewise Wo. y is an NCHW-shaped view of channels-last memory (see the module
        docstring).

    Returns:
        A Tensor of shape (N, C_out, Ho, Wo).

    Raises:
        ShapeError: wrong ranks, a channel count that does not match the weight and groups,
            output channels not divisible by groups, a bias of the wrong length, or a
            window larger than the padded input.
        DTypeError: x is not floating.

    Example:
        The lecture's layer: 10 filters 5×5, stride 1, pad 2 on a 32×32×3 image.

        >>> import glassnet as gn
        >>> x = gn.randn(1, 3, 32, 32)
        >>> w = gn.randn(10, 3, 5, 5)
        >>> conv2d(x, w, gn.zeros(10), padding=(2, 2)).shape
        (1, 10, 32, 32)

        A depthwise 3×3 (one filter per channel) with dilation 2:

        >>> conv2d(x, gn.randn(3, 1, 3, 3), dilation=(2, 2), groups=3).shape
        (1, 3, 28, 28)
    """
    _check_conv(x, weight, bias, 2, "conv2d", stride, padding, dilation, groups)
    op = DepthwiseConv2d if _is_depthwise(weight, groups) else Conv2d
    return op.apply(x, weight, bias, stride=tuple(stride), padding=tuple(padding),
                    dilation=tuple(dilation), groups=int(groups))


def conv1d(x, weight, bias=None, *, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution over (N, C_in, L) input.

    Args:
        x: Tensor (N, C_in, L).
        weight: Tensor (C_out, C_in/groups, k).
        bias: Tensor (C_out,), or None.
        stride: int, the step between windows.
        padding: int, zeros added on each side.
        dilation: int, the spacing between kernel taps.
        groups: int, as ``conv2d``.

    Shape:
        x (N, C_in, L) → y (N, C_out, Lo) with Lo = ⌊(L + 2P − D·(k − 1) − 1)/S⌋ + 1.

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
        >>> conv1d(x, gn.ones(1, 1, 2), dilation=2)  # x[i] + x[i + 2]
        tensor([[[4., 6.]]])
    """
    _check_conv(x, weight, bias, 1, "conv1d", (stride,), (padding,), (dilation,), groups)
    op = DepthwiseConv1d if _is_depthwise(weight, groups) else Conv1d
    return op.apply(x, weight, bias, stride=int(stride), padding=int(padding),
                    dilation=int(dilation), groups=int(groups))


def _is_depthwise(weight, groups: int) -> bool:
    """One input channel per group, and more than one group (groups = C_in > 1)."""
    return groups > 1 and shape_of(weight)[1] == 1


def _check_conv(x, weight, bias, spatial: int, op_name: str, stride, padding, dilation,
                groups) -> None:
    """Validate ranks, channels, groups, bias and the output size; see ``conv2d``'s Raises."""
    x_array = np.asarray(array_of(x))
    layout = "(N, C, H, W)" if spatial == 2 else "(N, C, L)"
    check_rank(x_array, spatial + 2, layout, op_name)
    check_floating(x_array, "input", op_name)
    x_shape, w_shape = x_array.shape, shape_of(weight)
    if len(w_shape) != spatial + 2:
        kernel = "kh, kw" if spatial == 2 else "k"
        raise ShapeError(
            f"{op_name}: expected a {spatial + 2}-d weight (out_channels, in_channels/groups, "
            f"{kernel}), but got shape {w_shape}."
        )
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ShapeError(f"{op_name}: expected groups to be an int >= 1, but got {groups!r}.")
    if w_shape[0] % groups:
        raise ShapeError(
            f"{op_name}: expected out_channels divisible by groups, but got weight.shape[0]="
            f"{w_shape[0]} with groups={groups} (weight.shape={w_shape}). Use a multiple of "
            f"{groups} filters, or another groups."
        )
    if x_shape[1] != w_shape[1] * groups:
        expects = (
            f"in_channels={w_shape[1]}" if groups == 1 else
            f"in_channels = {w_shape[1]} per group x groups={groups} = {w_shape[1] * groups}"
        )
        raise ShapeError(
            f"{op_name}: input has {x_shape[1]} channels but weight expects {expects} "
            f"(x.shape={x_shape}, weight.shape={w_shape}). Check the previous layer's "
            "out_channels (or the image's channel count)"
            + ("." if groups == 1 else " and groups.")
        )
    if bias is not None:
        check_bias(shape_of(bias), w_shape[0], "out_channels", op_name)
    for size, kernel, s, p, d in zip(x_shape[2:], w_shape[2:], stride, padding, dilation):
        conv_output_size(size, kernel, s, p, op_name=op_name, dilation=d)
