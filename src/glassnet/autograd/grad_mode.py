"""``no_grad``: switch graph recording off inside a block or a decorated function.

The one piece of global state in glassnet besides the default generator. Inside
``no_grad()`` every op still computes its value but records nothing, so no saved arrays are
kept and ``backward`` through the result is impossible.

Example:
    >>> import glassnet as gn
    >>> w = gn.tensor([1.0, 2.0], requires_grad=True)
    >>> with gn.no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
"""

import contextlib

_grad_enabled = True


def is_grad_enabled() -> bool:
    """Whether ops currently record the graph."""
    return _grad_enabled


class _GradMode(contextlib.ContextDecorator):
    """Set graph recording to ``enabled`` inside the block, restoring it afterwards."""

    enabled: bool

    def __enter__(self):
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = self.enabled
        return self

    def __exit__(self, *exc_info):
        global _grad_enabled
        _grad_enabled = self._previous
        return False


class no_grad(_GradMode):  # noqa: N801 - lowercase like the PyTorch name users know
    """Context manager and decorator that disables graph recording."""

    enabled = False


class enable_grad(_GradMode):  # noqa: N801
    """Context manager and decorator that re-enables graph recording inside ``no_grad``."""

    enabled = True
