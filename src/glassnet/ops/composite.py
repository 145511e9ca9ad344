"""Ops built from the primitives: they have no backward of their own, the engine
differentiates through the primitives they call."""

import math

from glassnet.errors import ShapeError
from glassnet.ops._broadcast import normalize_axes, shape_of
from glassnet.ops.reduction import mean, sum
from glassnet.ops.shape import concatenate, reshape


def var(x, axis=None, keepdims: bool = False, ddof: int = 0):
    """Variance Σ (x − mean)² / (n − ddof) over ``axis`` (ddof=0: the population variance,
    NumPy's default; batch norm uses it)."""
    shape = shape_of(x)
    axes = normalize_axes(axis, len(shape))
    count = 1
    for a in axes:
        count *= shape[a]
    centered = x - mean(x, axis=axes, keepdims=True)
    return sum(centered * centered, axis=axes, keepdims=keepdims) / (count - ddof)


def flatten(x, start_axis: int = 0, end_axis: int = -1):
    """Merge the axes from ``start_axis`` to ``end_axis`` (inclusive) into one."""
    shape = shape_of(x)
    if not shape:
        return reshape(x, (1,))
    start, end = start_axis % len(shape), end_axis % len(shape)
    if start > end:
        raise ShapeError(
            f"flatten: start_axis ({start_axis}) must not come after end_axis ({end_axis})."
        )
    merged = math.prod(shape[start : end + 1])  # not -1: an empty batch makes -1 ambiguous
    return reshape(x, shape[:start] + (merged,) + shape[end + 1 :])


def squeeze(x, axis=None):
    """Drop axes of length 1 (all of them, or only ``axis``, which must have length 1)."""
    shape = shape_of(x)
    axes = normalize_axes(axis, len(shape)) if axis is not None else None
    if axes is None:
        return reshape(x, tuple(n for n in shape if n != 1))
    for a in axes:
        if shape[a] != 1:
            raise ShapeError(f"squeeze: axis {a} has length {shape[a]}, not 1 (shape {shape}).")
    return reshape(x, tuple(n for i, n in enumerate(shape) if i not in axes))


def unsqueeze(x, axis: int):
    """Insert an axis of length 1 at position ``axis`` (negative counts from the end)."""
    shape = shape_of(x)
    position = axis if axis >= 0 else len(shape) + 1 + axis
    if not 0 <= position <= len(shape):
        raise ShapeError(
            f"unsqueeze: axis {axis} is out of range for a tensor with {len(shape)} dimensions."
        )
    return reshape(x, shape[:position] + (1,) + shape[position:])


def stack(tensors, axis: int = 0):
    """Join tensors of equal shape along a new axis."""
    tensors = list(tensors)
    shapes = {shape_of(t) for t in tensors}
    if len(shapes) > 1:
        raise ShapeError(f"stack: expected tensors of equal shape, but got {sorted(shapes)}.")
    return concatenate([unsqueeze(t, axis) for t in tensors], axis=axis)
