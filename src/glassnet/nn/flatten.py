"""``Flatten``: merge axes into one, e.g. (N, C, H, W) → (N, C·H·W) before a Linear layer."""

from glassnet.errors import ShapeError
from glassnet.nn import _args
from glassnet.nn.module import Module
from glassnet.ops.composite import flatten


class Flatten(Module):
    """Merge the axes ``start_axis`` … ``end_axis`` (default: all but the batch axis).

    Shape:
        (N, *rest) → (N, ∏rest) with the defaults.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn as nn
        >>> nn.Flatten()(gn.zeros(8, 64, 7, 7)).shape
        (8, 3136)
    """

    def __init__(self, start_axis: int = 1, end_axis: int = -1):
        super().__init__()
        self.start_axis = _args.as_int(start_axis, "start_axis", "Flatten", minimum=-(2**31))
        self.end_axis = _args.as_int(end_axis, "end_axis", "Flatten", minimum=-(2**31))

    def forward(self, x):
        _args.check_input(x, None, "(N, ...)", "Flatten")
        for axis in (self.start_axis, self.end_axis):
            if not -x.ndim <= axis < x.ndim:
                raise ShapeError(
                    f"Flatten: expected axis {axis} to exist in an input of shape {x.shape}. "
                    "Check start_axis and end_axis."
                )
        return flatten(x, self.start_axis, self.end_axis)

    def extra_repr(self) -> str:
        return f"start_axis={self.start_axis}, end_axis={self.end_axis}"
