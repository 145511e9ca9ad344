"""A vanilla (Elman) recurrent network: h_t = tanh(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh).

Backpropagation through time multiplies the gradient by W_hhᵀ·diag(1 − h_t²) once per step,
so over a long sequence it shrinks geometrically (vanishing gradients: largest singular
value of W_hh below 1, or saturated tanh) or grows geometrically (exploding: above 1), the
course's example for gradient clipping and for gated units. Parameter names and layouts
are PyTorch's (``weight_ih``, ``weight_hh_l0``, ...), so weights load from ``torch.nn.RNN``.
"""

import math

import numpy as np

from glassnet.errors import ConfigError, ShapeError
from glassnet.nn import _args
from glassnet.nn import init as initializers
from glassnet.nn.linear import linear
from glassnet.nn.module import Module
from glassnet.ops.activation import relu, tanh
from glassnet.ops.composite import stack, unsqueeze
from glassnet.ops.shape import index
from glassnet.tensor import Tensor

_NONLINEARITIES = {"tanh": tanh, "relu": relu}


def rnn_cell(x, h, weight_ih, weight_hh, bias_ih=None, bias_hh=None, nonlinearity="tanh"):
    """One step: h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh).

    Args:
        x: Tensor (N, input_size).
        h: Tensor (N, hidden_size), the previous hidden state.
        weight_ih: (hidden_size, input_size); weight_hh: (hidden_size, hidden_size).
        bias_ih, bias_hh: (hidden_size,) or None.
        nonlinearity: ``"tanh"`` or ``"relu"``.

    Returns:
        The new hidden state, (N, hidden_size).
    """
    act = _activation(nonlinearity, "rnn_cell")
    return act(linear(x, weight_ih, bias_ih) + linear(h, weight_hh, bias_hh))


def _activation(nonlinearity: str, where: str):
    if nonlinearity not in _NONLINEARITIES:
        raise ConfigError(
            f"{where}: expected nonlinearity to be one of {tuple(_NONLINEARITIES)}, but got "
            f"{nonlinearity!r}."
        )
    return _NONLINEARITIES[nonlinearity]


def _make_weights(module, suffix, input_size, hidden_size, bias, init, generator, dtype):
    """Create weight_ih/weight_hh/bias_ih/bias_hh (+ suffix) with PyTorch's initialization
    U(±1/√hidden_size) for all four, or ``init`` for the weights and zero biases."""
    names = [f"weight_ih{suffix}", f"weight_hh{suffix}"]
    shapes = [(hidden_size, input_size), (hidden_size, hidden_size)]
    if bias:
        names += [f"bias_ih{suffix}", f"bias_hh{suffix}"]
        shapes += [(hidden_size,), (hidden_size,)]
    bound = 1.0 / math.sqrt(hidden_size)
    for name, shape in zip(names, shapes):
        parameter = _args.empty_parameter(shape, dtype)
        if init is None:
            initializers.uniform(parameter, -bound, bound, generator=generator)
        elif name.startswith("weight"):
            _args.initialize(parameter, None, init, generator, type(module).__name__)
        setattr(module, name, parameter)
    if not bias:
        setattr(module, f"bias_ih{suffix}", None)
        setattr(module, f"bias_hh{suffix}", None)


