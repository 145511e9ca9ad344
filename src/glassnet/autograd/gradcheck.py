"""Numerical gradient check: compare backward's gradients with centered differences.

For each checked input x and each element i, the numerical gradient is
``(L(x + eps·e_i) − L(x − eps·e_i)) / (2·eps)`` where ``L`` is the function's output reduced
to a scalar by fixed random weights (so every output element takes part). It is compared
with the gradient from ``backward`` by the relative error ``|a − n| / max(|a|, |n|)``, the
measure the course uses; an element fails when ``|a − n| > atol + rtol·|n|``.

The check perturbs the inputs' ``.data`` in place and restores it, so parameters used
inside ``fn`` (a layer's weights, a whole model's) can be checked by listing them in
``inputs``. Checked inputs must be float64: in float32 centered differences lose most of
their digits.
"""

from dataclasses import dataclass

import numpy as np

from glassnet.autograd.grad_mode import no_grad
from glassnet.errors import DTypeError, GradientCheckError
from glassnet.tensor import Tensor


@dataclass(frozen=True)
class GradcheckResult:
    """Outcome of ``gradcheck``: the largest relative error per input (None if unchecked)."""

    max_relative_errors: tuple

    def __str__(self) -> str:
        parts = [
            f"input {i}: {err:.2e}"
            for i, err in enumerate(self.max_relative_errors)
            if err is not None
        ]
        return "gradcheck passed (max relative error " + ", ".join(parts) + ")"


def gradcheck(fn, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3):
    """Check ``fn``'s backward against centered differences for every input that requires grad.

    Args:
        fn: called as ``fn(*inputs)``; returns a Tensor of any shape.
        inputs: a Tensor or a sequence of Tensors (other values pass through unchecked).
            Those with ``requires_grad=True`` are checked and must be float64.
        eps: the finite-difference step.
        atol, rtol: an element fails when ``|analytic − numeric| > atol + rtol·|numeric|``.

    Returns:
        A ``GradcheckResult`` with the max relative error per input.

    Raises:
        GradientCheckError: naming the input, the worst element's index and both values.
        DTypeError: a checked input is not float64.

    Example:
        >>> import glassnet as gn
        >>> x = gn.tensor([[1.0, -2.0], [0.5, 3.0]], dtype="float64", requires_grad=True)
        >>> result = gn.gradcheck(lambda t: (t * t).sum(axis=0), [x])
        >>> result.max_relative_errors[0] < 1e-7
        True
    """
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    for i in checked:
        if inputs[i].dtype != np.float64:
            raise DTypeError(
                f"gradcheck: input {i} has dtype {inputs[i].dtype}, but centered differences "
                "need float64. Create it with dtype='float64' (and layers in float64)."
            )
    weights = None

    def scalar_output() -> Tensor:
        nonlocal weights
        out = fn(*inputs)
        if weights is None:
            weights = np.random.default_rng(1234).standard_normal(out.shape)
        return (out * weights).sum()

    analytic = _analytic_gradients(scalar_output, [inputs[i] for i in checked])
    errors = [None] * len(inputs)
    for i, grad in zip(checked, analytic):
        numeric = _numerical_gradient(scalar_output, inputs[i], eps)
        errors[i] = _compare(i, grad, numeric, atol, rtol)
    return GradcheckResult(tuple(errors))


def _analytic_gradients(scalar_output, tensors: list) -> list:
    saved_grads = [t.grad for t in tensors]
    for t in tensors:
        t.grad = None
    try:
        scalar_output().backward()
        return [np.zeros_like(t.data) if t.grad is None else t.grad for t in tensors]
    finally:
        for t, grad in zip(tensors, saved_grads):
            t.grad = grad


def _numerical_gradient(scalar_output, x: Tensor, eps: float) -> np.ndarray:
    numeric = np.zeros_like(x.data)
    # .flat writes into x's own memory whatever its strides; reshape(-1) would silently
    # perturb a copy of a non-contiguous array (e.g. a channels-last conv activation).
    flat = x.data.flat
    with no_grad():
        for k in range(x.data.size):
            original = flat[k]
            flat[k] = original + eps
            plus = scalar_output().item()
            flat[k] = original - eps
            minus = scalar_output().item()
            flat[k] = original
            numeric.flat[k] = (plus - minus) / (2 * eps)
    return numeric


def _compare(position: int, analytic, numeric, atol: float, rtol: float) -> float:
    difference = np.abs(analytic - numeric)
    scale = np.maximum(np.abs(analytic), np.abs(numeric))
    relative = np.divide(difference, scale, out=np.zeros_like(difference), where=scale > 0)
    excess = difference - (atol + rtol * np.abs(numeric))
    if excess.size and excess.max() > 0:
        worst = np.unravel_index(np.argmax(excess), excess.shape)
        raise GradientCheckError(
            f"gradcheck: input {position} fails at index {tuple(int(i) for i in worst)}: "
            f"analytic {analytic[worst]:.6g} vs numerical {numeric[worst]:.6g} "
            f"(relative error {relative[worst]:.2e}; max over the input "
            f"{relative.max():.2e}). The backward of an op on this path is likely wrong, "
            "or the function is not smooth here (a kink such as relu at 0)."
        )
    return float(relative.max()) if relative.size else 0.0
