"""Max and average pooling (2-d and 1-d) with hand-written backward.

Fused because pooling written with primitives (a reshape and a max with its tie-splitting
backward, or kh·kw slices and maximum ops) records many nodes and full-size masks. Here
both directions are a loop over the kh·kw window offsets only: offset (i, j) of every
window at once is one strided slice of the (padded) input, so forward is kh·kw element-wise
maxima (or sums) over output-sized arrays, and backward scatters the output gradient
through the same slices. When the windows tile the input (stride = kernel, no padding,
and the input an exact multiple of the kernel) the slices are disjoint and cover it, so
backward writes the gradient straight into place (no zeroing, no accumulation). Both
directions run on blocks of samples on the thread pool (``glassnet.ops.parallel``). Arrays
keep the memory order of their input, so the channels-last output of ``conv2d`` is pooled
along its contiguous channel axis.

Output sizes are PyTorch's: floor((W + 2P − D·(F − 1) − 1)/S) + 1, or ceil with
``ceil_mode`` (a last window that would start in the right padding is dropped). Windows
that ``ceil_mode`` lets run past the padded input read −inf (max) or nothing (average).

Max pooling routes each window's gradient to the first maximal element in row-major
window order, as PyTorch does (ties are not split), and takes a ``dilation`` (the spacing
of the window's taps) as PyTorch's does. Padding is −inf for max pooling and zero for
average pooling, where the padded zeros count in the average (PyTorch's
``count_include_pad=True``): the divisor is kh·kw, or, for a ``ceil_mode`` window cut off
by the end of the padded input, the part of it that lies inside. Tested against naive
nested-loop pooling (kept in the tests) and against
``torch.nn.functional.max_pool2d``/``avg_pool2d``/``max_pool1d``/``avg_pool1d``.
"""

import numpy as np

from glassnet.autograd.function import Function
from glassnet.errors import ShapeError
from glassnet.ops.fused.output_size import check_floating, check_rank, conv_output_size
from glassnet.ops.parallel import map_blocks
from glassnet.tensor import array_of


class MaxPool2d(Function):
    """y[n, c, h, w] = max over i, j of x_pad[n, c, S·h + D·i, S·w + D·j] (−inf padding).

    Backward: each window's output gradient goes to the position of its (first) maximum,
    remembered in forward as the window offset k = i·kw + j.
    """

    __slots__ = ()

    def forward(self, x, *, kernel_size, stride, padding, dilation=(1, 1), ceil_mode=False):
        geometry = _Geometry(x.shape, kernel_size, stride, padding, dilation, ceil_mode)
        padded = _pad(x, geometry, -np.inf)
        layout = (x.dtype, _is_channels_last(x))
        out_shape = (*x.shape[:2], *geometry.out_size)
        out = _full(out_shape, x.dtype, layout[1], None)
        index_dtype = np.uint8 if kernel_size[0] * kernel_size[1] <= 256 else np.int32
        argmax = _full(out_shape, index_dtype, layout[1], None)

        def pool_block(block):
            _max_over_offsets(padded[block], geometry, out[block], argmax[block])

        map_blocks(pool_block, len(x), nbytes=padded.nbytes + 2 * out.nbytes)
        self.save_for_backward(argmax, layout, geometry)
        return out

    def backward(self, grad_out):
        argmax, layout, geometry = self.saved
        grad_out = _in_memory_order(grad_out, channels_last=layout[1])

        def grad_at_offset(k, block, out=None):
            return np.multiply(grad_out[block], argmax[block] == k, out=out)

        return _scatter(grad_at_offset, layout, geometry)


def _max_over_offsets(padded, geometry, out, argmax) -> None:
    """Write each window's maximum into ``out`` and its (first) offset k into ``argmax``."""
    for k, index in geometry.offsets():
        candidate = padded[index]
        if k == 0:
            np.copyto(out, candidate)
            argmax[...] = 0
            continue
        # k grows along the loop, so "argmax = k where the candidate wins" is a maximum
        # (np.copyto with where= is 10x slower).
        wins = candidate > out
        np.maximum(argmax, np.multiply(wins, k, dtype=argmax.dtype), out=argmax)
        np.maximum(out, candidate, out=out)


