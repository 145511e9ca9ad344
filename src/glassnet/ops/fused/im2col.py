"""im2col and col2im: turn a (grouped, dilated) convolution into matrix multiplies and back.

Layout: the columns are built channels-last. Every output pixel (n, i, j) is one row, and
the row lists its receptive field in (kh, kw, C) order, so a row is kh·kw runs of C
contiguous numbers. Convolution is then ``cols @ W_cols.T`` with the weight reordered to
(out, kh, kw, C), and its result is the output in NHWC order, with no transpose copy.

With ``groups`` = G the C input channels split into G runs of C/G, and so do the output
channels: the columns are stacked per group, shape (G, rows, kh·kw·C/G), and the product
is one batched matrix multiply. With G = 1 the stack has one entry and the work is exactly
the single GEMM above. A dilation D reads every D-th position of a window of
D·(k − 1) + 1: one more step in the same strided view.

im2col reads the windows through a strided view of the padded input (no Python loop);
col2im, its adjoint (fused with the input-gradient GEMM), adds each of the kh·kw kernel
offsets back with one strided slice addition: a loop over the kernel offsets only, never
over the pixels, and without ``np.add.at``. Both run on every core, split into blocks of
samples (``glassnet.ops.parallel``): each block does its own copies, GEMMs and additions,
with a single-threaded BLAS beside the other blocks.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from glassnet.ops.parallel import map_blocks


def pad_channels_last(x: np.ndarray, padding: tuple) -> np.ndarray:
    """A C-contiguous (N, H + 2ph, W + 2pw, C) copy of the NCHW-shaped ``x`` with zero borders.

    When ``x`` already lies in memory channels-last and needs no padding, it is returned as
    a view without copying.
    """
    N, C, H, W = x.shape
    ph, pw = padding
    x_nhwc = x.transpose(0, 2, 3, 1)
    if ph == 0 and pw == 0:
        return np.ascontiguousarray(x_nhwc)
    padded = np.zeros((N, H + 2 * ph, W + 2 * pw, C), dtype=x.dtype)
    padded[:, ph : ph + H, pw : pw + W, :] = x_nhwc
    return padded


def output_shape(x_shape: tuple, kernel: tuple, stride: tuple, padding: tuple,
                 dilation: tuple) -> tuple:
    """(Ho, Wo): floor((H + 2ph − dh·(kh − 1) − 1)/sh) + 1, likewise Wo."""
    return tuple(
        (n + 2 * p - d * (k - 1) - 1) // s + 1
        for n, k, s, p, d in zip(x_shape[2:], kernel, stride, padding, dilation)
    )


def im2col(
    x: np.ndarray,
    kernel: tuple,
    stride: tuple,
    padding: tuple,
    dilation: tuple = (1, 1),
    groups: int = 1,
) -> np.ndarray:
    """The receptive fields of an NCHW-shaped input as rows, per group of channels: shape
    (G, N·Ho·Wo, kh·kw·C/G).

    Example:
        >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
        >>> im2col(x, (2, 2), (1, 1), (0, 0))[0]
        array([[0., 1., 3., 4.],
               [1., 2., 4., 5.],
               [3., 4., 6., 7.],
               [4., 5., 7., 8.]])
        >>> im2col(x, (2, 2), (1, 1), (0, 0), dilation=(2, 2))[0]  # the corners
        array([[0., 2., 6., 8.]])
    """
    N, C = x.shape[:2]
    kh, kw = kernel
    Ho, Wo = output_shape(x.shape, kernel, stride, padding, dilation)
    cols = np.empty((groups, N, Ho, Wo, kh, kw, C // groups), dtype=x.dtype)

    def copy_block(block):
        cols[:, block] = _windows(x[block], kernel, stride, padding, dilation, groups)

    map_blocks(copy_block, N, nbytes=2 * cols.nbytes)
    return cols.reshape(groups, N * Ho * Wo, kh * kw * (C // groups))


def _windows(x, kernel, stride, padding, dilation, groups) -> np.ndarray:
    """The receptive fields of ``x`` as a strided view (G, N, Ho, Wo, kh, kw, C/G)."""
    kh, kw = kernel
    sh, sw = stride
    dh, dw = dilation
    padded = pad_channels_last(x, padding)
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    # (N, Ho, Wo, C, kh, kw) windows: every stride-th position, every dilation-th tap.
    windows = sliding_window_view(padded, span, axis=(1, 2))[:, ::sh, ::sw, :, ::dh, ::dw]
    N, Ho, Wo, C = windows.shape[:4]
    per_group = windows.reshape(N, Ho, Wo, groups, C // groups, kh, kw)
    return per_group.transpose(3, 0, 1, 2, 5, 6, 4)


def col2im(
    grad_rows: np.ndarray,
    weight: np.ndarray,
    x_shape: tuple,
    stride: tuple,
    padding: tuple,
    dilation: tuple = (1, 1),
    groups: int = 1,
) -> np.ndarray:
    """The input gradient of a convolution: col2im(grad_rows @ W_cols), done offset by offset.

    ``grad_rows`` is dL/dy as (N·Ho·Wo, Co) rows. For each kernel offset (i, j), the product
    of each group's rows with its ``weight[:, :, i, j]`` block (one batched GEMM, written
    straight into an (N·Ho·Wo, C) array) is the gradient of element (i, j) of every window,
    and it is added onto the strided slice of the padded input that im2col read it from.
    Doing kh·kw GEMMs rather than one keeps each added block contiguous (adding strided
    column blocks of one big product measured 5× slower) and never builds the
    (N·Ho·Wo, kh·kw·C) array.

    Returns an NCHW-shaped view of a channels-last array.

    Example:
        Every window of a 2×2 kernel of ones, stride 1, adds 1 to the pixels it covers:

        >>> grad = col2im(np.ones((4, 1)), np.ones((1, 1, 2, 2)), (1, 1, 3, 3), (1, 1), (0, 0))
        >>> grad[0, 0]
        array([[1., 2., 1.],
               [2., 4., 2.],
               [1., 2., 1.]])
    """
    N, C, H, W = x_shape
    Co, C_group, kh, kw = weight.shape
    sh, sw = stride
    ph, pw = padding
    dh, dw = dilation
    Ho, Wo = output_shape(x_shape, (kh, kw), stride, padding, dilation)
    dtype = np.result_type(grad_rows, weight)
    # (kh, kw, G, Co/G, C/G): each offset's weight block per group.
    w_offsets = np.ascontiguousarray(
        weight.reshape(groups, Co // groups, C_group, kh, kw).transpose(3, 4, 0, 1, 2)
    )
    grad_groups = grad_rows.reshape(-1, groups, Co // groups).transpose(1, 0, 2)
    if groups > 1:  # one copy: a strided input and a strided output made each GEMM 25% slower
        grad_groups = np.ascontiguousarray(grad_groups)
    padded = np.empty((N, H + 2 * ph, W + 2 * pw, C), dtype=dtype)
    part = np.empty((N, Ho, Wo, C), dtype=dtype)

    def add_block(block):
        """Samples ``block``: zero their padded gradient, then add every offset's share."""
        padded_block, part_block = padded[block], part[block]
        padded_block.fill(0)
        grad_block = grad_groups[:, block.start * Ho * Wo : block.stop * Ho * Wo]
        part_groups = part_block.reshape(-1, groups, C_group).transpose(1, 0, 2)
        for i in range(kh):
            for j in range(kw):
                np.matmul(grad_block, w_offsets[i, j], out=part_groups)
                rows = slice(i * dh, i * dh + sh * (Ho - 1) + 1, sh)
                cols = slice(j * dw, j * dw + sw * (Wo - 1) + 1, sw)
                padded_block[:, rows, cols, :] += part_block

    map_blocks(add_block, N, nbytes=padded.nbytes + part.nbytes + grad_rows.nbytes)
    return padded[:, ph : ph + H, pw : pw + W, :].transpose(0, 3, 1, 2)
