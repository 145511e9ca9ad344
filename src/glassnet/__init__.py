"""glassnet: a readable deep-learning library on NumPy.

    >>> import glassnet as gn
    >>> x = gn.tensor([2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    array([4., 6.], dtype=float32)
"""

__version__ = "0.1.0"

import os

# OpenBLAS's idle threads spin for a long while after each matrix product and hold the core
# that glassnet's own threads (glassnet.ops.parallel) need for the element-wise work between
# products. Told to sleep almost at once, the main job trains 1.38x faster (benchmarks/
# README.md, "Speed, round 2"). It takes effect only if NumPy is not imported yet (the
# `glassnet` command), and a value the user set wins.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

from glassnet import errors, random
from glassnet.autograd.engine import backward
from glassnet.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from glassnet.autograd.gradcheck import GradcheckResult, gradcheck
from glassnet.autograd.jacobian import jacobian
from glassnet.creation import (
    arange,
    as_tensor,
    full,
    ones,
    ones_like,
    rand,
    randn,
    tensor,
    zeros,
    zeros_like,
)
from glassnet.ops import (
    abs,
    add,
    broadcast_to,
    clip,
    concatenate,
    div,
    exp,
    flatten,
    index,
    log,
    logsumexp,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mul,
    neg,
    pad,
    permute,
    pow,
    relu,
    reshape,
    sigmoid,
    sqrt,
    squeeze,
    stack,
    sub,
    sum,
    tanh,
    transpose,
    unsqueeze,
    var,
    where,
)
from glassnet.random import manual_seed
from glassnet.serialization import load, save
from glassnet.tensor import Tensor

__all__ = [
    "GradcheckResult",
    "Tensor",
    "abs",
    "add",
    "arange",
    "as_tensor",
    "backward",
    "broadcast_to",
    "clip",
    "concatenate",
    "div",
    "enable_grad",
    "errors",
    "exp",
    "flatten",
    "full",
    "gradcheck",
    "index",
    "is_grad_enabled",
    "jacobian",
    "load",
    "log",
    "logsumexp",
    "manual_seed",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mul",
    "neg",
    "no_grad",
    "ones",
    "ones_like",
    "pad",
    "permute",
    "pow",
    "rand",
    "randn",
    "random",
    "relu",
    "reshape",
    "save",
    "sigmoid",
    "sqrt",
    "squeeze",
    "stack",
    "sub",
    "sum",
    "tanh",
    "tensor",
    "transpose",
    "unsqueeze",
    "var",
    "where",
    "zeros",
    "zeros_like",
]
