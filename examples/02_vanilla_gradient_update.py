# %% [markdown]
# # 2. Write the vanilla gradient update
#
# The whole of "vanilla" gradient descent is one line per parameter:
#
#     θ ← θ − η · ∇θ L(θ)
#
# (in NumPy: `W -= lr * dW`). No momentum, no per-parameter scaling, no schedule. Below we
# write it by hand for a softmax classifier, check that it is exactly what `optim.SGD` does,
# and then look at the one thing it leaves to us, the step size η: on a quadratic with
# curvatures λ, each step multiplies the error along an eigenvector by (1 − ηλ), so the
# update converges only when η < 2/λ_max.

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import optim
from glassnet.data import blobs
from glassnet.nn.loss import cross_entropy
from glassnet.plot.figure import new_figure

lab = Lab("2. Write the vanilla gradient update.")
steps = lab.choose(200, 60)

# %% [markdown]
# ## The update by hand, and the same with `optim.SGD`

# %%
X, y = blobs(100, 3, generator=np.random.default_rng(0))
X = gn.tensor((X - X.mean(axis=0)) / X.std(axis=0))
rng = np.random.default_rng(1)
W0, b0 = 0.01 * rng.standard_normal((2, 3)), np.zeros(3)
lr = 0.5


def loss_of(W, b):
    return cross_entropy(X @ W + b, y)


# By hand: forward, backward, then θ ← θ − η·∇θ for every parameter.
W, b = gn.tensor(W0, requires_grad=True), gn.tensor(b0, requires_grad=True)
losses = []
for _ in range(steps):
    W.grad = b.grad = None
    loss = loss_of(W, b)
    loss.backward()
    W.data -= lr * W.grad  # the vanilla gradient update
    b.data -= lr * b.grad
    losses.append(loss.item())

# The library's SGD (no momentum, no weight decay) from the same start.
W_sgd, b_sgd = gn.tensor(W0, requires_grad=True), gn.tensor(b0, requires_grad=True)
sgd = optim.SGD([W_sgd, b_sgd], lr=lr)
for _ in range(steps):
    sgd.zero_grad()
    loss_of(W_sgd, b_sgd).backward()
    sgd.step()

difference = max(np.abs(W.data - W_sgd.data).max(), np.abs(b.data - b_sgd.data).max())
increases = int(np.sum(np.diff(losses) > 0))
print(f"softmax regression on 3 blobs, {steps} steps of lr={lr}: loss {losses[0]:.4f} → "
      f"{losses[-1]:.4f}")
lab.claim("the hand-written update and optim.SGD give identical weights", difference == 0.0,
          f"max difference {difference:.1e} after {steps} steps")
lab.claim("with a small enough step the loss never goes up on this convex problem",
          increases == 0, f"{increases} increases in {steps} steps")

# %% [markdown]
# ## The step size on a quadratic: λ = 1 and λ = 10, so η must stay below 2/10

# %%
curvatures = np.array([1.0, 10.0])
rates = {"η = 0.02 (too small)": 0.02, "η = 0.18 (best: 2/(1+10))": 2 / 11,
         "η = 0.19 (oscillates)": 0.19, "η = 0.21 (diverges)": 0.21}
paths = {}
for name, eta in rates.items():
    theta = gn.tensor([-9.0, 1.0], dtype="float64", requires_grad=True)
    path = [theta.data.copy()]
    for _ in range(30):
        theta.grad = None
        (0.5 * (curvatures * theta * theta).sum()).backward()
        theta.data -= eta * theta.grad
        path.append(theta.data.copy())
    paths[name] = np.array(path)

rows, errors = [], []
for name, eta in rates.items():
    path = paths[name]
    measured = path[1] / path[0]  # the factor of one step, per eigen-direction
    predicted = 1 - eta * curvatures
    errors.append(np.abs(measured - predicted).max())
    rows.append([name, *predicted, *measured, np.linalg.norm(path[-1])])
lab.table(["step size", "1 − η·1", "1 − η·10", "measured θ₁ factor", "θ₂ factor",
           "‖θ‖ after 30"], rows)
oscillating, diverging = (paths[k] for k in list(rates)[2:])
lab.claim("below 2/λ_max = 0.2 the iterates converge, above it they diverge",
          np.linalg.norm(oscillating[-1]) < 1.0 < np.linalg.norm(diverging[-1]) / 5,
          f"‖θ‖ after 30 steps: η=0.19 → {np.linalg.norm(oscillating[-1]):.3g}, "
          f"η=0.21 → {np.linalg.norm(diverging[-1]):.3g} (start 9.06)")
lab.claim("each step multiplies the error along curvature λ by exactly (1 − ηλ)",
          max(errors) < 1e-9, f"largest difference between measured and predicted factors "
          f"{max(errors):.1e}")

# %%
figure = new_figure(11, 4.2)
left, right = figure.subplots(1, 2)
grid = np.linspace(-10, 10, 200)
A, B = np.meshgrid(grid, np.linspace(-6, 6, 200))
left.contour(A, B, 0.5 * (A**2 + 10 * B**2), levels=np.geomspace(0.05, 150, 12), colors="0.8")
for name, path in paths.items():
    left.plot(path[:19, 0], path[:19, 1], ".-", label=name, markersize=4, linewidth=1)
left.set(xlim=(-10, 10), ylim=(-6, 6), xlabel="θ₁ (λ = 1)", ylabel="θ₂ (λ = 10)",
         title="18 steps of θ ← θ − η∇L on L = ½(θ₁² + 10θ₂²)")
left.legend(fontsize=8, loc="lower right")
right.semilogy(losses, color="C0")
right.set(xlabel="step", ylabel="cross-entropy loss",
          title=f"Softmax regression, hand update (lr = {lr})")
right.grid(alpha=0.3)
lab.save(figure, "02_vanilla_gradient_update.png")

lab.answer(f"θ ← θ − η·∇θL (W -= lr * dW); it equals optim.SGD exactly (difference "
           f"{difference:.0e}) and converges on a quadratic only for η < 2/λ_max: η=0.19 "
           f"shrank ‖θ‖ to {np.linalg.norm(oscillating[-1]):.2g}, η=0.21 grew it to "
           f"{np.linalg.norm(diverging[-1]):.2g}.")
lab.finish()
