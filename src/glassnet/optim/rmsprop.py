"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

from dataclasses import dataclass

import numpy as np

from glassnet.optim.optimizer import Optimizer, check_range


@dataclass
class RMSpropState:
    """Moving averages of one parameter (the optional ones are None when not used)."""

    step: int
    square_avg: np.ndarray
    momentum_buffer: np.ndarray | None = None
    grad_avg: np.ndarray | None = None


class RMSprop(Optimizer):
    """RMSprop (PyTorch's form), optionally centered and with momentum.

    With g = ∇L(θ) + λθ, decay α, momentum μ::

        E[g²] ← α·E[g²] + (1 − α)·g²
        E[g]  ← α·E[g]  + (1 − α)·g                   (centered only)
        d     = √(E[g²] − E[g]²) + ε    (centered)  or  √E[g²] + ε
        b ← μ·b + g / d;  θ ← θ − lr·b                (momentum > 0; b starts at 0)
        θ ← θ − lr·g / d                              (otherwise)

    Unlike Adagrad's ever-growing sum, the moving average forgets old gradients, so the
    step size does not decay to zero. ε is added outside the square root (PyTorch, Keras
    add it inside; TensorFlow 1 added it inside): with the default 1e-8 the difference is
    invisible except for coordinates whose gradients are ~0.

    Args:
        params: parameters or parameter groups.
        lr: learning rate (a number or a schedule).
        alpha: α in [0, 1), the decay of the moving averages.
        eps: ε > 0.
        weight_decay: λ ≥ 0 (L2, added to the gradient).
        momentum: μ in [0, 1).
        centered: normalize by the estimated variance instead of the second moment.

    Example:
        >>> import glassnet as gn
        >>> w = gn.tensor([1.0], requires_grad=True)
        >>> w.grad = np.array([2.0], dtype=np.float32)
        >>> RMSprop([w], lr=0.01, alpha=0.75).step()   # 1 − 0.01·2/√(0.25·4) = 0.98
        >>> w.data
        array([0.98], dtype=float32)

    Reference: Tieleman & Hinton, "Lecture 6.5 — RMSprop", COURSERA: Neural Networks for
    Machine Learning (2012); centered form: Graves, "Generating Sequences With Recurrent
    Neural Networks" (2013).
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        *,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ):
        super().__init__(params, lr=lr, weight_decay=weight_decay)
        self.alpha = check_range(alpha, "alpha", "RMSprop", 0.0, 1.0)
        self.eps = check_range(eps, "eps", "RMSprop", 0.0, float("inf"))
        self.momentum = check_range(momentum, "momentum", "RMSprop", 0.0, 1.0)
        self.centered = bool(centered)

    def hyperparameters(self) -> dict:
        return {
            "alpha": self.alpha,
            "eps": self.eps,
            "momentum": self.momentum,
            "centered": self.centered,
        }

    def init_state(self, param) -> RMSpropState:
        zeros = np.zeros_like
        return RMSpropState(
            step=0,
            square_avg=zeros(param.data),
            momentum_buffer=zeros(param.data) if self.momentum else None,
            grad_avg=zeros(param.data) if self.centered else None,
        )

    def update(self, param, grad, state, lr, weight_decay):
        state.step += 1
        if weight_decay:
            grad = grad + weight_decay * param.data
        alpha = self.alpha
        scratch = np.multiply(grad, grad)
        scratch *= 1 - alpha
        state.square_avg *= alpha
        state.square_avg += scratch
        if self.centered:
            state.grad_avg *= alpha
            np.multiply(grad, 1 - alpha, out=scratch)
            state.grad_avg += scratch
            np.multiply(state.grad_avg, state.grad_avg, out=scratch)
            np.subtract(state.square_avg, scratch, out=scratch)
            np.sqrt(scratch, out=scratch)
        else:
            np.sqrt(state.square_avg, out=scratch)
        scratch += self.eps
        np.divide(grad, scratch, out=scratch)
        if self.momentum:
            state.momentum_buffer *= self.momentum
            state.momentum_buffer += scratch
            np.multiply(state.momentum_buffer, lr, out=scratch)
        else:
            scratch *= lr
        param.data -= scratch
