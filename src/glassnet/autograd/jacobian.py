"""The Jacobian of a function of one tensor, row by row with reverse mode.

J[i, j] = ∂y_i/∂x_j for y = fn(x). Reverse mode gives one row per backward pass (the
gradient of one output element), so ``jacobian`` runs the forward once and the backward
``y.size`` times through the same graph. That is the right cost for the small functions a
course looks at (the sigmoid of a vector, a softmax, a layer's input-output map); for a
scalar loss the Jacobian is just the gradient.
"""

import numpy as np

from glassnet.errors import DTypeError
from glassnet.tensor import Tensor


def jacobian(fn, x) -> np.ndarray:
    """∂fn(x)/∂x as an array of shape ``fn(x).shape + x.shape``.

    Args:
        fn: a function of one Tensor returning a Tensor (any shape), built from glassnet
            ops.
        x: the point, a floating Tensor or array (its dtype is kept: use float64 to compare
            with derivatives by hand). It is not modified and needs no ``requires_grad``.

    Returns:
        An ndarray in x's dtype. Entries for outputs that do not depend on x are 0.

    Raises:
        DTypeError: x is not floating, or fn does not return a Tensor.

    Example (the sigmoid of a vector has a diagonal Jacobian, σ(x)(1 − σ(x)) on it):
        >>> import glassnet as gn
        >>> J = jacobian(gn.sigmoid, gn.tensor([0.0, 2.0], dtype="float64"))
        >>> J.round(4)
        array([[0.25 , 0.   ],
               [0.   , 0.105]])
    """
    values = np.array(x.data if isinstance(x, Tensor) else x, copy=True)
    if values.dtype.kind != "f":
        raise DTypeError(
            f"jacobian: expected a floating point x, but got dtype {values.dtype}. Convert "
            "it, e.g. gn.tensor(x, dtype='float64')."
        )
    leaf = Tensor(values, dtype=values.dtype, requires_grad=True)
    y = fn(leaf)
    if not isinstance(y, Tensor):
        raise DTypeError(
            f"jacobian: expected fn to return a glassnet Tensor, but got {type(y).__name__}. "
            "Build fn from glassnet ops (gn.sigmoid, @, .sum(), ...)."
        )
    result = np.zeros(y.shape + leaf.shape, dtype=values.dtype)
    if not y.requires_grad:
        return result  # y does not depend on x
    rows = result.reshape(y.size, leaf.size)
    seed = np.zeros(y.size, dtype=y.dtype)
    for i in range(y.size):
        seed[i] = 1
        leaf.grad = None
        y.backward(seed.reshape(y.shape), retain_graph=i < y.size - 1)
        if leaf.grad is not None:
            rows[i] = leaf.grad.ravel()
        seed[i] = 0
    return result
