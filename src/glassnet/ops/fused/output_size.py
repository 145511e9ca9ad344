"""Output sizes of sliding windows (PyTorch's rule), the input they never read, and the
checks the fused ops share.

A window of F taps with dilation D spans D·(F − 1) + 1 input positions. Moved in steps of S
over an input of size W padded by P zeros on both sides, it fits

    floor((W + 2P − D·(F − 1) − 1) / S) + 1

times: PyTorch's output size, which for D = 1 is the course's (W − F + 2P)/S + 1 rounded
down. Pools may round up instead (``ceil_mode``), as PyTorch does, with its rule that the
last window must start inside the input or its left padding.

The course's lesson ("a 7×7 input with F = 3, S = 3 doesn't fit: (7 − 3)/3 + 1 = 2.33") is
kept as a diagnosis, not a wall: ``unseen_positions`` finds the real input positions that
the rounding drops (no window reads them, though the windows' pattern would on a larger
input), and the layers warn with the arithmetic and a fix (``glassnet.nn.coverage``).
Padding that no window reaches (ResNet's 3×3 stride-2 convolutions on even sizes) and the
gaps a stride larger than the window leaves on purpose (a strided 1×1 convolution) are not
dropped input.
"""

import numpy as np

from glassnet.errors import DTypeError, ShapeError


def conv_output_size(
    size: int,
    kernel: int,
    stride: int,
    padding: int,
    *,
    op_name: str,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    """The number of window positions along one axis, as PyTorch counts them.

    Args:
        size: the input's length W along the axis (before padding).
        kernel: the number of taps F of the window.
        stride: the step S between windows.
        padding: the zeros P added on each side.
        op_name: the op or layer named in the error message (e.g. ``"conv2d"``).
        dilation: the spacing D between taps (1: adjacent).
        ceil_mode: round up instead of down (pools), dropping a last window that would
            start in the right padding.

    Returns:
        floor((W + 2P − D·(F − 1) − 1)/S) + 1 (ceil with ``ceil_mode``), a positive int.

    Raises:
        ShapeError: a kernel, stride or dilation below 1 or a negative padding, or a window
            longer than the padded input, naming the sizes.

    Example:
        >>> conv_output_size(32, 5, 1, 2, op_name="conv2d")  # the lecture's layer
        32
        >>> conv_output_size(7, 3, 3, 0, op_name="conv2d")  # (7 − 3)/3 + 1 = 2.33
        2
        >>> conv_output_size(8, 3, 2, 0, op_name="max_pool2d", ceil_mode=True)
        4
        >>> conv_output_size(9, 3, 1, 0, op_name="conv2d", dilation=2)  # spans 5
        5
    """
    if stride < 1 or padding < 0 or kernel < 1 or dilation < 1:
        raise ShapeError(
            f"{op_name}: expected kernel >= 1, stride >= 1, dilation >= 1 and padding >= 0, "
            f"but got kernel F={kernel}, stride S={stride}, dilation D={dilation}, "
            f"padding P={padding}."
        )
    span = dilation * (kernel - 1) + 1
    room = size + 2 * padding - span
    if room < 0:
        window = f"kernel F={kernel}" + (
            f" with dilation D={dilation} (it spans {span})" if dilation > 1 else ""
        )
        raise ShapeError(
            f"{op_name}: expected the window to fit in the padded input, but got {window} "
            f"for input size W={size} with padding P={padding} (W + 2P = "
            f"{size + 2 * padding} < {span}). Use a smaller kernel or dilation, more padding, "
            "or a larger input."
        )
    if not ceil_mode:
        return room // stride + 1
    out = -(-room // stride) + 1
    if (out - 1) * stride >= size + padding:  # the last window would start in the right padding
        out -= 1
    return out


def unseen_positions(
    size: int,
    kernel: int,
    stride: int,
    padding: int,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> tuple:
    """The input positions (0-based, padding excluded) that the rounding of the output size
    drops: no window reads them, although a further window of the same pattern would.

    Positions that no window of the pattern could ever read (the gaps a stride larger than
    the window leaves, or between dilated taps at stride > 1) are a choice of the layer,
    not a misfit of the input, and are not listed; nor is padding that no window reaches.

    Example:
        The lecture's 7-wide input, F = 3, S = 3: windows at 0 and 3 read 0..5; one at 6
        would read the last position.

        >>> unseen_positions(7, 3, 3, 0)
        (6,)
        >>> unseen_positions(7, 3, 3, 1)  # padding 1 fits three windows
        ()
        >>> unseen_positions(8, 3, 2, 1)  # ResNet's 3×3 stride-2 conv: unused padding only
        ()
        >>> unseen_positions(8, 1, 2, 0)  # a 1×1 stride-2 conv skips odd positions by design
        ()
    """
    out = conv_output_size(
        size, kernel, stride, padding, op_name="window", dilation=dilation, ceil_mode=ceil_mode
    )
    end = padding + size  # padded index just past the real input
    starts = np.arange(0, end, stride)  # every window of the pattern that could read input
    reads = starts[:, None] + dilation * np.arange(kernel)
    used = np.arange(len(starts)) < out
    seen = np.zeros(end + 1, dtype=bool)
    reachable = np.zeros(end + 1, dtype=bool)
    seen[np.minimum(reads[used], end)] = True  # index ``end`` collects reads past the input
    reachable[np.minimum(reads[~used], end)] = True
    dropped = reachable[padding:end] & ~seen[padding:end]
    return tuple(int(i) for i in np.flatnonzero(dropped))


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
