"""Residual (skip) connection: y = f(x) + x, or f(x) + projection(x) when shapes differ.

The identity path gives the gradient a route around f: dL/dx = dL/dy·(∂f/∂x + I), so it
does not vanish through a deep stack of blocks (He et al., 2016).
"""

from glassnet.errors import ConfigError, ShapeError
from glassnet.nn.module import Module


class Residual(Module):
    """Wrap a module ``body`` as y = body(x) + shortcut, shortcut = x or projection(x).

    Args:
        body: the residual branch f (any Module, e.g. a Sequential of conv, batch norm and
            ReLU).
        projection: optional Module applied to x on the shortcut when f changes the shape
            (e.g. a 1×1 Conv2d with stride 2); None for the identity.

    Raises:
        ShapeError: at call time, when body(x) and the shortcut differ in shape.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn as nn
        >>> block = nn.Residual(nn.Sequential(nn.Linear(4, 4), nn.ReLU()))
        >>> block(gn.zeros(2, 4)).shape
        (2, 4)
        >>> down = nn.Residual(nn.Linear(4, 2), projection=nn.Linear(4, 2, bias=False))
        >>> down(gn.zeros(2, 4)).shape
        (2, 2)
    """

    def __init__(self, body: Module, projection: Module | None = None):
        super().__init__()
        for name, value in (("body", body), ("projection", projection)):
            if value is not None and not isinstance(value, Module):
                raise ConfigError(
                    f"Residual: expected {name} to be a Module, but got {type(value).__name__}."
                )
        self.body = body
        self.projection = projection

    def forward(self, x):
        out = self.body(x)
        shortcut = x if self.projection is None else self.projection(x)
        if out.shape != shortcut.shape:
            raise ShapeError(
                f"Residual: the body's output {out.shape} and the shortcut {shortcut.shape} "
                "must have the same shape. Pass a projection (e.g. a 1x1 Conv2d or a "
                "Linear) that maps the input to the body's output shape."
            )
        return out + shortcut
