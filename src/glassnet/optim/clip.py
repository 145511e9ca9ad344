"""Gradient clipping: rescale all gradients by their total norm, or clip each value.

Both act in place on ``param.grad`` between ``loss.backward()`` and ``optimizer.step()``,
and skip parameters without a gradient. Clipping keeps one bad batch (exploding gradients,
common in recurrent networks) from throwing the weights far away.
"""

import math
from collections.abc import Iterable

import numpy as np

from glassnet.errors import ConfigError
from glassnet.tensor import Tensor

# Added to the norm before dividing, as PyTorch does, so a zero norm never divides by 0.
_NORM_EPS = 1e-6


def clip_grad_norm(
    parameters: Iterable, max_norm: float, norm_type: float = 2.0, *, error_if_nonfinite=False
) -> float:
    """Scale all gradients together so that their total norm is at most ``max_norm``.

    total = ‖(g_1, …, g_k)‖_p over all parameters' gradients joined into one vector;
    if total > max_norm every gradient is multiplied by max_norm / (total + 1e-6), so the
    direction of the update is kept and only its length shrinks.

    Args:
        parameters: Tensors (``model.parameters()``) or a single Tensor.
        max_norm: the largest allowed total norm, > 0.
        norm_type: p ≥ 1, or ``float("inf")`` for the largest absolute value.
        error_if_nonfinite: raise ``FloatingPointError`` when the total norm is NaN or
            infinite; otherwise the gradients are left as they are and the norm returned.

    Returns:
        The total norm before clipping, as a Python float (useful to log).

    Example:
        >>> import glassnet as gn
        >>> w = gn.tensor([0.0, 0.0], requires_grad=True)
        >>> w.grad = np.array([3.0, 4.0], dtype=np.float32)
        >>> clip_grad_norm([w], max_norm=1.0)
        5.0
        >>> w.grad.round(6)
        array([0.6, 0.8], dtype=float32)

    Reference: Pascanu, Mikolov & Bengio, "On the difficulty of training recurrent neural
    networks" (ICML 2013).
    """
    if not max_norm > 0:
        raise ConfigError(f"clip_grad_norm: expected max_norm > 0, but got {max_norm}.")
    if not norm_type >= 1:
        raise ConfigError(f"clip_grad_norm: expected norm_type >= 1 or inf, but got {norm_type}.")
    grads = _gradients(parameters)
    if not grads:
        return 0.0
    if norm_type == math.inf:
        total = max(float(np.max(np.abs(g), initial=0.0)) for g in grads)
    else:
        norms = [float(np.linalg.norm(g.ravel(), ord=norm_type)) for g in grads]
        total = float(np.linalg.norm(norms, ord=norm_type))
    if not math.isfinite(total):
        if error_if_nonfinite:
            raise FloatingPointError(
                f"clip_grad_norm: the total gradient norm is {total}. The loss or a layer "
                "produced NaN/Inf: lower the learning rate or check the inputs."
            )
        return total
    scale = max_norm / (total + _NORM_EPS)
    if scale < 1:
        for g in grads:
            g *= scale
    return total


def clip_grad_value(parameters: Iterable, clip_value: float) -> None:
    """Clip every gradient element into [−clip_value, clip_value], in place.

    Example:
        >>> import glassnet as gn
        >>> w = gn.tensor([0.0, 0.0, 0.0], requires_grad=True)
        >>> w.grad = np.array([-3.0, 0.5, 7.0], dtype=np.float32)
        >>> clip_grad_value([w], 1.0)
        >>> w.grad
        array([-1. ,  0.5,  1. ], dtype=float32)
    """
    if not clip_value > 0:
        raise ConfigError(f"clip_grad_value: expected clip_value > 0, but got {clip_value}.")
    clip_value = float(clip_value)
    for g in _gradients(parameters):
        np.clip(g, -clip_value, clip_value, out=g)


def _gradients(parameters) -> list:
    parameters = [parameters] if isinstance(parameters, Tensor) else parameters
    return [p.grad for p in parameters if p.grad is not None]
