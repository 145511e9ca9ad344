"""Helpers shared by the ops: undoing broadcasting in backward, and clear shape errors."""

import numpy as np

from glassnet.autograd.function import Function
from glassnet.errors import ShapeError


def sum_to_shape(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched, giving ``shape``.

    Broadcasting copies an input along some axes in forward; each copy receives gradient,
    so backward adds those gradients up.

    Example:
        >>> sum_to_shape(np.ones((4, 2, 3)), (2, 1)).tolist()
        [[12.0], [12.0]]
    """
    if grad.shape == shape:
        return grad
    leading = grad.ndim - len(shape)
    stretched = tuple(
        leading + i for i, n in enumerate(shape) if n == 1 and grad.shape[leading + i] != 1
    )
    summed = grad.sum(axis=tuple(range(leading)) + stretched, keepdims=True)
    return summed.reshape(shape)


def shape_of(x) -> tuple:
    """The shape of a Tensor, an array or a Python number (``()``)."""
    shape = getattr(x, "shape", None)  # Tensors, arrays and NumPy scalars have one
    return np.shape(x) if shape is None else shape


class BroadcastingFunction(Function):
    """A binary op whose inputs broadcast; turns NumPy's broadcast error into a ShapeError."""

    __slots__ = ()

    @classmethod
    def apply(cls, a, b, **kwargs):
        try:
            return super().apply(a, b, **kwargs)
        except ValueError:
            a_shape, b_shape = shape_of(a), shape_of(b)
            try:
                np.broadcast_shapes(a_shape, b_shape)
            except ValueError:
                raise ShapeError(
                    f"{cls.__name__.lower()}: shapes {a_shape} and {b_shape} cannot be "
                    "broadcast together (trailing axes must be equal or 1). Reshape one of "
                    "them, e.g. add an axis with unsqueeze."
                ) from None
            raise


def normalize_axes(axis, ndim: int) -> tuple:
    """``axis`` (None, an int or a tuple) as a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    for a in axes:
        if not -ndim <= a < ndim:
            raise ShapeError(
                f"axis {a} is out of range for a tensor with {ndim} dimensions "
                f"(valid: {-ndim} to {ndim - 1})."
            )
    return tuple(sorted(a % ndim for a in axes))
