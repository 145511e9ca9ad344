"""Parameters as one float64 vector, for the optimizers that work on the whole problem at
once (L-BFGS through SciPy, Newton's method): read them, write them back, and read their
gradients (zero where a parameter has none)."""

import numpy as np


def read_flat(params) -> np.ndarray:
    """The parameters' values, concatenated in order, as float64."""
    return np.concatenate([p.data.ravel() for p in params]).astype(np.float64)


def write_flat(params, flat: np.ndarray) -> None:
    """Put ``flat`` (as ``read_flat`` laid it out) back into the parameters, in place."""
    start = 0
    for param in params:
        stop = start + param.size
        param.data[...] = flat[start:stop].reshape(param.shape)
        start = stop


def flat_gradient(params) -> np.ndarray:
    """The parameters' gradients, concatenated like ``read_flat`` (0 where ``.grad`` is None)."""
    return np.concatenate([np.zeros(p.size) if p.grad is None
                           else p.grad.ravel().astype(np.float64) for p in params])
