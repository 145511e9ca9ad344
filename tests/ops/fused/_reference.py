"""Naive nested-loop references for the fused ops: slow, obvious, and independent of them.

Each loops over every output element and reads its window straight from the definition,
so a bug in the fused im2col/strided-slice code cannot hide in a shared helper. Output
sizes are computed here from PyTorch's documented formulas, not with glassnet's.
"""

import math

import numpy as np


def out_size(size, kernel, stride, padding, dilation=1, ceil_mode=False):
    """PyTorch's output length: ⌊(L + 2P − D·(F − 1) − 1)/S + 1⌋ (⌈⌉ with ceil_mode, minus
    a last window that would start in the right padding)."""
    value = (size + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1
    out = math.ceil(value) if ceil_mode else math.floor(value)
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def _out_size(x_shape, kernel, stride, padding, dilation=(1, 1), ceil_mode=False):
    return tuple(
        out_size(n, k, s, p, d, ceil_mode)
        for n, k, s, p, d in zip(x_shape[2:], kernel, stride, padding, dilation)
    )


def _pad(x: np.ndarray, before: tuple, after: tuple, fill: float) -> np.ndarray:
    widths = ((0, 0), (0, 0), (before[0], after[0]), (before[1], after[1]))
    return np.pad(x, widths, constant_values=fill)


def conv2d(x, weight, bias, stride, padding, dilation=(1, 1), groups=1):
    """y[n, o, h, w] = Σ_c Σ_i Σ_j weight[o, c, i, j] · x_pad[n, g·C/G + c, sh·h + dh·i,
    sw·w + dw·j] + b[o], with g = o // (C_out/G)."""
    N = x.shape[0]
    Co, C_group, kh, kw = weight.shape
    Ho, Wo = _out_size(x.shape, (kh, kw), stride, padding, dilation)
    xp = _pad(x, padding, padding, 0.0)
    y = np.zeros((N, Co, Ho, Wo), dtype=np.result_type(x, weight))
    for n in range(N):
        for o in range(Co):
            first = (o // (Co // groups)) * C_group
            for h in range(Ho):
                for w in range(Wo):
                    total = 0.0
                    for c in range(C_group):
                        for i in range(kh):
                            for j in range(kw):
                                r = stride[0] * h + dilation[0] * i
                                s = stride[1] * w + dilation[1] * j
                                total += weight[o, c, i, j] * xp[n, first + c, r, s]
                    y[n, o, h, w] = total + (0.0 if bias is None else bias[o])
    return y


def _windows(x, kernel, stride, padding, dilation, ceil_mode, fill):
    """(padded x, Ho, Wo, a function giving the (rows, cols) index arrays of window (h, w))."""
    Ho, Wo = _out_size(x.shape, kernel, stride, padding, dilation, ceil_mode)
    after = tuple(
        max(p, (o - 1) * s + d * (k - 1) + 1 - n - p)
        for n, k, s, p, d, o in zip(x.shape[2:], kernel, stride, padding, dilation, (Ho, Wo))
    )
    xp = _pad(x, padding, after, fill)

    def window(h, w):
        rows = stride[0] * h + dilation[0] * np.arange(kernel[0])
        cols = stride[1] * w + dilation[1] * np.arange(kernel[1])
        return rows, cols

    return xp, Ho, Wo, window


def pool2d(x, kernel, stride, padding, mode, dilation=(1, 1), ceil_mode=False):
    """Max (−inf padding) or average (zero padding; divisor: the part of the window inside
    the padded input, kh·kw unless ceil_mode cuts it) pooling, one window at a time."""
    N, C, H, W = x.shape
    fill = -np.inf if mode == "max" else 0.0
    xp, Ho, Wo, window = _windows(x, kernel, stride, padding, dilation, ceil_mode, fill)
    y = np.zeros((N, C, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for h in range(Ho):
                for w in range(Wo):
                    rows, cols = window(h, w)
                    values = xp[n, c][np.ix_(rows, cols)]
                    if mode == "max":
                        y[n, c, h, w] = values.max()
                    else:
                        inside_rows = np.sum(rows < H + 2 * padding[0])
                        inside_cols = np.sum(cols < W + 2 * padding[1])
                        y[n, c, h, w] = values.sum() / (inside_rows * inside_cols)
    return y


def max_pool2d_backward(x, grad_y, kernel, stride, padding, dilation=(1, 1), ceil_mode=False):
    """Each window's gradient goes to its first maximum in row-major order (PyTorch's rule)."""
    N, C, H, W = x.shape
    xp, Ho, Wo, window = _windows(x, kernel, stride, padding, dilation, ceil_mode, -np.inf)
    grad = np.zeros(xp.shape, dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for h in range(Ho):
                for w in range(Wo):
                    rows, cols = window(h, w)
                    values = xp[n, c][np.ix_(rows, cols)]
                    i, j = np.unravel_index(np.argmax(values), values.shape)
                    grad[n, c, rows[i], cols[j]] += grad_y[n, c, h, w]
    ph, pw = padding
    return grad[:, :, ph : ph + H, pw : pw + W]
