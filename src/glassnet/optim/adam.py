"""Adam and AdamW: momentum plus RMSprop-style scaling, with bias correction."""

import math
from dataclasses import dataclass

import numpy as np

from glassnet.errors import ConfigError
from glassnet.optim.optimizer import Optimizer, check_range


@dataclass
class AdamState:
    """Moment estimates of one parameter; ``step`` counts this parameter's own updates."""

    step: int
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray
    max_exp_avg_sq: np.ndarray | None = None


class Adam(Optimizer):
    """Adam (PyTorch's form), with bias correction and the optional AMSGrad variant.

    With g = ∇L(θ) + λθ (``weight_decay`` here is L2, added to the gradient — use ``AdamW``
    for decoupled decay) and t the parameter's step number (from 1)::

        m ← β1·m + (1 − β1)·g                        first moment (momentum)
        v ← β2·v + (1 − β2)·g²                       second moment (RMSprop)
        v̂_max ← max(v̂_max, v)                        (amsgrad only; then v := v̂_max below)
        θ ← θ − lr · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε)

    The bias corrections undo the zero initialization of m and v, which would otherwise
    make the first steps tiny. Convention: ε is added after the square root and after the
    bias correction of v (PyTorch, the paper's Algorithm 1); some libraries (TensorFlow,
    optax's ``eps_root``) put an ε inside the root or before the correction — with the
    default 1e-8 the difference matters only for coordinates with near-zero gradients.

    The update is written with in-place NumPy operations and one scratch array per
    parameter, so it allocates little and float32 parameters stay float32.

    Args:
        params: parameters or parameter groups.
        lr: learning rate (a number or a schedule).
        betas: (β1, β2), each in [0, 1).
        eps: ε > 0.
        weight_decay: λ ≥ 0.
        amsgrad: use the maximum of past second moments (Reddi et al.).

    Example:
        >>> import glassnet as gn
        >>> w = gn.tensor([1.0, -1.0], requires_grad=True)
        >>> w.grad = np.array([5.0, -0.01], dtype=np.float32)
        >>> Adam([w], lr=0.1).step()    # step 1 moves each coordinate by ≈ lr·sign(g)
        >>> w.data.round(5)
        array([ 0.9, -0.9], dtype=float32)

    References: Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015);
    Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond" (ICLR 2018).
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        *,
        betas: tuple = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ):
        super().__init__(params, lr=lr, weight_decay=weight_decay)
        name = type(self).__name__
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
            raise ConfigError(f"{name}: expected betas as a pair (β1, β2), but got {betas!r}.")
        self.betas = (
            check_range(betas[0], "betas[0]", name, 0.0, 1.0),
            check_range(betas[1], "betas[1]", name, 0.0, 1.0),
        )
        self.eps = check_range(eps, "eps", name, 0.0, float("inf"))
        self.amsgrad = bool(amsgrad)

    def hyperparameters(self) -> dict:
        return {"betas": list(self.betas), "eps": self.eps, "amsgrad": self.amsgrad}

    def init_state(self, param) -> AdamState:
        zeros = np.zeros_like
        maximum = zeros(param.data) if self.amsgrad else None
        return AdamState(0, zeros(param.data), zeros(param.data), maximum)

    def apply_weight_decay(self, param, grad, lr: float, weight_decay: float):
        """Adam: L2 — return g + λθ (a new array; ``param.grad`` is never changed)."""
        return grad + weight_decay * param.data

    def update(self, param, grad, state, lr, weight_decay):
        state.step += 1
        if weight_decay:
            grad = self.apply_weight_decay(param, grad, lr, weight_decay)
        beta1, beta2 = self.betas
        m, v = state.exp_avg, state.exp_avg_sq
        scratch = np.multiply(grad, 1 - beta1)
        m *= beta1
        m += scratch
        np.multiply(grad, grad, out=scratch)
        scratch *= 1 - beta2
        v *= beta2
        v += scratch
        if self.amsgrad:
            v = np.maximum(state.max_exp_avg_sq, v, out=state.max_exp_avg_sq)
        # m̂/(√v̂ + ε) = (√c2/c1)·m/(√v + ε√c2) with c = 1 − β^t: the bias corrections
        # become two scalars, so the array work is one sqrt, one add and one divide.
        root_c2 = math.sqrt(1 - beta2**state.step)
        np.sqrt(v, out=scratch)
        scratch += self.eps * root_c2
        np.divide(m, scratch, out=scratch)
        scratch *= lr * root_c2 / (1 - beta1**state.step)
        param.data -= scratch


class AdamW(Adam):
    """Adam with decoupled weight decay (PyTorch's form).

    The decay shrinks the weights directly instead of entering the gradient, so Adam's
    per-coordinate scaling does not weaken it for coordinates with large gradients::

        θ ← θ · (1 − lr·λ)         then the Adam step with g = ∇L(θ) (no λθ term)

    Convention: the decay is multiplied by the learning rate (PyTorch, optax with a
    schedule), not by a separate schedule multiplier as in the paper's η_t; so a schedule
    on lr also schedules the decay. Default λ = 0.01, as in PyTorch.

    Example:
        >>> import glassnet as gn
        >>> w = gn.tensor([2.0], requires_grad=True)
        >>> w.grad = np.array([0.0], dtype=np.float32)
        >>> AdamW([w], lr=0.1, weight_decay=0.5).step()    # 2·(1 − 0.05), zero gradient
        >>> w.data
        array([1.9], dtype=float32)

    Reference: Loshchilov & Hutter, "Decoupled Weight Decay Regularization" (ICLR 2019).
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        *,
        betas: tuple = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ):
        super().__init__(
            params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad
        )

    def apply_weight_decay(self, param, grad, lr: float, weight_decay: float):
        """AdamW: decoupled — shrink θ in place by (1 − lr·λ); the gradient is unchanged."""
        param.data *= 1 - lr * weight_decay
        return grad
