"""im2col and col2im: turn a convolution into one matrix multiply and back.

Layout: the columns are built channels-last. Every output pixel (n, i, j) is one row, and
the row lists its receptive field in (kh, kw, C) order, so a row is kh·kw runs of C
contiguous numbers. Convolution is then ``cols @ W_cols.T`` with the weight reordered to
(out, kh, kw, C), and its result is the output in NHWC order, with no transpose copy.

im2col reads the windows through a strided view of the padded input (no Python loop);
col2im, its adjoint (fused with the input-gradient GEMM), adds each of the kh·kw kernel
offsets back with one strided slice addition: a loop over the kernel offsets only, never
over the batch or the pixels, and without ``np.add.at``.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


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


def im2col(x: np.ndarray, kernel: tuple, stride: tuple, padding: tuple) -> np.ndarray:
    """The receptive fields of an NCHW-shaped input as rows: shape (N·Ho·Wo, kh·kw·C).

    Example:
        >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
        >>> im2col(x, (2, 2), (1, 1), (0, 0))
        array([[0., 1., 3., 4.],
               [1., 2., 4., 5.],
               [3., 4., 6., 7.],
               [4., 5., 7., 8.]])
    """
    kh, kw = kernel
    sh, sw = stride
    padded = pad_channels_last(x, padding)
    # (N, H', W', C, kh, kw) windows at every position, then every stride-th one.
    windows = sliding_window_view(padded, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]
    N, Ho, Wo, C = windows.shape[:4]
    return windows.transpose(0, 1, 2, 4, 5, 3).reshape(N * Ho * Wo, kh * kw * C)


def col2im(
    grad_rows: np.ndarray, weight: np.ndarray, x_shape: tuple, stride: tuple, padding: tuple
) -> np.ndarray:
    """The input gradient of a convolution: col2im(grad_rows @ W_cols), done offset by offset.

    ``grad_rows`` is dL/dy as (N·Ho·Wo, Co) rows. For each kernel offset (i, j), the product
    ``grad_rows @ weight[:, :, i, j]`` (shape (N·Ho·Wo, C)) is the gradient of element (i, j)
    of every window, and it is added onto the strided slice of the padded input that
    im2col read it from. Doing kh·kw GEMMs rather than one keeps each added block
    contiguous (adding strided column blocks of one big product measured 5× slower) and
    never builds the (N·Ho·Wo, kh·kw·C) array.

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
    _, _, kh, kw = weight.shape
    sh, sw = stride
    ph, pw = padding
    Ho = (H + 2 * ph - kh) // sh + 1
    Wo = (W + 2 * pw - kw) // sw + 1
    dtype = np.result_type(grad_rows, weight)
    w_offsets = np.ascontiguousarray(weight.transpose(2, 3, 0, 1))  # (kh, kw, Co, C)
    padded = np.zeros((N, H + 2 * ph, W + 2 * pw, C), dtype=dtype)
    part = np.empty((N * Ho * Wo, C), dtype=dtype)
    for i in range(kh):
        for j in range(kw):
            np.matmul(grad_rows, w_offsets[i, j], out=part)
            rows = slice(i, i + sh * (Ho - 1) + 1, sh)
            cols = slice(j, j + sw * (Wo - 1) + 1, sw)
            padded[:, rows, cols, :] += part.reshape(N, Ho, Wo, C)
    return padded[:, ph : ph + H, pw : pw + W, :].transpose(0, 3, 1, 2)
