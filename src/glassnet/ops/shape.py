"""Ops that move elements without changing them: reshape, transpose, broadcast, index,
concatenate, pad. Their backward moves the gradient back the same way."""

import numpy as np

from glassnet.autograd.function import Function
from glassnet.errors import ShapeError
from glassnet.ops._broadcast import shape_of, sum_to_shape
from glassnet.tensor import Tensor


class Reshape(Function):
    """z = x viewed with a new shape.   dL/dx = dL/dz reshaped back."""

    __slots__ = ()

    def forward(self, x, shape):
        self.save_for_backward(x.shape)
        try:
            return x.reshape(shape)
        except ValueError:
            raise ShapeError(
                f"reshape: cannot reshape a tensor of shape {x.shape} ({x.size} elements) "
                f"into {tuple(shape)}. The number of elements must stay the same; use -1 "
                "for the one size to infer."
            ) from None

    def backward(self, grad_z):
        (shape,) = self.saved
        return grad_z.reshape(shape)


def reshape(x, shape):
    return Reshape.apply(x, shape=tuple(shape))


class Transpose(Function):
    """z = x with its axes permuted (reversed when ``axes`` is None).
    dL/dx = dL/dz permuted back with the inverse permutation."""

    __slots__ = ()

    def forward(self, x, axes):
        if axes is not None and sorted(a % x.ndim for a in axes) != list(range(x.ndim)):
            raise ShapeError(
                f"transpose: expected a permutation of the {x.ndim} axes of a tensor of "
                f"shape {x.shape}, but got axes={tuple(axes)}."
            )
        self.save_for_backward(axes)
        return np.transpose(x, axes)

    def backward(self, grad_z):
        (axes,) = self.saved
        return np.transpose(grad_z, None if axes is None else np.argsort(axes))


def transpose(x, axes=None):
    return Transpose.apply(x, axes=None if axes is None else tuple(axes))


def permute(x, axes):
    return Transpose.apply(x, axes=tuple(axes))


class BroadcastTo(Function):
    """z = x broadcast to ``shape``.   dL/dx = dL/dz summed over the broadcast axes."""

    __slots__ = ()

    def forward(self, x, shape):
        self.save_for_backward(x.shape)
        try:
            return np.broadcast_to(x, shape)
        except ValueError:
            raise ShapeError(
                f"broadcast_to: cannot broadcast shape {x.shape} to {tuple(shape)}; "
                "each axis must be equal or 1."
            ) from None

    def backward(self, grad_z):
        (shape,) = self.saved
        return sum_to_shape(grad_z, shape)


def broadcast_to(x, shape):
    return BroadcastTo.apply(x, shape=tuple(shape))


class Index(Function):
    """z = x[index] for ints, slices, None, Ellipsis, integer arrays and boolean masks.

    dL/dx is zero except at the selected positions, which receive dL/dz. An element
    selected twice (repeated integer indices) receives the sum of both gradients.
    """

    __slots__ = ()

    def forward(self, x, index):
        self.save_for_backward(x.shape, x.dtype, index)
        return x[index]

    def backward(self, grad_z):
        shape, dtype, index = self.saved
        grad_x = np.zeros(shape, dtype=np.result_type(dtype, grad_z.dtype))
        if _has_integer_array(index):
            # NOTE: repeated indices must add up; plain assignment would keep only the last.
            np.add.at(grad_x, index, grad_z)
        else:
            grad_x[index] = grad_z
        return grad_x


def _has_integer_array(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(
        isinstance(part, (list, np.ndarray)) and np.asarray(part).dtype.kind in "iu"
        for part in parts
    )


def _plain_index(index):
    """Replace Tensors inside an index by their arrays."""
    if isinstance(index, tuple):
        return tuple(_plain_index(part) for part in index)
    return index.data if isinstance(index, Tensor) else index


def index(x, index):
    return Index.apply(x, index=_plain_index(index))


class Concatenate(Function):
    """z = the inputs joined along ``axis``.  dL/dx_i = the matching slice of dL/dz."""

    __slots__ = ()

    def forward(self, *xs, axis):
        try:
            z = np.concatenate(xs, axis=axis)
        except ValueError:
            raise ShapeError(
                f"concatenate: all shapes must match except along axis {axis}, but got "
                f"{[np.shape(x) for x in xs]}."
            ) from None
        self.save_for_backward(np.cumsum([np.shape(x)[axis] for x in xs])[:-1], axis)
        return z

    def backward(self, grad_z):
        boundaries, axis = self.saved
        return tuple(np.split(grad_z, boundaries, axis=axis))


def concatenate(tensors, axis: int = 0):
    tensors = list(tensors)
    if not tensors:
        raise ShapeError("concatenate: expected at least one tensor, but got an empty list.")
    return Concatenate.apply(*tensors, axis=axis)


class Pad(Function):
    """z = x with a border of ``value`` added; ``pad_width`` as in np.pad.
    dL/dx = dL/dz with the border cut off."""

    __slots__ = ()

    def forward(self, x, pad_width, value):
        self.save_for_backward(
            tuple(slice(before, before + n) for (before, _), n in zip(pad_width, x.shape))
        )
        return np.pad(x, pad_width, mode="constant", constant_values=value)

    def backward(self, grad_z):
        (inner,) = self.saved
        return grad_z[inner]


def pad(x, pad_width, value: float = 0.0):
    """Pad with a constant. ``pad_width``: an int, a (before, after) pair for every axis, or
    one pair per axis — NumPy's convention."""
    ndim = len(shape_of(x))
    try:
        widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (ndim, 2))
    except ValueError:
        raise ShapeError(
            f"pad: expected pad_width as an int, a (before, after) pair or {ndim} pairs, "
            f"but got {pad_width!r}."
        ) from None
    if (widths < 0).any():
        raise ShapeError(f"pad: widths must be non-negative, but got {pad_width!r}.")
    return Pad.apply(x, pad_width=tuple(map(tuple, widths.tolist())), value=value)