class RNNCell(Module):
    """One step of a vanilla RNN: h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh).

    Args:
        input_size: features of x.
        hidden_size: features of h.
        bias: learn b_ih and b_hh.
        nonlinearity: ``"tanh"`` (default) or ``"relu"``.
        init: None for PyTorch's default (all parameters from U(±1/√hidden_size)), or an
            ``nn.init`` initializer for both weights (the biases then start at zero).
        generator, dtype: as ``Linear``.

    Shape:
        x (N, input_size), h (N, hidden_size) or None (zeros) → h' (N, hidden_size).

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn as nn
        >>> cell = nn.RNNCell(3, 5)
        >>> cell(gn.zeros(2, 3)).shape
        (2, 5)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        *,
        init=None,
        generator=None,
        dtype=np.float32,
    ):
        super().__init__()
        self.input_size = _args.as_int(input_size, "input_size", "RNNCell", minimum=1)
        self.hidden_size = _args.as_int(hidden_size, "hidden_size", "RNNCell", minimum=1)
        _activation(nonlinearity, "RNNCell")
        self.nonlinearity = nonlinearity
        _make_weights(self, "", self.input_size, self.hidden_size, bias, init, generator, dtype)

    def forward(self, x, h=None):
        _args.check_input(x, (2,), "(N, input_size)", "RNNCell")
        h = _initial_state(h, x.shape[0], self.hidden_size, x.dtype, "RNNCell")
        return rnn_cell(
            x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, self.nonlinearity
        )

    def extra_repr(self) -> str:
        return (
            f"{self.input_size}, {self.hidden_size}, bias={self.bias_ih is not None}, "
            f"nonlinearity={self.nonlinearity!r}"
        )


class RNN(Module):
    """A single-layer vanilla RNN unrolled over a sequence.

    Args:
        input_size, hidden_size, bias, nonlinearity, init, generator, dtype: as ``RNNCell``.
        batch_first: input and output are (N, L, ·) instead of PyTorch's default (L, N, ·).

    Shape:
        x (L, N, input_size) [or (N, L, input_size) with batch_first], h0 (1, N, hidden_size)
        or None (zeros) → (output, h_n): output (L, N, hidden_size) [or (N, L, ...)], the
        hidden state at every step; h_n (1, N, hidden_size), the last one. As PyTorch's.

    Attributes:
        weight_ih_l0 (hidden, input), weight_hh_l0 (hidden, hidden), bias_ih_l0, bias_hh_l0.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn as nn
        >>> rnn = nn.RNN(3, 5, batch_first=True)
        >>> output, h_n = rnn(gn.zeros(2, 7, 3))
        >>> output.shape, h_n.shape
        ((2, 7, 5), (1, 2, 5))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        *,
        init=None,
        generator=None,
        dtype=np.float32,
    ):
        super().__init__()
        self.input_size = _args.as_int(input_size, "input_size", "RNN", minimum=1)
        self.hidden_size = _args.as_int(hidden_size, "hidden_size", "RNN", minimum=1)
        _activation(nonlinearity, "RNN")
        self.nonlinearity = nonlinearity
        self.batch_first = bool(batch_first)
        _make_weights(self, "_l0", self.input_size, self.hidden_size, bias, init, generator, dtype)

    def forward(self, x, h0=None):
        _args.check_input(
            x, (3,), "(L, N, input_size) or (N, L, input_size) with batch_first", "RNN"
        )
        if x.shape[-1] != self.input_size:
            raise ShapeError(
                f"RNN: expected input_size={self.input_size} features on the last axis, but "
                f"got shape {x.shape}. Check the data's feature size."
            )
        time_axis = 1 if self.batch_first else 0
        steps, batch = x.shape[time_axis], x.shape[1 - time_axis]
        if steps == 0:
            raise ShapeError(f"RNN: expected a sequence of at least one step, but got {x.shape}.")
        if h0 is not None:
            if not isinstance(h0, Tensor) or h0.shape != (1, batch, self.hidden_size):
                raise ShapeError(
                    f"RNN: expected h0 of shape (1, {batch}, {self.hidden_size}), but got "
                    f"{getattr(h0, 'shape', type(h0).__name__)}."
                )
            h0 = index(h0, 0)
        h = _initial_state(h0, batch, self.hidden_size, x.dtype, "RNN")
        states = []
        for t in range(steps):
            # NOTE: slicing the (constant) input per step rather than a precomputed projection
            # of all steps: the backward of each slice fills an array of the sliced tensor's
            # size, which would cost O(L²) on a projection that always requires a gradient.
            x_t = index(x, (slice(None), t) if self.batch_first else t)
            h = rnn_cell(
                x_t,
                h,
                self.weight_ih_l0,
                self.weight_hh_l0,
                self.bias_ih_l0,
                self.bias_hh_l0,
                self.nonlinearity,
            )
            states.append(h)
        output = stack(states, axis=time_axis)
        return output, unsqueeze(h, 0)

    def extra_repr(self) -> str:
        return (
            f"{self.input_size}, {self.hidden_size}, nonlinearity={self.nonlinearity!r}, "
            f"bias={self.bias_ih_l0 is not None}, batch_first={self.batch_first}"
        )


def _initial_state(h, batch: int, hidden_size: int, dtype, where: str):
    if h is None:
        return Tensor._wrap(np.zeros((batch, hidden_size), dtype=dtype))
    if not isinstance(h, Tensor) or h.shape != (batch, hidden_size):
        raise ShapeError(
            f"{where}: expected a hidden state of shape ({batch}, {hidden_size}), but got "
            f"{getattr(h, 'shape', type(h).__name__)}."
        )
    return h
