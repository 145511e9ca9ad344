# %% [markdown]
# # 15. Gradient descent vs SGD vs mini-batch SGD (with Newton and L-BFGS beside them)
#
# All three take θ ← θ − η·g; they differ in how many examples make the gradient g:
#
# - **(full-batch) gradient descent**: all N. The exact gradient, a smooth descent, but one
#   step per pass over the data and the whole data set in memory.
# - **stochastic gradient descent**: one example. N noisy steps per pass — a lot of
#   progress early, but a noise floor that only a decaying learning rate removes, and no
#   vectorization: each step pays the whole per-step overhead for one example.
# - **mini-batch SGD**: B examples (32–256). Nearly the progress per pass of SGD, the
#   speed of vectorized math, a gradient noise that shrinks as 1/B. The default.
#
# On tiny problems one can afford second-order steps: Newton's method solves the local
# quadratic model exactly (`optim.Newton`), L-BFGS estimates it from recent gradients
# (`optim.LBFGS`). We train softmax regression on Fashion-MNIST with the first three, then
# compare all five on a two-parameter logistic regression.

# %%
import time

import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import optim
from glassnet.errors import GraphError
from glassnet.nn.loss import binary_cross_entropy_with_logits, cross_entropy
from glassnet.plot.figure import new_figure

lab = Lab("15. GD vs SGD vs mini-batch SGD.")
(X, y), _, _ = lab.fashion_mnist(lab.choose(3000, 800), 10)
N, epochs = len(X), lab.choose(10, 3)
variants = {"GD (batch N, lr 0.15)": (N, 0.15), "SGD (batch 1, lr 0.005)": (1, 0.005),
            "mini-batch (64, lr 0.1)": (64, 0.1)}


def full_loss(W, b):
    with gn.no_grad():
        return cross_entropy(gn.tensor(X) @ W + b, y).item()