class AvgPool2d(Function):
    """y[n, c, h, w] = mean over the window at (S·h, S·w) of the zero-padded x; the padded
    zeros count, so the divisor is kh·kw (less for a ``ceil_mode`` window cut off by the
    end of the padded input: the part inside it).

    Backward: every element of a window receives dL/dy / divisor.
    """

    __slots__ = ()

    def forward(self, x, *, kernel_size, stride, padding, ceil_mode=False):
        geometry = _Geometry(x.shape, kernel_size, stride, padding, (1, 1), ceil_mode)
        padded = _pad(x, geometry, 0)
        out = None
        for _, index in geometry.offsets():
            if out is None:
                out = np.copy(padded[index], order="K")
            else:
                out += padded[index]
        divisor = geometry.divisor()
        out /= divisor if np.ndim(divisor) == 0 else divisor.astype(out.dtype)
        layout = (x.dtype, _is_channels_last(x))
        self.save_for_backward(layout, geometry)
        return out

    def backward(self, grad_out):
        layout, geometry = self.saved
        share = _in_memory_order(grad_out, channels_last=layout[1]) / geometry.divisor()

        def grad_at_offset(k, block, out=None):
            if out is None:
                return share[block]
            np.copyto(out, share[block])
            return out

        return _scatter(grad_at_offset, layout, geometry)


class _Geometry:
    """Where the windows of a 2-d pooling lie: sizes, padding on each side, the offsets."""

    __slots__ = ("dilation", "kernel", "out_size", "pad_after", "padding", "stride", "x_shape")

    def __init__(self, x_shape, kernel, stride, padding, dilation, ceil_mode):
        self.x_shape, self.kernel, self.stride = x_shape, kernel, stride
        self.padding, self.dilation = padding, dilation
        self.out_size = tuple(
            conv_output_size(n, f, s, p, op_name="pool", dilation=d, ceil_mode=ceil_mode)
            for n, f, s, p, d in zip(x_shape[2:], kernel, stride, padding, dilation)
        )
        # ceil_mode's last window may run past the padding: pad further on that side.
        self.pad_after = tuple(
            max(p, (o - 1) * s + d * (f - 1) + 1 - n - p)
            for n, f, s, p, d, o in zip(x_shape[2:], kernel, stride, padding, dilation,
                                        self.out_size)
        )

    def offsets(self):
        """Yield (k, index): ``padded[index]`` is offset k = i·kw + j of every window at once."""
        (kh, kw), (sh, sw), (dh, dw), (Ho, Wo) = (
            self.kernel, self.stride, self.dilation, self.out_size)
        for i in range(kh):
            for j in range(kw):
                rows = slice(i * dh, i * dh + sh * (Ho - 1) + 1, sh)
                cols = slice(j * dw, j * dw + sw * (Wo - 1) + 1, sw)
                yield i * kw + j, (slice(None), slice(None), rows, cols)

    def divisor(self):
        """kh·kw, or per output position (Ho, Wo) when a ceil_mode window is cut off."""
        counts = []
        for n, f, s, p, o in zip(self.x_shape[2:], self.kernel, self.stride, self.padding,
                                 self.out_size):
            starts = np.arange(o) * s
            counts.append(np.minimum(starts + f, n + 2 * p) - starts)
        if counts[0].min() == self.kernel[0] and counts[1].min() == self.kernel[1]:
            return self.kernel[0] * self.kernel[1]
        return np.multiply.outer(counts[0], counts[1])

    def tiles(self) -> bool:
        """The windows are disjoint and cover the input exactly: every element is read once."""
        return (self.stride == self.kernel and self.dilation == (1, 1)
                and self.padding == (0, 0) and self.pad_after == (0, 0)
                and all(o * f == n for o, f, n in zip(self.out_size, self.kernel,
                                                      self.x_shape[2:])))

    def disjoint(self) -> bool:
        """No input element is read by two different window offsets."""
        return all(s >= d * (f - 1) + 1
                   for f, s, d in zip(self.kernel, self.stride, self.dilation))


class _Pool1d(Function):
    """A 1-d pooling op over (N, C, L) as its 2-d version over a height-1 image."""

    __slots__ = ()
    pool2d: type

    def forward(self, x, *, kernel_size, stride, padding, **options):
        pool = self.pool2d()
        pool.needs_input_grad = self.needs_input_grad
        if "dilation" in options:
            options["dilation"] = (1, options["dilation"])
        out = pool.forward(
            x[:, :, None, :], kernel_size=(1, kernel_size), stride=(1, stride),
            padding=(0, padding), **options,
        )
        self.save_for_backward(pool)
        return out[:, :, 0, :]

    def backward(self, grad_out):
        (pool,) = self.saved
        return pool.backward(grad_out[:, :, None, :])[:, :, 0, :]


