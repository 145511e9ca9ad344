"""Every differentiable op, by family. ``Tensor`` methods and ``gn.<op>`` delegate here."""

from glassnet.ops.activation import relu, sigmoid, tanh
from glassnet.ops.composite import flatten, squeeze, stack, unsqueeze, var
from glassnet.ops.elementwise import (
    abs,
    add,
    clip,
    div,
    exp,
    log,
    maximum,
    minimum,
    mul,
    neg,
    pow,
    sqrt,
    sub,
    where,
)
from glassnet.ops.matmul import matmul
from glassnet.ops.reduction import logsumexp, max, mean, min, sum
from glassnet.ops.shape import broadcast_to, concatenate, index, pad, permute, reshape, transpose

__all__ = [
    "abs",
    "add",
    "broadcast_to",
    "clip",
    "concatenate",
    "div",
    "exp",
    "flatten",
    "index",
    "log",
    "logsumexp",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mul",
    "neg",
    "pad",
    "permute",
    "pow",
    "relu",
    "reshape",
    "sigmoid",
    "sqrt",
    "stack",
    "squeeze",
    "sub",
    "sum",
    "tanh",
    "transpose",
    "unsqueeze",
    "var",
    "where",
]