results = {}
for name, (batch, lr) in variants.items():
    W, b = gn.zeros(196, 10, requires_grad=True), gn.zeros(10, requires_grad=True)
    optimizer, order_rng = optim.SGD([W, b], lr=lr), np.random.default_rng(0)
    losses, seconds, steps = [full_loss(W, b)], [0.0], 0
    for _ in range(epochs):
        started = time.perf_counter()
        for idx in np.array_split(order_rng.permutation(N), N // batch):
            loss = cross_entropy(gn.tensor(X[idx]) @ W + b, y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            steps += 1
        seconds.append(seconds[-1] + time.perf_counter() - started)
        losses.append(full_loss(W, b))
    results[name] = {"losses": np.array(losses), "seconds": np.array(seconds), "steps": steps}
lab.table(["method", "steps", "loss after 1 epoch", f"after {epochs}", "seconds per epoch"],
          [[k, v["steps"], v["losses"][1], v["losses"][-1], v["seconds"][-1] / epochs]
           for k, v in results.items()])
gd, sgd, mini = results.values()
lab.claim("per pass over the data, SGD and mini-batch make far more progress than GD",
          max(sgd["losses"][1], mini["losses"][1]) < gd["losses"][1],
          f"loss after one epoch: GD {gd['losses'][1]:.3f}, SGD {sgd['losses'][1]:.3f}, "
          f"mini-batch {mini['losses'][1]:.3f}")
lab.claim("GD's exact gradient descends smoothly: its loss never goes up",
          np.all(np.diff(gd["losses"]) <= 0), f"epoch losses {np.round(gd['losses'], 3)}")
speedup = (sgd["seconds"][-1]) / (mini["seconds"][-1])
lab.claim("batch-1 SGD pays the per-step overhead for every example: an epoch takes much "
          "longer than with mini-batches", speedup > 5,
          f"{sgd['seconds'][-1] / epochs:.3f} s vs {mini['seconds'][-1] / epochs:.3f} s per "
          f"epoch ({speedup:.0f}×)")

# %% [markdown]
# ## A tiny problem: logistic regression with two weights; GD, Newton, L-BFGS

# %%
rng = np.random.default_rng(1)
points = rng.standard_normal((200, 2)) * [1.0, 3.0]  # badly scaled features
labels = (points @ [1.5, -0.4] + 0.8 * rng.standard_normal(200) > 0).astype(np.float64)
P = gn.tensor(points, dtype="float64")


def logistic(w):
    return binary_cross_entropy_with_logits(P @ w, labels)


def closure_for(w, path):
    def closure():
        loss = logistic(w)
        loss.backward()
        path.append(w.data.copy())
        return loss
    return closure


def gradient_norm(w):
    probe = gn.tensor(w, dtype="float64", requires_grad=True)
    logistic(probe).backward()
    return float(np.linalg.norm(probe.grad))


start = np.array([0.0, 0.0])
paths, iterations = {}, {}
for name in ("GD (lr 1)", "Newton", "L-BFGS"):
    w = gn.tensor(start, dtype="float64", requires_grad=True)
    path = [w.data.copy()]
    if name == "Newton":
        optimizer = optim.Newton([w])
        for k in range(1, 50):  # noqa: B007 - k is read after the loop
            optimizer.step(closure_for(w, []))
            path.append(w.data.copy())
            if gradient_norm(w.data) < 1e-10:
                break
    elif name == "L-BFGS":
        optimizer = optim.LBFGS([w], max_iter=100, tolerance_grad=1e-11, tolerance_change=0)
        optimizer.step(closure_for(w, path))
        k = optimizer.result.nit
    else:
        optimizer = optim.SGD([w], lr=1.0)
        for k in range(1, 20001):  # noqa: B007 - k is read after the loop
            optimizer.zero_grad()
            logistic(w).backward()
            optimizer.step()
            path.append(w.data.copy())
            if np.linalg.norm(w.grad) < 1e-10:  # the gradient at the point before the step
                break
    paths[name], iterations[name] = np.array(path), k
solution = paths["Newton"][-1]

# Pure Newton trusts its quadratic model everywhere; far from the minimum that can fail.
far = gn.tensor([-1.0, 1.0], dtype="float64", requires_grad=True)
far_newton = optim.Newton([far])
try:
    for _ in range(5):
        far_newton.step(closure_for(far, []))
    far_outcome = f"ended at {np.round(far.data, 1)}"
except GraphError as error:
    far_outcome = f"stopped: {str(error).split(',')[0]} at {np.round(far.data, 1)}"
far_distance = float(np.linalg.norm(far.data - solution))
lab.table(["method", "iterations to ‖∇L‖ < 1e-10", "distance to the Newton solution"],
          [[k, iterations[k], np.linalg.norm(paths[k][-1] - solution)] for k in paths])
lab.claim("Newton's method converges in a handful of steps (quadratic convergence)",
          iterations["Newton"] <= 10, f"{iterations['Newton']} steps")
lab.claim("but pure Newton started far away, at (−1, 1), overshoots: it needs damping or a "
          "line search (which L-BFGS has)", far_distance > 10,
          f"{far_outcome}; the minimum is at {np.round(solution, 2)}")
lab.claim("L-BFGS needs a few more steps, gradient descent orders of magnitude more",
          iterations["Newton"] <= iterations["L-BFGS"] < iterations["GD (lr 1)"] / 10,
          f"L-BFGS {iterations['L-BFGS']} iterations, GD {iterations['GD (lr 1)']}")

# %%
figure = new_figure(12, 4)
axes = figure.subplots(1, 3)
for name, r in results.items():
    axes[0].plot(np.arange(epochs + 1), r["losses"], "o-", markersize=3, label=name)
    axes[1].semilogx(r["seconds"][1:], r["losses"][1:], "o-", markersize=3, label=name)
axes[0].set(xlabel="epoch (passes over the data)", ylabel="training loss",
            title="Softmax regression, Fashion-MNIST")
axes[1].set(xlabel="seconds (log scale)", ylabel="training loss",
            title="The same against time (one point per epoch)")
grid_w1 = np.linspace(-2.5, 4, 120)
grid_w2 = np.linspace(-1.5, 2.5, 120)
A, B = np.meshgrid(grid_w1, grid_w2)
logits = points @ np.stack([A.ravel(), B.ravel()])  # the loss at every grid point at once
surface = (np.maximum(logits, 0) - logits * labels[:, None]
           + np.log1p(np.exp(-np.abs(logits)))).mean(axis=0).reshape(A.shape)
axes[2].contour(A, B, surface, levels=np.geomspace(surface.min() * 1.01, surface.max(), 15),
                colors="0.75")
for index, (name, path) in enumerate(paths.items()):
    shown = path if len(path) < 400 else path[np.unique(np.geomspace(1, len(path), 300)
                                                       .astype(int)) - 1]
    axes[2].plot(shown[:, 0], shown[:, 1], ".-", markersize=3, color=f"C{index + 3}",
                 label=f"{name}: {iterations[name]} iterations")
axes[2].set(xlabel="w₁", ylabel="w₂", title="Two-weight logistic regression")
for ax in axes:
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
lab.save(figure, "15_gd_vs_sgd_vs_minibatch.png")

lab.answer(f"GD uses all N examples per step (exact, smooth, one step per epoch: loss "
           f"{gd['losses'][1]:.2f} after one epoch), SGD one (noisy, {sgd['losses'][1]:.2f} but "
           f"{speedup:.0f}× slower per epoch), mini-batch B (≈ SGD's progress at vectorized speed: "
           f"{mini['losses'][1]:.2f}). On a 2-weight problem Newton took "
           f"{iterations['Newton']} steps, L-BFGS {iterations['L-BFGS']}, GD "
           f"{iterations['GD (lr 1)']}.")
lab.finish()