class MaxPool1d(_Pool1d):
    """Max pooling over (N, C, L); see ``MaxPool2d``."""

    __slots__ = ()
    pool2d = MaxPool2d


class AvgPool1d(_Pool1d):
    """Average pooling over (N, C, L); see ``AvgPool2d``."""

    __slots__ = ()
    pool2d = AvgPool2d


def max_pool2d(x, *, kernel_size, stride, padding, dilation=(1, 1), ceil_mode=False):
    """Max pooling over NCHW input, padding with −inf as PyTorch does.

    Args:
        x: Tensor (N, C, H, W).
        kernel_size: (kh, kw).
        stride: (sh, sw).
        padding: (ph, pw), each at most half the kernel size.
        dilation: (dh, dw), the spacing of the window's taps (1: adjacent).
        ceil_mode: round the output size up instead of down (PyTorch's ``ceil_mode``).

    Shape:
        x (N, C, H, W) → y (N, C, Ho, Wo) with Ho = ⌊(H + 2ph − dh·(kh − 1) − 1)/sh⌋ + 1
        (⌈…⌉ with ceil_mode), likewise Wo.

    Returns:
        A Tensor of shape (N, C, Ho, Wo).

    Raises:
        ShapeError: x is not 4-d, the padding exceeds half the kernel, or the window is
            larger than the padded input.

    Example:
        >>> import glassnet as gn
        >>> x = gn.tensor([[[[1.0, 2.0, 5.0, 0.0],
        ...                  [3.0, 4.0, 1.0, 1.0]]]], requires_grad=True)
        >>> y = max_pool2d(x, kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))
        >>> y
        tensor([[[[4., 5.]]]], requires_grad=True)
        >>> y.sum().backward()
        >>> x.grad
        array([[[[0., 0., 1., 0.],
                 [0., 1., 0., 0.]]]], dtype=float32)

        A 3-wide window in steps of 2 over 4 columns fits once; ceil_mode adds a window
        that starts inside the input and runs past it:

        >>> max_pool2d(x, kernel_size=(1, 3), stride=(1, 2), padding=(0, 0), ceil_mode=True)
        tensor([[[[5., 5.],
                  [4., 1.]]]], requires_grad=True)
    """
    _check_pool(x, 2, "max_pool2d", kernel_size, stride, padding, dilation, ceil_mode)
    return MaxPool2d.apply(
        x, kernel_size=tuple(kernel_size), stride=tuple(stride), padding=tuple(padding),
        dilation=tuple(dilation), ceil_mode=bool(ceil_mode),
    )


def avg_pool2d(x, *, kernel_size, stride, padding, ceil_mode=False):
    """Average pooling over NCHW input; padded zeros count in the average (divisor kh·kw).

    Args and Shape as ``max_pool2d`` (without dilation, as in PyTorch).

    Returns:
        A Tensor of shape (N, C, Ho, Wo).

    Raises:
        ShapeError: as ``max_pool2d``.

    Example:
        >>> import glassnet as gn
        >>> x = gn.tensor([[[[1.0, 2.0, 5.0, 0.0],
        ...                  [3.0, 4.0, 1.0, 1.0]]]])
        >>> avg_pool2d(x, kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))
        tensor([[[[2.5 , 1.75]]]])
    """
    _check_pool(x, 2, "avg_pool2d", kernel_size, stride, padding, (1, 1), ceil_mode)
    return AvgPool2d.apply(
        x, kernel_size=tuple(kernel_size), stride=tuple(stride), padding=tuple(padding),
        ceil_mode=bool(ceil_mode),
    )


def max_pool1d(x, *, kernel_size, stride, padding, dilation=1, ceil_mode=False):
    """Max pooling over (N, C, L) input with ints ``kernel_size``, ``stride``, ``padding``,
    ``dilation``.

    Example:
        >>> import glassnet as gn
        >>> max_pool1d(gn.tensor([[[1.0, 3.0, 2.0, 0.0]]]), kernel_size=2, stride=2, padding=0)
        tensor([[[3., 2.]]])
    """
    _check_pool(x, 1, "max_pool1d", (kernel_size,), (stride,), (padding,), (dilation,),
                ceil_mode)
    return MaxPool1d.apply(
        x, kernel_size=int(kernel_size), stride=int(stride), padding=int(padding),
        dilation=int(dilation), ceil_mode=bool(ceil_mode),
    )


