"""The input a convolution or pooling layer never reads, explained with the arithmetic.

Output sizes follow PyTorch: floor((W + 2P − D·(F − 1) − 1)/S) + 1 windows per axis. When
that division is not exact, the windows may stop short of the input's end, and the rows
or columns they leave are silently dropped. The course teaches this as "(W − F + 2P)/S + 1
must be a whole number" (a 7×7 input with F = 3, S = 3 gives 2.33); glassnet teaches it
where a student looks instead of refusing the layer: the layers call ``warn_once`` (an
``UncoveredInputWarning``, once per layer and input size) and ``summary()`` marks the layer,
both with the sentence ``explain`` writes, e.g.

    Conv2d(1→1, 3×3, stride 3) on 7×7: (7 − 3)/3 + 1 = 2.33 along both axes, so the last
    row and the last column of the input are never seen; pad by 1 on each side
    (padding=1) or use stride=2.

Only real input counts (``glassnet.ops.fused.output_size.unseen_positions``): padding that
no window reaches (ResNet's stride-2 convolutions on even sizes) is fine, and so are the
gaps a stride larger than the window leaves on purpose (a 1×1 convolution with stride 2).
The functional forms (``F.conv2d``, ``F.max_pool2d``) compute the same outputs silently, as
PyTorch's do.
"""

import warnings

from glassnet.errors import UncoveredInputWarning
from glassnet.ops.fused.output_size import unseen_positions

_AXES = {1: ("element",), 2: ("row", "column")}


def describe(name: str, kernel: tuple, stride: tuple, padding: tuple, dilation: tuple, *,
             channels: tuple | None = None, groups: int = 1, ceil_mode: bool = False) -> str:
    """A short description of a layer for messages, e.g. ``Conv2d(1→1, 3×3, stride 3)``.

    Example:
        >>> describe("MaxPool2d", (3, 3), (2, 2), (1, 1), (1, 1))
        'MaxPool2d(3×3, stride 2, padding 1)'
        >>> describe("Conv1d", (5,), (1,), (0,), (2,), channels=(4, 8), groups=4)
        'Conv1d(4→8, 5, dilation 2, groups 4)'
    """
    parts = [] if channels is None else [f"{channels[0]}→{channels[1]}"]
    parts.append("×".join(str(k) for k in kernel))
    for word, values, default in (("stride", stride, 1), ("padding", padding, 0),
                                  ("dilation", dilation, 1)):
        if any(v != default for v in values):
            parts.append(f"{word} {_setting(values)}")
    if groups != 1:
        parts.append(f"groups {groups}")
    if ceil_mode:
        parts.append("ceil_mode")
    return f"{name}({', '.join(parts)})"


def explain(description: str, sizes: tuple, kernel: tuple, stride: tuple, padding: tuple,
            dilation: tuple, *, ceil_mode: bool = False, pool: bool = False) -> str | None:
    """The sentence that says which input a layer never reads, why, and how to fix it;
    None when the windows read all of it.

    Args:
        description: the layer, as ``describe`` writes it.
        sizes: the input's spatial sizes, (H, W) or (L,).
        kernel, stride, padding, dilation: the layer's settings, one entry per axis.
        ceil_mode: the layer rounds output sizes up (pools).
        pool: the layer is a pool (its padding is at most half the kernel, and
            ``ceil_mode=True`` is a possible fix).

    Example:
        >>> import textwrap
        >>> note = explain("MaxPool2d(3×3, stride 2)", (8, 8), (3, 3), (2, 2), (0, 0), (1, 1),
        ...                pool=True)
        >>> print(textwrap.fill(note, 80))
        MaxPool2d(3×3, stride 2) on 8×8: (8 − 3)/2 + 1 = 3.5 along both axes, so the
        last row and the last column of the input are never seen; pad by 1 on each side
        (padding=1), use stride=1 or use ceil_mode=True.
        >>> explain("Conv2d(3→64, 3×3, stride 2, padding 1)", (56, 56), (3, 3), (2, 2),
        ...         (1, 1), (1, 1)) is None
        True
    """
    axes = [(n, f, s, p, d) for n, f, s, p, d in zip(sizes, kernel, stride, padding, dilation)]
    unseen = [unseen_positions(*axis, ceil_mode=ceil_mode) for axis in axes]
    affected = [i for i, positions in enumerate(unseen) if positions]
    if not affected:
        return None
    names = _AXES[len(sizes)]
    size_text = "×".join(str(n) for n in sizes) if len(sizes) > 1 else f"length {sizes[0]}"
    sums = [_arithmetic(*axes[i]) for i in affected]
    if len(sizes) == 1:
        arithmetic = sums[0]
    elif len(affected) == len(sizes) and len(set(sums)) == 1:
        arithmetic = f"{sums[0]} along both axes"
    else:
        arithmetic = " and ".join(f"{text} for the {names[i]}s" for text, i in zip(sums, affected))
    lost = [_positions(unseen[i], sizes[i], names[i]) for i in affected]
    single = len(affected) == 1 and len(unseen[affected[0]]) == 1
    fixes = _fixes(axes, affected, ceil_mode, pool)
    advice = " or ".join(fixes) if len(fixes) < 3 else (
        ", ".join(fixes[:-1]) + " or " + fixes[-1])
    return (
        f"{description} on {size_text}: {arithmetic}, so {' and '.join(lost)} of the input "
        f"{'is' if single else 'are'} never seen; {advice}."
    )


