# %% [markdown]
# # 7. Is ReLU differentiable? What is done at 0?
#
# ReLU(x) = max(0, x) is differentiable everywhere except at x = 0, where its left
# derivative is 0 and its right derivative is 1. Any value in [0, 1] is a *subgradient*
# there; libraries pick one (glassnet and PyTorch: 0). The choice only matters for a
# pre-activation that is exactly 0.0 — which random weights and real data almost never
# produce, but zero biases meeting an all-zero input do. We measure all of that.

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import nn, optim
from glassnet.autograd.function import Function
from glassnet.data import spiral
from glassnet.nn.loss import cross_entropy
from glassnet.plot.figure import new_figure

lab = Lab("7. Is ReLU differentiable? What is done at 0?")

# %% [markdown]
# ## One-sided difference quotients at 0

# %%
steps_h = np.logspace(-1, -12, 12)
right = (np.maximum(0, steps_h) - 0.0) / steps_h
left = (0.0 - np.maximum(0, -steps_h)) / steps_h
lab.table(["h", "(relu(h) − relu(0))/h", "(relu(0) − relu(−h))/h"],
          [[f"{h:.0e}", r, q] for h, r, q in zip(steps_h[::3], right[::3], left[::3])])
lab.claim("the right derivative at 0 is 1 and the left one is 0, so ReLU has no derivative "
          "at 0", np.all(right == 1) and np.all(left == 0),
          f"right quotients {set(right.tolist())}, left {set(left.tolist())} for h down to 1e-12")

x = gn.tensor([-1.0, 0.0, 2.0], requires_grad=True)
gn.relu(x).sum().backward()
lab.claim("glassnet uses the subgradient 0 at exactly 0 (as PyTorch does)",
          x.grad.tolist() == [0.0, 0.0, 1.0], f"gradient at (-1, 0, 2): {x.grad.tolist()}")


# %% [markdown]
# ## Does the choice at 0 change training? A ReLU whose derivative at 0 we choose

# %%
class ReLUWithSubgradient(Function):
    """max(0, x) with dReLU/dx at exactly 0 set to ``at_zero``; counts the exact zeros."""

    zeros_seen = 0

    def forward(self, x, at_zero):
        self.save_for_backward(x, at_zero)
        ReLUWithSubgradient.zeros_seen += int(np.count_nonzero(x == 0))
        return np.maximum(x, 0)

    def backward(self, grad_out):
        x, at_zero = self.saved
        slope = np.where(x > 0, 1.0, np.where(x == 0, at_zero, 0.0)).astype(x.dtype)
        return grad_out * slope


X, y = spiral(100, 3, generator=np.random.default_rng(0))
print(f"the spiral starts each arm at the origin: {int(np.all(X == 0, axis=1).sum())} inputs "
      "are exactly (0, 0)")
steps = lab.choose(200, 40)


def train(at_zero, zero_biases):
    """A 2-32-32-3 ReLU net, full batch, Adam; returns final weights and exact zeros seen."""
    init = nn.init.kaiming_uniform if zero_biases else None  # kaiming: biases start at 0
    rng = np.random.default_rng(1)
    layers = [nn.Linear(2, 32, init=init, generator=rng), nn.Linear(32, 32, init=init,
              generator=rng), nn.Linear(32, 3, init=init, generator=rng)]
    params = [p for layer in layers for p in layer.parameters()]
    optimizer = optim.Adam(params, lr=0.01)
    ReLUWithSubgradient.zeros_seen = 0
    for _ in range(steps):
        h = gn.tensor(X)
        for layer in layers[:-1]:
            h = ReLUWithSubgradient.apply(layer(h), at_zero=at_zero)
        loss = cross_entropy(layers[-1](h), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return np.concatenate([p.data.ravel() for p in params]), ReLUWithSubgradient.zeros_seen


rows, results = [], {}
for zero_biases in (False, True):
    runs = {a: train(a, zero_biases) for a in (0.0, 0.5, 1.0)}
    gap = max(np.abs(runs[a][0] - runs[0.0][0]).max() for a in runs)
    results[zero_biases] = (runs[0.0][1], gap)
    rows.append(["zero biases (kaiming init)" if zero_biases else "random biases (default)",
                 runs[0.0][1], f"{gap:.2e}"])
lab.table(["initialization", "exact zeros met", "max weight difference, slope 0 vs ½ vs 1"],
          rows)
zeros, gap = results[False]
lab.claim("with random biases no pre-activation is ever exactly 0, so the choice at 0 changes "
          "nothing", zeros == 0 and gap == 0,
          f"{zeros} exact zeros in {steps} steps; weights identical to {gap:.0e}")
zeros, gap = results[True]
lab.claim("zero biases on an all-zero input make exact zeros, and then the choice does matter",
          zeros > 0 and gap > 0, f"{zeros} exact zeros; weights differ by up to {gap:.2e}")

# %%
figure = new_figure(11, 3.6)
axes = figure.subplots(1, 3)
grid = np.linspace(-2, 2, 401)
axes[0].plot(grid, np.maximum(0, grid), label="relu(x)")
axes[0].plot(grid[grid < 0], 0 * grid[grid < 0], color="C1", label="derivative")
axes[0].plot(grid[grid > 0], 1 + 0 * grid[grid > 0], color="C1")
axes[0].plot([0, 0], [0, 1], ":", color="C1")
axes[0].plot([0], [0], "o", color="C1", markersize=6)
axes[0].plot([0], [1], "o", mfc="white", color="C1", markersize=6)
axes[0].set(title="ReLU and its derivative (0 chosen at 0)", xlabel="x")
axes[0].legend(fontsize=8)
axes[1].semilogx(steps_h, right, "o-", label="right quotient → 1")
axes[1].semilogx(steps_h, left, "s-", label="left quotient → 0")
axes[1].set(title="Difference quotients at 0", xlabel="h", ylim=(-0.1, 1.1))
axes[1].invert_xaxis()
axes[1].legend(fontsize=8)
for beta in (1, 4, 16):
    axes[2].plot(grid, np.logaddexp(0, beta * grid) / beta, label=f"softplus(βx)/β, β={beta}")
axes[2].plot(grid, np.maximum(0, grid), "k--", label="relu")
axes[2].set(title="A smooth ReLU: differentiable at 0", xlabel="x")
axes[2].legend(fontsize=8)
for ax in axes:
    ax.grid(alpha=0.3)
lab.save(figure, "07_relu_differentiable.png")

lab.answer(f"No: at 0 the left derivative is 0 and the right one 1; libraries use a subgradient "
           f"(glassnet and PyTorch: 0). With random biases no pre-activation hit exactly 0 in "
           f"{steps} steps (choice irrelevant); zero biases on a zero input made "
           f"{results[True][0]} exact zeros and the choice changed the weights.")
lab.finish()
