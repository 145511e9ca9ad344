"""Naive nested-loop references for the fused ops: slow, obvious, and independent of them.

Each loops over every output element and reads its window straight from the definition,
so a bug in the fused im2col/strided-slice code cannot hide in a shared helper.
"""

import numpy as np


def _pad(x: np.ndarray, padding: tuple, fill: float) -> np.ndarray:
    ph, pw = padding
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)


def _out_size(x_shape, kernel, stride, padding):
    return tuple(
        (n + 2 * p - k) // s + 1 for n, k, s, p in zip(x_shape[2:], kernel, stride, padding)
    )


def conv2d(x, weight, bias, stride, padding):
    """y[n, o, h, w] = Σ_c Σ_i Σ_j weight[o, c, i, j] · x_pad[n, c, sh·h + i, sw·w + j] + b[o]."""
    N, C, _, _ = x.shape
    Co, _, kh, kw = weight.shape
    Ho, Wo = _out_size(x.shape, (kh, kw), stride, padding)
    xp = _pad(x, padding, 0.0)
    y = np.zeros((N, Co, Ho, Wo), dtype=np.result_type(x, weight))
    for n in range(N):
        for o in range(Co):
            for h in range(Ho):
                for w in range(Wo):
                    total = 0.0
                    for c in range(C):
                        for i in range(kh):
                            for j in range(kw):
                                r, s = stride[0] * h + i, stride[1] * w + j
                                total += weight[o, c, i, j] * xp[n, c, r, s]
                    y[n, o, h, w] = total + (0.0 if bias is None else bias[o])
    return y


def pool2d(x, kernel, stride, padding, mode):
    """Max (−inf padding) or average (zero padding, divisor kh·kw) pooling, one window at a time."""
    N, C, _, _ = x.shape
    Ho, Wo = _out_size(x.shape, kernel, stride, padding)
    xp = _pad(x, padding, -np.inf if mode == "max" else 0.0)
    y = np.zeros((N, C, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for h in range(Ho):
                for w in range(Wo):
                    r, s = stride[0] * h, stride[1] * w
                    window = xp[n, c, r : r + kernel[0], s : s + kernel[1]]
                    y[n, c, h, w] = window.max() if mode == "max" else window.sum() / window.size
    return y


def max_pool2d_backward(x, grad_y, kernel, stride, padding):
    """Each window's gradient goes to its first maximum in row-major order (PyTorch's rule)."""
    N, C, H, W = x.shape
    Ho, Wo = grad_y.shape[2:]
    xp = _pad(x, padding, -np.inf)
    grad = np.zeros(xp.shape, dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for h in range(Ho):
                for w in range(Wo):
                    r, s = stride[0] * h, stride[1] * w
                    window = xp[n, c, r : r + kernel[0], s : s + kernel[1]]
                    i, j = np.unravel_index(np.argmax(window), window.shape)
                    grad[n, c, r + i, s + j] += grad_y[n, c, h, w]
    ph, pw = padding
    return grad[:, :, ph : ph + H, pw : pw + W]
