# %% [markdown]
# # 8. The derivative of the sigmoid when x is a vector
#
# σ acts element by element: y_i = σ(x_i) depends on x_i only. So the derivative of the
# vector y with respect to the vector x, the Jacobian J_ij = ∂y_i/∂x_j, is diagonal:
#
#     J = diag(σ(x) ⊙ (1 − σ(x)))
#
# with diagonal entries at most 1/4 (at x_i = 0). Backpropagation never builds J: it
# multiplies the upstream gradient element-wise, Jᵀg = g ⊙ σ(x) ⊙ (1 − σ(x)). Contrast the
# softmax, whose outputs share one normalizer: its Jacobian diag(s) − s·sᵀ is full.
# We compute both Jacobians with `gn.jacobian` (one backward pass per output) and check them
# against the formulas and against centered differences.

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet.plot.figure import new_figure

lab = Lab("8. The derivative (Jacobian) of the sigmoid for a vector input.")
x = np.array([-4.0, -1.5, -0.3, 0.0, 0.8, 2.0, 5.0])
s = 1 / (1 + np.exp(-x))

J = gn.jacobian(gn.sigmoid, x)
off_diagonal = np.abs(J - np.diag(np.diag(J))).max()
diagonal_gap = np.abs(np.diag(J) - s * (1 - s)).max()
lab.table(["x_i", "σ(x_i)", "J_ii (engine)", "σ(1 − σ)"],
          [[a, b, c, d] for a, b, c, d in zip(x, s, np.diag(J), s * (1 - s))])
lab.claim("the Jacobian of the sigmoid of a vector is diagonal", off_diagonal == 0,
          f"largest off-diagonal entry {off_diagonal:.1e}")
lab.claim("its diagonal is σ(x)(1 − σ(x))", diagonal_gap < 1e-15,
          f"max difference from the formula {diagonal_gap:.1e}")

# %% [markdown]
# ## Centered differences, one column per input

# %%
eps = 1e-6
numeric = np.column_stack([
    (1 / (1 + np.exp(-(x + eps * e))) - 1 / (1 + np.exp(-(x - eps * e)))) / (2 * eps)
    for e in np.eye(len(x))
])
numeric_gap = np.abs(numeric - J).max()
lab.claim("the engine's Jacobian matches centered differences", numeric_gap < 1e-9,
          f"max difference {numeric_gap:.1e}")

grid = np.linspace(-8, 8, 16001)
derivative = gn.jacobian(gn.sigmoid, grid[:1]).item()  # one point through the engine …
slopes = (1 / (1 + np.exp(-grid))) * (1 - 1 / (1 + np.exp(-grid)))  # … and all by formula
lab.claim("the sigmoid's slope is at most 1/4, reached at 0 (a gradient through a sigmoid is "
          "multiplied by at most 1/4)",
          abs(slopes.max() - 0.25) < 1e-12 and grid[slopes.argmax()] == 0,
          f"max slope {slopes.max():.6f} at x = {grid[slopes.argmax()]:.3f}; "
          f"slope at x = -8: {derivative:.2e}")

# %% [markdown]
# ## Backward uses Jᵀg = g ⊙ σ(1 − σ), an O(n) product, never the n×n matrix

# %%
g = np.random.default_rng(0).standard_normal(len(x))
x_tensor = gn.tensor(x, dtype="float64", requires_grad=True)
gn.sigmoid(x_tensor).backward(g)
vjp_gap = np.abs(x_tensor.grad - J.T @ g).max()
lab.claim("the backward pass equals Jᵀg computed with the full matrix", vjp_gap < 1e-15,
          f"max difference {vjp_gap:.1e}")

z = x / 4  # milder scores, so that no single class takes all the probability
J_softmax = gn.jacobian(lambda t: gn.ops.softmax(t, axis=0), z)
p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
softmax_gap = np.abs(J_softmax - (np.diag(p) - np.outer(p, p))).max()
lab.claim("the softmax Jacobian, by contrast, is full: diag(s) − s·sᵀ, rows summing to 0",
          softmax_gap < 1e-15 and np.abs(J_softmax.sum(axis=1)).max() < 1e-15,
          f"max difference {softmax_gap:.1e}; "
          f"{int(np.count_nonzero(np.abs(J_softmax) > 1e-12))} of {J_softmax.size} entries "
          "non-zero")

# %%
figure = new_figure(12, 3.7)
axes = figure.subplots(1, 3)
axes[0].plot(grid, 1 / (1 + np.exp(-grid)), label="σ(x)")
axes[0].plot(grid, slopes, label="σ'(x) = σ(1 − σ)")
axes[0].axhline(0.25, color="0.6", linestyle=":")
axes[0].set(title="The sigmoid and its slope (≤ 1/4)", xlabel="x")
axes[0].legend(fontsize=8)
axes[0].grid(alpha=0.3)
labels = [f"{v:g}" for v in x]
for ax, matrix, title in ((axes[1], J, "Jacobian of σ(x): diagonal"),
                          (axes[2], J_softmax, "Jacobian of softmax(x/4): full")):
    limit = np.abs(matrix).max()
    image = ax.imshow(matrix, cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set(title=title, xlabel="x_j", ylabel="y_i", xticks=range(len(x)),
           yticks=range(len(x)), xticklabels=labels, yticklabels=labels)
    figure.colorbar(image, ax=ax, shrink=0.8)
lab.save(figure, "08_sigmoid_jacobian.png")

lab.answer("J = diag(σ(x)⊙(1−σ(x))): diagonal because σ acts element-wise, entries ≤ 1/4; "
           f"gn.jacobian matches the formula to {diagonal_gap:.0e} and backward computes "
           "g⊙σ(1−σ) without building J (softmax's Jacobian diag(s)−ssᵀ is full).")
lab.finish()
