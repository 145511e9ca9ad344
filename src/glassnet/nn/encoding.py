"""Small tensor utilities of ``F``: one-hot encoding of labels and PyTorch-style padding."""

import numbers

import numpy as np

from glassnet.errors import ConfigError, DTypeError
from glassnet.ops.shape import pad as pad_op
from glassnet.tensor import Tensor


def one_hot(labels, num_classes: int | None = None, dtype=np.float32) -> Tensor:
    """Integer class labels as one-hot rows: label c → a row with 1 at position c.

    Args:
        labels: integer labels of any shape (Tensor, ndarray or list).
        num_classes: the number of classes C; None means max(labels) + 1.
        dtype: the result's dtype; float32 by default (PyTorch returns int64), because a
            one-hot is used as a target in float arithmetic.

    Returns:
        A Tensor of shape (*labels.shape, C), not requiring a gradient.

    Raises:
        DTypeError: labels are not integers.
        ValueError: a label is negative or ≥ num_classes (the message gives min and max).

    Example:
        >>> import glassnet.nn.functional as F
        >>> F.one_hot([0, 2, 1], 3)
        tensor([[1., 0., 0.],
                [0., 0., 1.],
                [0., 1., 0.]])
    """
    array = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    if array.dtype.kind not in "iu":
        raise DTypeError(
            f"one_hot: expected integer labels, but got dtype {array.dtype}. Convert them "
            "with labels.astype(np.int64) (after checking they are whole numbers)."
        )
    low, high = (int(array.min()), int(array.max())) if array.size else (0, -1)
    if num_classes is None:
        num_classes = high + 1
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral):
        raise ConfigError(f"one_hot: expected num_classes to be an int, got {num_classes!r}.")
    if array.size and (low < 0 or high >= num_classes):
        raise ConfigError(
            f"one_hot: expected labels in [0, {num_classes - 1}], but got min {low} and max "
            f"{high}. Check num_classes and the label encoding."
        )
    encoded = np.zeros((*array.shape, int(num_classes)), dtype=dtype)
    np.put_along_axis(encoded, array[..., None].astype(np.intp), 1, axis=-1)
    return Tensor._wrap(encoded)


def pad(x, padding, value: float = 0.0):
    """Pad the last axes with ``value``, PyTorch's way: ``padding`` lists (before, after)
    pairs starting from the LAST axis, e.g. (left, right, top, bottom) for images.

    (``gn.pad`` takes NumPy's per-axis ``pad_width`` instead.)

    Raises:
        ConfigError: an odd number of values, more pairs than axes, or a negative value.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> F.pad(gn.ones(1, 2), (1, 2))
        tensor([[0., 1., 1., 0., 0.]])
    """
    if not isinstance(x, Tensor):
        raise DTypeError(f"pad: expected a Tensor, but got {type(x).__name__}.")
    values = tuple(padding)
    ndim = x.ndim
    if len(values) % 2 or len(values) // 2 > ndim:
        raise ConfigError(
            f"pad: expected an even number of values, at most 2 per axis ({2 * ndim} here), "
            f"but got padding={values}."
        )
    if any(isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 0 for v in values):
        raise ConfigError(
            f"pad: expected non-negative integer padding, but got {values}. Negative "
            "padding (cropping) is not supported; slice the tensor instead."
        )
    widths = [(0, 0)] * ndim
    for k in range(len(values) // 2):
        widths[ndim - 1 - k] = (int(values[2 * k]), int(values[2 * k + 1]))
    return pad_op(x, widths, value)
