"""The output size of a sliding window: (W − F + 2P) / S + 1, and the checks the fused ops share.

The course's rule: a window of size F moved in steps of S over an input of size W padded by
P on both sides fits (W − F + 2P) / S + 1 times. When that is not a positive whole number
the window does not tile the input (the lecture's 7×7 input with F=3, S=3 gives 2.33), and
glassnet says so instead of silently dropping the last rows as PyTorch does.
"""

import numpy as np

from glassnet.errors import DTypeError, ShapeError


def conv_output_size(size: int, kernel: int, stride: int, padding: int, *, op_name: str) -> int:
    """The number of window positions along one axis: (W − F + 2P) / S + 1.

    Args:
        size: the input's length W along the axis (before padding).
        kernel: the window size F.
        stride: the step S between windows.
        padding: the zeros P added on each side.
        op_name: the op or layer named in the error message (e.g. ``"conv2d"``).

    Returns:
        The output length, a positive int.

    Raises:
        ShapeError: the size is not a positive whole number, naming the input size, kernel,
            stride and padding.

    Example:
        >>> conv_output_size(32, 5, 1, 2, op_name="conv2d")
        32
        >>> conv_output_size(7, 3, 2, 0, op_name="conv2d")
        3
        >>> conv_output_size(7, 3, 3, 0, op_name="conv2d")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        glassnet.errors.ShapeError: conv2d: ... = 2.33 for input size W=7, kernel F=3, stride S=3...
    """
    if stride < 1 or padding < 0 or kernel < 1:
        raise ShapeError(
            f"{op_name}: expected kernel >= 1, stride >= 1 and padding >= 0, but got "
            f"kernel F={kernel}, stride S={stride}, padding P={padding}."
        )
    span = size - kernel + 2 * padding
    if span >= 0 and span % stride == 0:
        return span // stride + 1
    value = span / stride + 1
    if span < 0:
        fix = (
            f"The window is larger than the padded input ({size} + 2*{padding} < {kernel}): "
            "use a smaller kernel or more padding"
        )
    else:
        fix = (
            f"Choose a stride that divides W - F + 2P (here {span}), or change the padding "
            "or kernel size"
        )
    raise ShapeError(
        f"{op_name}: expected (W - F + 2P)/S + 1 to be a positive whole number, but got "
        f"({size} - {kernel} + 2*{padding})/{stride} + 1 = {value:.3g} for input size "
        f"W={size}, kernel F={kernel}, stride S={stride}, padding P={padding}. {fix}."
    )


def check_floating(x: np.ndarray, name: str, op_name: str) -> None:
    """Raise a DTypeError unless ``x`` is a floating array."""
    if x.dtype.kind != "f":
        raise DTypeError(
            f"{op_name}: expected a floating {name}, but got dtype {x.dtype}. "
            f"Convert it first, e.g. gn.tensor(x, dtype='float32')."
        )


def check_rank(x: np.ndarray, ndim: int, layout: str, op_name: str) -> None:
    """Raise a ShapeError unless ``x`` has ``ndim`` axes (``layout`` names them, e.g. NCHW)."""
    if x.ndim != ndim:
        raise ShapeError(
            f"{op_name}: expected a {ndim}-d input {layout}, but got shape {x.shape}. "
            f"Reshape it (e.g. add a batch axis with x.unsqueeze(0))."
        )


def check_bias(bias_shape: tuple, out: int, what: str, op_name: str) -> None:
    """Raise a ShapeError unless a bias has shape ``(out,)`` (``what``: "out_channels", ...)."""
    if bias_shape != (out,):
        raise ShapeError(
            f"{op_name}: expected a bias of shape ({out},) ({what}), but got {bias_shape}."
        )