def avg_pool1d(x, *, kernel_size, stride, padding, ceil_mode=False):
    """Average pooling over (N, C, L) input (padded zeros count in the average).

    Example:
        >>> import glassnet as gn
        >>> avg_pool1d(gn.tensor([[[1.0, 3.0, 2.0, 0.0]]]), kernel_size=2, stride=2, padding=0)
        tensor([[[2., 1.]]])
    """
    _check_pool(x, 1, "avg_pool1d", (kernel_size,), (stride,), (padding,), (1,), ceil_mode)
    return AvgPool1d.apply(
        x, kernel_size=int(kernel_size), stride=int(stride), padding=int(padding),
        ceil_mode=bool(ceil_mode),
    )


def _check_pool(x, spatial: int, op_name: str, kernel_size, stride, padding, dilation,
                ceil_mode) -> None:
    """Validate rank, dtype, padding and the output size; see ``max_pool2d``'s Raises."""
    x_array = np.asarray(array_of(x))
    check_rank(x_array, spatial + 2, "(N, C, H, W)" if spatial == 2 else "(N, C, L)", op_name)
    check_floating(x_array, "input", op_name)
    for size, k, s, p, d in zip(x_array.shape[2:], kernel_size, stride, padding, dilation):
        conv_output_size(size, k, s, p, op_name=op_name, dilation=d, ceil_mode=ceil_mode)
        if p > k // 2:
            raise ShapeError(
                f"{op_name}: expected padding at most half the kernel size, but got padding "
                f"P={p} for kernel F={k} (x.shape={x_array.shape}). A window of only padding "
                f"has no input to pool; use padding <= {k // 2}."
            )


def _is_channels_last(x: np.ndarray) -> bool:
    return x.transpose(0, 2, 3, 1).flags.c_contiguous


def _in_memory_order(x: np.ndarray, *, channels_last: bool) -> np.ndarray:
    """``x`` itself, or a copy in the memory order of the pooled input.

    A gradient arriving in the other order (e.g. NCHW from a flatten after a channels-last
    pool) would make every per-offset product stride across memory: one transposing copy
    first measured 6x faster.
    """
    if channels_last and not _is_channels_last(x):
        return np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    if not channels_last and not x.flags.c_contiguous:
        return np.ascontiguousarray(x)
    return x


def _full(shape: tuple, dtype, channels_last: bool, fill) -> np.ndarray:
    """An NCHW-shaped array filled with ``fill`` (None: uninitialized) in the given memory order."""
    N, C, H, W = shape
    memory_shape = (N, H, W, C) if channels_last else shape
    array = np.empty(memory_shape, dtype) if fill is None else np.full(memory_shape, fill, dtype)
    return array.transpose(0, 3, 1, 2) if channels_last else array


def _padded_shape(geometry: _Geometry) -> tuple:
    N, C, H, W = geometry.x_shape
    (ph, pw), (ph_after, pw_after) = geometry.padding, geometry.pad_after
    return N, C, ph + H + ph_after, pw + W + pw_after


def _pad(x: np.ndarray, geometry: _Geometry, fill) -> np.ndarray:
    (ph, pw), after = geometry.padding, geometry.pad_after
    if ph == 0 and pw == 0 and after == (0, 0):
        return x
    H, W = x.shape[2:]
    padded = _full(_padded_shape(geometry), x.dtype, _is_channels_last(x), fill)
    padded[:, :, ph : ph + H, pw : pw + W] = x
    return padded


def _scatter(grad_at_offset, layout: tuple, geometry: _Geometry):
    """Add the per-offset gradients back onto the input: the adjoint of taking the slices.

    ``grad_at_offset(k, block, out=None)`` gives the gradient offset k receives for the
    samples ``block`` (output-sized), written into ``out`` when one is given (a disjoint
    slice of the result). Blocks of samples run on the thread pool.
    """
    dtype, channels_last = layout
    H, W = geometry.x_shape[2:]
    ph, pw = geometry.padding
    # When the windows tile, every element is written exactly once: no zeroing.
    tiles = geometry.tiles()
    shape = geometry.x_shape if tiles else _padded_shape(geometry)
    grad = _full(shape, dtype, channels_last, None)
    disjoint = geometry.disjoint()

    def scatter_block(block):
        target = grad[block]
        if not tiles:
            target[...] = 0
        for k, index in geometry.offsets():
            if disjoint:
                grad_at_offset(k, block, out=target[index])
            else:
                target[index] += grad_at_offset(k, block)

    map_blocks(scatter_block, shape[0], nbytes=2 * grad.nbytes)
    return grad if tiles else grad[:, :, ph : ph + H, pw : pw + W]
