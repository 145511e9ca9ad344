# %% [markdown]
# # 31. Why not initialize all the weights to zero?
#
# Because units that start equal stay equal. If every hidden unit has the same incoming
# and outgoing weights, each computes the same activation, receives the same gradient and
# takes the same step — for ever: the layer behaves like a single unit (the symmetry is
# never broken). With exactly zero weights it is worse for ReLU and tanh: h = act(0) = 0,
# so the output weights get no gradient, the hidden weights get W2ᵀ·δ = 0, and only the
# output bias ever learns. Random initialization breaks the symmetry. We train the same
# 2-32-3 ReLU network on the spiral from four starts and look at the weights afterwards.

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import nn, optim
from glassnet.data import spiral
from glassnet.nn.loss import cross_entropy
from glassnet.plot.figure import new_figure

lab = Lab("31. Why not initialize all weights to zero?")
X, y = spiral(100, 3, noise=0.1, generator=np.random.default_rng(0))
steps = lab.choose(1500, 400)


def make(start):
    model = nn.Sequential(nn.Linear(2, 32, generator=np.random.default_rng(1)), nn.ReLU(),
                          nn.Linear(32, 3, generator=np.random.default_rng(2)))
    if start != "random":
        value = 0.0 if start == "zeros" else 0.3
        for p in model.parameters():
            p.data[...] = value
        if start == "constant + 1e-3 noise":
            for p in model.parameters():
                p.data += 1e-3 * np.random.default_rng(3).standard_normal(p.shape)
    return model


def unit_spread(model):
    """How different the hidden units are: the largest gap between two units' weights."""
    incoming = np.column_stack([model[0].weight.data, model[0].bias.data])  # (32, 3)
    outgoing = model[2].weight.data.T  # (32, 3)
    units = np.hstack([incoming, outgoing])
    return float(np.abs(units - units[0]).max())


results = {}
for start in ("zeros", "constant 0.3", "constant + 1e-3 noise", "random"):
    model = make(start)
    spread_before = unit_spread(model)
    optimizer = optim.Adam(model.parameters(), lr=0.02)
    for _ in range(steps):
        loss = cross_entropy(model(gn.tensor(X)), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with gn.no_grad():
        accuracy = float((model(gn.tensor(X)).data.argmax(axis=1) == y).mean())
    rank = np.linalg.matrix_rank(model[0].weight.data, tol=1e-4)
    results[start] = (model, spread_before, unit_spread(model), rank, accuracy)

lab.table(["start", "unit spread before", "after training", "rank of W1", "accuracy"],
          [[k, f"{b:.1e}", f"{a:.1e}", r, acc] for k, (_, b, a, r, acc) in results.items()])
zeros, constant, noisy, random = results.values()
largest = max(np.abs(p.data).max() for p in (zeros[0][0].weight, zeros[0][2].weight))
lab.claim("from zeros, the weights never move: only the output bias learns",
          largest == 0.0, f"largest |weight| after {steps} steps: {largest}")
lab.claim("so the zero-initialized network predicts one class: chance level",
          zeros[4] <= 0.34, f"accuracy {zeros[4]:.3f} (3 balanced classes: 1/3)")
lab.claim("from a constant, the 32 hidden units stay identical: the layer acts as one unit",
          constant[2] < 1e-5 and constant[3] == 1,
          f"largest difference between units {constant[2]:.1e}, rank of W1 {constant[3]}")
lab.claim("a tiny random difference is enough to break the symmetry: it grows",
          noisy[2] > 100 * noisy[1], f"unit spread {noisy[1]:.1e} → {noisy[2]:.2f}")
lab.claim("random initialization learns the spiral far better than either symmetric start",
          random[4] >= max(zeros[4], constant[4]) + 0.2,
          f"accuracy {random[4]:.3f} vs {constant[4]:.3f} (constant), {zeros[4]:.3f} (zeros)")

# %%
figure = new_figure(12, 6)
axes = figure.subplots(2, 4, height_ratios=[1, 1.6])
grid = np.linspace(-1.1, 1.1, 200)
A, B = np.meshgrid(grid, grid)
points = gn.tensor(np.column_stack([A.ravel(), B.ravel()]))
for k, (start, (model, _, _, rank, accuracy)) in enumerate(results.items()):
    weights = model[0].weight.data.T  # (2, 32): one column per hidden unit
    limit = max(np.abs(weights).max(), 1e-9)
    axes[0, k].imshow(weights, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
    axes[0, k].set(title=f"{start}\nW1 after training (rank {rank})", xlabel="hidden unit",
                   yticks=[0, 1], yticklabels=["x1", "x2"])
    with gn.no_grad():
        regions = model(points).data.argmax(axis=1).reshape(A.shape)
    axes[1, k].contourf(A, B, regions, levels=[-0.5, 0.5, 1.5, 2.5],
                        colors=["C0", "C1", "C2"], alpha=0.25)
    for c in range(3):
        axes[1, k].scatter(*X[y == c].T, s=4, color=f"C{c}")
    axes[1, k].set(title=f"accuracy {accuracy:.0%}", aspect="equal", xticks=[], yticks=[])
lab.save(figure, "31_zero_initialization.png")

lab.answer(f"Identical units get identical gradients and stay identical: from zeros a ReLU "
           f"net's weights never moved ({zeros[4]:.0%}, chance), from a constant all 32 units "
           f"stayed one (rank {constant[3]}, {constant[4]:.0%}); random init broke the symmetry "
           f"({random[4]:.0%}).")
lab.finish()
