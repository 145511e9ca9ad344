"""Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay."""

from dataclasses import dataclass

import numpy as np

from glassnet.errors import ConfigError
from glassnet.optim.optimizer import Optimizer, check_range


@dataclass
class SGDState:
    """The velocity of one parameter (None until the first step; unused without momentum)."""

    momentum_buffer: np.ndarray | None = None


class SGD(Optimizer):
    """Gradient descent, optionally with (Nesterov) momentum — PyTorch's form.

    With g = ∇L(θ) + λθ (``weight_decay`` λ is an L2 penalty λ/2·‖θ‖² folded into the
    gradient), momentum μ and dampening d, each step is::

        b ← g                        on the first step
        b ← μ·b + (1 − d)·g          afterwards
        θ ← θ − lr·b                 (classical momentum)
        θ ← θ − lr·(g + μ·b)         (nesterov=True)

    Convention (where libraries differ): the course writes momentum as a velocity that
    already contains the learning rate, ``v ← μ·v − lr·∇L;  θ ← θ + v``, and Nesterov in its
    rewritten form ``v_prev = v;  v ← μ·v − lr·∇L;  θ ← θ − μ·v_prev + (1 + μ)·v``. With a
    constant lr the two forms take identical steps: PyTorch's buffer is b = −v/lr (and the
    Nesterov step θ − lr·(g + μ·b) expands to the course's rewrite). They differ only when
    lr changes: PyTorch's form applies the new lr to the whole accumulated velocity at once,
    the course's form lets the old velocity decay. glassnet follows PyTorch, so that runs
    and checkpoints compare one to one, and states the course's form here.

    Args:
        params: parameters or parameter groups.
        lr: learning rate (a number or a schedule).
        momentum: μ in [0, 1).
        dampening: d in [0, 1]; scales the new gradient in the buffer (not on step 1).
        weight_decay: λ ≥ 0 (L2, added to the gradient).
        nesterov: Nesterov's accelerated gradient; needs μ > 0 and d = 0.

    Example:
        >>> import glassnet as gn
        >>> w = gn.tensor([1.0], requires_grad=True)
        >>> optimizer = SGD([w], lr=0.1, momentum=0.9)
        >>> for _ in range(2):
        ...     optimizer.zero_grad()
        ...     (w * w).sum().backward()
        ...     optimizer.step()
        >>> w.data.round(4)        # 1 − 0.1·2 = 0.8;  b = 0.9·2 + 1.6 = 3.4: 0.8 − 0.34
        array([0.46], dtype=float32)

    References: Polyak, "Some methods of speeding up the convergence of iteration methods"
    (1964); Sutskever et al., "On the importance of initialization and momentum in deep
    learning" (ICML 2013); CS231n, "Parameter updates".
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        *,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ):
        super().__init__(params, lr=lr, weight_decay=weight_decay)
        self.momentum = check_range(momentum, "momentum", "SGD", 0.0, 1.0)
        self.dampening = check_range(dampening, "dampening", "SGD", 0.0, 1.0, closed=True)
        if nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ConfigError(
                f"SGD: Nesterov momentum needs momentum > 0 and dampening = 0, but got "
                f"momentum={momentum}, dampening={dampening}."
            )
        self.nesterov = bool(nesterov)

    def hyperparameters(self) -> dict:
        return {"momentum": self.momentum, "dampening": self.dampening, "nesterov": self.nesterov}

    def init_state(self, param) -> SGDState:
        return SGDState()

    def update(self, param, grad, state, lr, weight_decay):
        if weight_decay:
            grad = grad + weight_decay * param.data
        if self.momentum:
            buffer = state.momentum_buffer
            if buffer is None:
                buffer = state.momentum_buffer = np.array(grad, copy=True)
            else:
                buffer *= self.momentum
                buffer += grad if self.dampening == 0 else (1 - self.dampening) * grad
            grad = grad + self.momentum * buffer if self.nesterov else buffer
        param.data -= lr * grad


def course_momentum_step(x, v, dx, *, lr: float, mu: float, nesterov: bool = False):
    """One step of the course's momentum update, for comparison with ``SGD`` (float math).

    ``v ← μ·v − lr·dx;  x ← x + v``, or Nesterov's rewrite
    ``v_prev = v;  v ← μ·v − lr·dx;  x ← x − μ·v_prev + (1 + μ)·v``. Returns (x, v).

    Example:
        >>> course_momentum_step(1.0, 0.0, 2.0, lr=0.1, mu=0.9)
        (0.8, -0.2)
    """
    v_prev = v
    v = mu * v - lr * dx
    x = x - mu * v_prev + (1 + mu) * v if nesterov else x + v
    return x, v