def warn_once(layer, input_shape: tuple) -> None:
    """Warn (``UncoveredInputWarning``) the first time ``layer`` meets an input size whose
    edge its windows never read; ``layer.uncovered_input(input_shape)`` writes the text.

    ``layer._checked_sizes`` (a set the layer creates) remembers the sizes already looked
    at, so a training loop warns once, not every step.
    """
    sizes = tuple(input_shape[2:])
    if sizes in layer._checked_sizes:
        return
    layer._checked_sizes.add(sizes)
    note = layer.uncovered_input(input_shape)
    if note is not None:
        # stacklevel 4: past warn_once, the layer's forward and Module.__call__.
        warnings.warn(note, UncoveredInputWarning, stacklevel=4)


def _setting(values: tuple) -> str:
    return str(values[0]) if len(set(values)) == 1 else str(tuple(values))


def _arithmetic(n: int, f: int, s: int, p: int, d: int) -> str:
    """The course's sum for one axis, e.g. ``(7 − 3)/3 + 1 = 2.33``."""
    padding = f" + 2·{p}" if p else ""
    if d == 1:
        sum_text = f"({n} − {f}{padding})/{s} + 1"
    else:
        sum_text = f"({n}{padding} − {d}·({f} − 1) − 1)/{s} + 1"
    value = (n + 2 * p - d * (f - 1) - 1) / s + 1
    return f"{sum_text} = {value:.3g}"


def _positions(positions: tuple, size: int, name: str) -> str:
    """``the last row``, ``the last 2 rows`` or ``rows 2 and 4`` (counting from 1)."""
    count = len(positions)
    if positions == tuple(range(size - count, size)):
        return f"the last {name}" if count == 1 else f"the last {count} {name}s"
    numbers = [str(i + 1) for i in positions]
    listed = numbers[0] if count == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]
    return f"{name}{'s' if count > 1 else ''} {listed}"


def _fixes(axes: list, affected: list, ceil_mode: bool, pool: bool) -> list:
    """Settings that make every window pattern reach the input's end: a padding, a smaller
    stride, or (pools) ceil_mode; each computed, none guessed."""
    fixes = []
    paddings = [axis[3] for axis in axes]
    for i in affected:
        n, f, s, p, d = axes[i]
        limit = f // 2 if pool else p + d * (f - 1) + s
        paddings[i] = next((q for q in range(p + 1, limit + 1)
                            if not unseen_positions(n, f, s, q, d, ceil_mode)), None)
    if None not in paddings:
        if len(set(paddings)) == 1:
            fixes.append(f"pad by {paddings[0]} on each side (padding={paddings[0]})")
        else:
            fixes.append(f"use padding={tuple(paddings)}")
    strides = [axis[2] for axis in axes]
    for i in affected:
        n, f, s, p, d = axes[i]
        strides[i] = next((t for t in range(s - 1, 0, -1)
                           if not unseen_positions(n, f, t, p, d, ceil_mode)), None)
    if None not in strides:
        fixes.append(f"use stride={_setting(strides)}")
    if pool and not ceil_mode and not any(
        unseen_positions(n, f, s, p, d, ceil_mode=True) for n, f, s, p, d in axes
    ):
        fixes.append("use ceil_mode=True")
    if not fixes:
        fixes.append("change the kernel size, dilation, stride or padding so that the "
                     "windows reach the end of the input")
    return fixes
