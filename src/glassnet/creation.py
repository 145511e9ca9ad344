"""Ways to make a tensor: from data, filled with a constant, a range, or random numbers.

Random constructors take an optional ``generator`` (a ``np.random.Generator``); without one
they draw from glassnet's default generator (see ``glassnet.random``).
"""

import numpy as np

from glassnet.random import resolve_generator
from glassnet.tensor import Tensor


def tensor(data, *, dtype=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data``.

    Floating data becomes float32 unless ``dtype`` says otherwise; integer and boolean data
    keep their type. Object, string and complex data are rejected.

    Example:
        >>> import glassnet as gn
        >>> gn.tensor([1.5, 2.0]).dtype
        dtype('float32')
        >>> gn.tensor([1, 2]).dtype
        dtype('int64')
    """
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def as_tensor(data, *, dtype=None) -> Tensor:
    """A tensor sharing memory with ``data`` when it already is an array of the right dtype
    (no copy: for feeding batches). Follows the same dtype policy as ``tensor``."""
    if isinstance(data, Tensor) and dtype is None:
        return data
    if isinstance(data, np.ndarray) and data.dtype == (dtype or np.float32):
        return Tensor._wrap(data)
    return Tensor(data, dtype=dtype)


def zeros(*shape, dtype=np.float32, requires_grad: bool = False) -> Tensor:
    return full(_shape(shape), 0, dtype=dtype, requires_grad=requires_grad)


def ones(*shape, dtype=np.float32, requires_grad: bool = False) -> Tensor:
    return full(_shape(shape), 1, dtype=dtype, requires_grad=requires_grad)


def full(shape, fill_value, *, dtype=np.float32, requires_grad: bool = False) -> Tensor:
    values = np.full(_shape((shape,)), fill_value, dtype=dtype)
    return Tensor(values, dtype=dtype, requires_grad=requires_grad)


def zeros_like(x: Tensor, *, requires_grad: bool = False) -> Tensor:
    return zeros(x.shape, dtype=x.dtype, requires_grad=requires_grad)


def ones_like(x: Tensor, *, requires_grad: bool = False) -> Tensor:
    return ones(x.shape, dtype=x.dtype, requires_grad=requires_grad)


def arange(start, stop=None, step=1, *, dtype=None, requires_grad: bool = False) -> Tensor:
    """Evenly spaced values in [start, stop), as ``np.arange`` (integers stay integers)."""
    values = np.arange(start, stop, step) if stop is not None else np.arange(start)
    return Tensor(values, dtype=dtype, requires_grad=requires_grad)


def randn(*shape, dtype=np.float32, generator=None, requires_grad: bool = False) -> Tensor:
    """Samples from the standard normal distribution N(0, 1)."""
    values = resolve_generator(generator).standard_normal(_shape(shape), dtype=np.float64)
    return Tensor(values, dtype=dtype, requires_grad=requires_grad)


def rand(*shape, dtype=np.float32, generator=None, requires_grad: bool = False) -> Tensor:
    """Samples from the uniform distribution on [0, 1)."""
    values = resolve_generator(generator).random(_shape(shape))
    return Tensor(values, dtype=dtype, requires_grad=requires_grad)


def _shape(args: tuple) -> tuple:
    """Accept both ``zeros(2, 3)`` and ``zeros((2, 3))``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    if any(not isinstance(n, (int, np.integer)) or n < 0 for n in args):
        raise ValueError(f"expected a shape of non-negative integers, but got {args}.")
    return tuple(int(n) for n in args)
