"""L-BFGS for full-batch problems, built on SciPy's L-BFGS-B."""

import numpy as np

from glassnet.errors import ConfigError
from glassnet.optim.flat_parameters import flat_gradient, read_flat, write_flat
from glassnet.optim.optimizer import Optimizer, _call_closure
from glassnet.tensor import array_of


class LBFGS(Optimizer):
    """Limited-memory BFGS: quasi-Newton steps from the last few gradient differences.

    L-BFGS keeps the last m pairs (s_k = θ_{k+1} − θ_k, y_k = ∇L_{k+1} − ∇L_k) and uses them
    to apply an approximation of the inverse Hessian to the gradient (the two-loop
    recursion), with a line search along the resulting direction. It needs the loss on
    the full data set (noisy mini-batch gradients break its curvature estimates), which
    is why ``step`` takes a ``closure`` that recomputes the loss and the gradients.

    Implementation: glassnet does not hand-write the algorithm; it flattens the parameters
    into one float64 vector and runs ``scipy.optimize.minimize(method="L-BFGS-B")``, a
    maintained Fortran implementation with a More-Thuente line search. Each ``step(closure)``
    runs up to ``max_iter`` iterations (as PyTorch's ``LBFGS.step`` does) and writes the
    result back into the parameters (in their own dtype). NOTE: the curvature history lives
    inside one ``step`` call; for a full-batch problem, call ``step`` once with a large
    ``max_iter`` rather than many times with a small one. The results are not bit-identical
    to PyTorch's LBFGS (a different line search), but converge to the same minimum.

    Before each evaluation every parameter's ``.grad`` is set to None, so the closure may
    (but need not) call ``zero_grad()``; it must call ``loss.backward()`` and return the loss.

    Args:
        params: parameters (groups are accepted; their lr and weight decay are unused).
        max_iter: maximal iterations per ``step``.
        max_eval: maximal closure evaluations per ``step`` (default ``max_iter·5/4``).
        tolerance_grad: stop when every |gradient component| ≤ this (SciPy's ``gtol``).
        tolerance_change: stop when the relative loss decrease ≤ this (SciPy's ``ftol``).
        history_size: m, the number of correction pairs kept (SciPy's ``maxcor``).

    Example:
        >>> import glassnet as gn
        >>> w = gn.tensor([3.0, -2.0], dtype="float64", requires_grad=True)
        >>> optimizer = LBFGS([w])
        >>> def closure():
        ...     loss = ((w - 1.0) ** 2).sum()
        ...     loss.backward()
        ...     return loss
        >>> optimizer.step(closure).item()      # the loss before the step
        13.0
        >>> w.data.round(6)
        array([1., 1.])

    Reference: Liu & Nocedal, "On the limited memory BFGS method for large scale
    optimization" (Math. Programming 1989); Byrd, Lu, Nocedal & Zhu (L-BFGS-B, 1995).
    """

    def __init__(
        self,
        params,
        *,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
    ):
        super().__init__(params, lr=1.0)
        for what, value in (("max_iter", max_iter), ("history_size", history_size)):
            if not (isinstance(value, int) and value >= 1):
                raise ConfigError(f"LBFGS: expected {what} >= 1 (an int), but got {value!r}.")
        if max_eval is not None and not (isinstance(max_eval, int) and max_eval >= 1):
            raise ConfigError(f"LBFGS: expected max_eval >= 1 or None, but got {max_eval!r}.")
        self.max_iter = max_iter
        self.max_eval = max_eval if max_eval is not None else max_iter * 5 // 4
        self.tolerance_grad = float(tolerance_grad)
        self.tolerance_change = float(tolerance_change)
        self.history_size = history_size
        self.result = None  # SciPy's OptimizeResult of the last step (message, nit, nfev)

    def hyperparameters(self) -> dict:
        return {
            "max_iter": self.max_iter,
            "max_eval": self.max_eval,
            "tolerance_grad": self.tolerance_grad,
            "tolerance_change": self.tolerance_change,
            "history_size": self.history_size,
        }

    def step(self, closure=None):
        """Run up to ``max_iter`` L-BFGS iterations; return the loss before them."""
        if closure is None:
            raise ConfigError(
                "LBFGS.step: expected a closure that computes the loss, calls "
                "loss.backward() and returns the loss, but got None."
            )
        first_loss = []

        def loss_and_grad(flat: np.ndarray):
            write_flat(self._params, flat)
            self.zero_grad()
            loss = _call_closure(closure)
            if not first_loss:
                first_loss.append(loss)
            return float(array_of(loss)), flat_gradient(self._params)

        from scipy.optimize import minimize  # here, not at the top: scipy is slow to import

        self.result = minimize(
            loss_and_grad,
            read_flat(self._params),
            jac=True,
            method="L-BFGS-B",
            options={
                "maxiter": self.max_iter,
                "maxfun": self.max_eval,
                "maxcor": self.history_size,
                "gtol": self.tolerance_grad,
                "ftol": self.tolerance_change,
            },
        )
        write_flat(self._params, self.result.x)
        self.step_count += 1
        return first_loss[0]
