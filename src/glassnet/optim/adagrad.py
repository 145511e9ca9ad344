"""Adagrad: per-coordinate learning rates from the sum of squared gradients."""

from dataclasses import dataclass

import numpy as np

from glassnet.optim.optimizer import Optimizer, check_range


@dataclass
class AdagradState:
    """Steps taken and the running sum of squared gradients of one parameter."""

    step: int
    sum: np.ndarray


class Adagrad(Optimizer):
    """Adagrad (PyTorch's form).

    With g = ∇L(θ) + λθ and t the parameter's step number (from 1)::

        G ← G + g²                              (G starts at initial_accumulator_value)
        lr_t = lr / (1 + (t − 1)·lr_decay)
        θ ← θ − lr_t · g / (√G + ε)

    Coordinates with large past gradients take small steps and rare (sparse) features keep
    large ones; because G only grows, the effective learning rate decays for ever, which is
    what RMSprop fixes. ε is added outside the square root, as in PyTorch and the course.

    Args:
        params: parameters or parameter groups.
        lr: learning rate (a number or a schedule).
        lr_decay: ≥ 0, the 1/t decay of the learning rate above.
        weight_decay: λ ≥ 0 (L2, added to the gradient).
        initial_accumulator_value: ≥ 0, the starting value of G.
        eps: ε > 0.

    Example:
        >>> import glassnet as gn
        >>> w = gn.tensor([1.0, -1.0], requires_grad=True)
        >>> w.grad = np.array([3.0, -0.5], dtype=np.float32)
        >>> Adagrad([w], lr=0.1).step()      # first step: θ − lr·sign(g)
        >>> w.data
        array([ 0.9, -0.9], dtype=float32)

    Reference: Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning and
    Stochastic Optimization" (JMLR 2011).
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        *,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ):
        super().__init__(params, lr=lr, weight_decay=weight_decay)
        self.lr_decay = check_range(lr_decay, "lr_decay", "Adagrad", 0.0, float("inf"))
        self.initial_accumulator_value = check_range(
            initial_accumulator_value, "initial_accumulator_value", "Adagrad", 0.0, float("inf")
        )
        self.eps = check_range(eps, "eps", "Adagrad", 0.0, float("inf"))

    def hyperparameters(self) -> dict:
        return {
            "lr_decay": self.lr_decay,
            "initial_accumulator_value": self.initial_accumulator_value,
            "eps": self.eps,
        }

    def init_state(self, param) -> AdagradState:
        return AdagradState(0, np.full_like(param.data, self.initial_accumulator_value))

    def update(self, param, grad, state, lr, weight_decay):
        state.step += 1
        if weight_decay:
            grad = grad + weight_decay * param.data
        step_size = lr / (1 + (state.step - 1) * self.lr_decay)
        scratch = np.multiply(grad, grad)
        state.sum += scratch
        np.sqrt(state.sum, out=scratch)
        scratch += self.eps
        np.divide(grad, scratch, out=scratch)
        scratch *= step_size
        param.data -= scratch
