"""Checks and normalizations of user-level arguments, shared by the layers and F.*.

Every error names the op or layer (``where``) and follows the library's message shape.
"""

import numbers

import numpy as np

from glassnet.errors import ConfigError, DTypeError, ShapeError
from glassnet.tensor import Tensor


def as_int(value, name: str, where: str, *, minimum: int) -> int:
    """``value`` as an int ≥ ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ConfigError(f"{where}: expected {name} to be an integer, but got {value!r}.")
    if value < minimum:
        raise ConfigError(
            f"{where}: expected {name} >= {minimum}, but got {name}={value}."
            + (
                " Negative padding is not supported; crop the input instead."
                if name == "padding"
                else ""
            )
        )
    return int(value)


def as_pair(value, name: str, where: str, *, minimum: int) -> tuple:
    """An int or a pair of ints (each ≥ ``minimum``) as a pair: 3 → (3, 3)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ConfigError(
                f"{where}: expected {name} to be an int or a pair of ints, but got {value!r}."
            )
        return tuple(as_int(v, name, where, minimum=minimum) for v in value)
    number = as_int(value, name, where, minimum=minimum)
    return number, number


def as_float(value, name: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError(f"{where}: expected {name} to be a number, but got {value!r}.")
    return float(value)


def check_probability(p, where: str) -> float:
    """The drop probability p, which must lie in [0, 1)."""
    p = as_float(p, "p", where)
    if not 0.0 <= p < 1.0:
        raise ConfigError(
            f"{where}: expected the drop probability p in [0, 1), but got p={p}. p is the "
            "probability of zeroing a unit (PyTorch's meaning); keep probability = 1 - p."
        )
    return p


def check_input(x, ranks, layout: str, where: str, *, min_rank: int = 0) -> None:
    """``x`` is a floating Tensor with one of ``ranks`` axes (``layout`` names them), or,
    with ``ranks=None``, with at least ``min_rank`` axes."""
    if not isinstance(x, Tensor):
        raise DTypeError(
            f"{where}: expected a glassnet Tensor, but got {type(x).__name__}. "
            "Wrap arrays with gn.tensor(x) or gn.as_tensor(x)."
        )
    if x.data.dtype.kind != "f":
        raise DTypeError(
            f"{where}: expected a floating input, but got dtype {x.dtype}. "
            "Convert it first, e.g. gn.tensor(x, dtype='float32')."
        )
    if ranks is None and x.ndim < min_rank:
        raise ShapeError(
            f"{where}: expected an input with at least {min_rank} "
            f"{'axis' if min_rank == 1 else 'axes'} {layout}, but got "
            f"shape {x.shape}. Reshape it (e.g. x.reshape(1, -1))."
        )
    if ranks is not None and x.ndim not in ranks:
        expected = " or ".join(f"{r}-d" for r in ranks)
        raise ShapeError(
            f"{where}: expected a {expected} input {layout}, but got shape {x.shape}. "
            "Reshape it (e.g. add a batch axis with x.unsqueeze(0))."
        )


def check_channels(x, expected: int, where: str, axis: int = 1) -> None:
    if x.shape[axis] != expected:
        raise ShapeError(
            f"{where}: expected input with {expected} channels (axis {axis}), but got "
            f"{x.shape[axis]} (input shape {x.shape}). Check the previous layer's output "
            "channels."
        )


def dtype_of(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise DTypeError(
            f"expected a floating dtype for parameters (np.float32 or np.float64), but got {dtype}."
        )
    return dtype


def initialize(weight, bias, init, generator, where: str) -> None:
    """Fill a layer's weight and bias: PyTorch's default U(±1/√fan_in) for both when
    ``init`` is None; otherwise ``init(weight, generator=generator)`` and a zero bias."""
    from glassnet.nn import init as initializers  # init imports nothing from here

    if init is None:
        initializers.default_uniform(weight, bias, generator=generator)
        return
    if not callable(init):
        raise ConfigError(
            f"{where}: expected init to be None or a callable such as "
            f"nn.init.kaiming_normal, but got {init!r}."
        )
    init(weight, generator=generator)
    if bias is not None:
        initializers.zeros(bias)


def empty_parameter(shape: tuple, dtype):
    from glassnet.nn.parameter import Parameter

    return Parameter(np.zeros(shape, dtype=dtype_of(dtype)))
