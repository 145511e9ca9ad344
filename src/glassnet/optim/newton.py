"""Newton's method for tiny problems: a teaching aid beside gradient descent and L-BFGS."""

import numpy as np

from glassnet.errors import ConfigError, DTypeError, GraphError
from glassnet.optim.flat_parameters import flat_gradient, read_flat, write_flat
from glassnet.optim.optimizer import Optimizer, _call_closure, check_range
from glassnet.tensor import array_of

MAX_PARAMETERS = 2000  # a Hessian of 2000² float64 entries is 32 MB and 4000 gradients a step
MAX_CONDITION = 1e10  # beyond it, the finite-difference noise (≈ 1e-10 relative) decides the step


class Newton(Optimizer):
    """Newton's method: step to the minimum of the local quadratic model of the loss.

    With g = ∇L(θ) and H = ∇²L(θ) (the Hessian), each step solves

        (H + λI) d = g,    θ ← θ − lr · d

    On a quadratic loss one step with lr = 1 lands on the minimum; near a minimum of a
    smooth loss the error squares at every step (quadratic convergence), where gradient
    descent only shrinks it by a constant factor. The price is the Hessian: n² entries and
    an n×n solve for n parameters, which is why deep learning uses first-order methods and
    L-BFGS (a low-rank estimate of H⁻¹) instead.

    glassnet's autograd computes first derivatives only, so H is built from gradients by
    centered differences, column by column: H[:, j] = (g(θ + ε e_j) − g(θ − ε e_j)) / 2ε,
    then symmetrized. That costs 2n + 1 evaluations of ``closure`` per step and is exact (up
    to rounding) when the gradient is linear in θ, i.e. for a quadratic loss. The parameters
    must be float64: in float32 the differences would lose most of their digits.

    ``damping`` λ ≥ 0 (Levenberg-Marquardt) shifts the Hessian's eigenvalues: λ = 0 is pure
    Newton, which heads for a maximum or a saddle when H is not positive definite; large λ
    turns the step into gradient descent with learning rate lr/λ.

    Args:
        params: the parameters (at most ``MAX_PARAMETERS`` entries in all).
        lr: the step length along the Newton direction (1.0 is the full step).
        damping: λ ≥ 0.
        eps: ε > 0, the finite-difference step for the Hessian.

    Attributes:
        hessian: H of the last step (an n×n float64 array), for inspection.
        gradient: g of the last step (flat float64).

    Example:
        >>> import glassnet as gn
        >>> w = gn.tensor([3.0, -2.0], dtype="float64", requires_grad=True)
        >>> optimizer = Newton([w])
        >>> def closure():
        ...     loss = ((w - 1.0) ** 2).sum() + (w[0] * w[1]) * 0.5
        ...     loss.backward()
        ...     return loss
        >>> _ = optimizer.step(closure)    # a quadratic: one step reaches the minimum
        >>> w.data.round(6)
        array([0.8, 0.8])

    Reference: Nocedal & Wright, "Numerical Optimization" (2006), chapters 3 and 6.
    """

    def __init__(self, params, lr=1.0, *, damping: float = 0.0, eps: float = 1e-5):
        super().__init__(params, lr=lr)
        self.damping = check_range(damping, "damping", "Newton", 0.0, float("inf"))
        self.eps = check_range(eps, "eps", "Newton", 0.0, float("inf"))
        if self.eps == 0:
            raise ConfigError("Newton: expected eps > 0, but got 0.")
        if any(p.dtype != np.float64 for p in self._params):
            raise DTypeError(
                "Newton: expected float64 parameters (the Hessian comes from differences of "
                "gradients, which lose most digits in float32), but got "
                f"{sorted({str(p.dtype) for p in self._params})}. Create them with "
                "dtype='float64' or call model.double()."
            )
        n = sum(p.size for p in self._params)
        if n > MAX_PARAMETERS:
            raise ConfigError(
                f"Newton: expected at most {MAX_PARAMETERS} parameters (the Hessian has n² "
                f"entries and costs 2n gradients a step), but got {n}. Newton's method is a "
                "teaching aid for tiny problems; use LBFGS or Adam for real models."
            )
        self.hessian = None
        self.gradient = None

    def hyperparameters(self) -> dict:
        return {"damping": self.damping, "eps": self.eps}

    def step(self, closure=None):
        """One Newton step; returns the loss before it."""
        if closure is None:
            raise ConfigError(
                "Newton.step: expected a closure that computes the loss, calls "
                "loss.backward() and returns the loss, but got None."
            )
        theta = read_flat(self._params)
        loss, gradient = self._loss_and_gradient(closure)
        hessian = np.empty((theta.size, theta.size))
        for j in range(theta.size):
            shifted = theta.copy()
            shifted[j] += self.eps
            write_flat(self._params, shifted)
            _, plus = self._loss_and_gradient(closure)
            shifted[j] -= 2 * self.eps
            write_flat(self._params, shifted)
            _, minus = self._loss_and_gradient(closure)
            hessian[:, j] = (plus - minus) / (2 * self.eps)
        hessian = (hessian + hessian.T) / 2
        system = hessian + self.damping * np.eye(theta.size)
        # Differences leave rounding noise in a singular Hessian, so solve() alone would take
        # a huge step instead of failing: judge singularity by the condition number.
        if not np.linalg.cond(system) < MAX_CONDITION:
            write_flat(self._params, theta)
            raise GraphError(
                "Newton.step: the Hessian (plus damping) is singular, so the Newton step is "
                "undefined here. Pass damping > 0, e.g. Newton(params, damping=1e-3)."
            )
        direction = np.linalg.solve(system, gradient)
        write_flat(self._params, theta - self._resolve_lr(self.param_groups[0]) * direction)
        self.hessian, self.gradient = hessian, gradient
        self.step_count += 1
        return loss

    def _loss_and_gradient(self, closure):
        self.zero_grad()
        loss = _call_closure(closure)
        if not np.isfinite(float(array_of(loss))):
            raise GraphError(
                f"Newton.step: the loss is {float(array_of(loss))}; Newton's method needs a "
                "finite loss. Start closer to a minimum or pass damping > 0."
            )
        return loss, flat_gradient(self._params)
