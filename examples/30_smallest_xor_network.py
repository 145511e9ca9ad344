# %% [markdown]
# # 30. The smallest network that computes XOR
#
# Two hidden ReLU units suffice:
#
#     h1 = relu(x1 + x2),   h2 = relu(x1 + x2 − 1),   y = h1 − 2·h2
#
# gives y = 0, 1, 1, 0 on (0,0), (0,1), (1,0), (1,1). One hidden unit cannot: the output is
# then a monotone function of the single number t = w·x + b, so "class 1" is a half-plane
# t > τ (or t < τ) — a linear separator. And no half-plane splits XOR, because for every
# w, b:  t(0,1) + t(1,0) = t(0,0) + t(1,1) (both are w1 + w2 + 2b), whereas class 1 above τ
# and class 0 below would need the left side > 2τ ≥ the right side. A connection from the
# inputs straight to the output (a skip) changes that: y = x1 + x2 − 2·relu(x1 + x2 − 1)
# uses a single hidden unit. We check the construction, the identity, an exhaustive search
# over small integer weights, and training from random starts.

# %%
import itertools

import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import optim
from glassnet.nn.loss import binary_cross_entropy_with_logits
from glassnet.plot.figure import new_figure

lab = Lab("30. The smallest network that computes XOR (and why a smaller one cannot).")
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
xor = np.array([0, 1, 1, 0])


def relu(z):
    return np.maximum(0, z)


# %% [markdown]
# ## The 2-2-1 construction and the identity behind the proof

# %%
hidden = relu(X @ np.array([[1, 1], [1, 1]]) + np.array([0, -1]))
y_built = hidden @ np.array([1, -2])
lab.claim("relu(x1+x2) − 2·relu(x1+x2−1) computes XOR exactly", np.array_equal(y_built, xor),
          f"outputs {y_built.tolist()} for (0,0), (0,1), (1,0), (1,1)")

w, b = np.random.default_rng(0).standard_normal((100_000, 2)), np.random.default_rng(1).normal(
    size=100_000)
t = X @ w.T + b  # t for the 4 corners, 100 000 random (w, b)
identity_gap = np.abs((t[1] + t[2]) - (t[0] + t[3])).max()
lab.claim("for every w, b: t(0,1) + t(1,0) = t(0,0) + t(1,1), so no threshold on one t "
          "separates XOR", identity_gap < 1e-12,
          f"max |difference| {identity_gap:.1e} over 100 000 random (w, b)")

# %% [markdown]
# ## Proof by search: every network with integer weights in {−2, …, 2}
#
# The output is read as class 1 when it is above ½. We count the weight settings that
# classify all four corners right.

# %%
values = np.arange(-2, 3, dtype=np.float64)


def grid(n):
    """All n-tuples of weights from ``values``, as an array of shape (5**n, n)."""
    return np.array(list(itertools.product(values, repeat=n)))


def solutions_one_unit(skip):
    # weights: w1, w2, b, a, c (and s1, s2 for the skip): y = a·relu(w·x + b) + c [+ s·x]
    weights = grid(7 if skip else 5)
    h = relu(X @ weights[:, :2].T + weights[:, 2])  # (4, settings)
    y = weights[:, 3] * h + weights[:, 4]
    if skip:
        y = y + X @ weights[:, 5:7].T
    return int(np.all((y > 0.5) == xor[:, None], axis=0).sum()), len(weights)


def solutions_two_units():
    # weights: W (2×2), b (2), a (2), c: y = a·relu(W·x + b) + c, searched in chunks
    first = grid(6)  # W11, W12, W21, W22, b1, b2
    h1 = relu(X @ first[:, [0, 1]].T + first[:, 4])
    h2 = relu(X @ first[:, [2, 3]].T + first[:, 5])
    count = 0
    for a1, a2, c in itertools.product(values, repeat=3):
        y = a1 * h1 + a2 * h2 + c
        count += int(np.all((y > 0.5) == xor[:, None], axis=0).sum())
    return count, len(first) * 125


searches = {"2-1-1 (one hidden unit)": solutions_one_unit(skip=False),
            "2-1-1 with input→output skip": solutions_one_unit(skip=True),
            "2-2-1 (two hidden units)": solutions_two_units()}
lab.table(["architecture", "weight settings searched", "settings computing XOR"],
          [[name, total, found] for name, (found, total) in searches.items()])
one, skip, two = (found for found, _ in searches.values())
lab.claim("no setting of a one-hidden-unit network computes XOR", one == 0,
          f"0 expected, {one} found among {searches['2-1-1 (one hidden unit)'][1]}")
lab.claim("two hidden units, or one unit plus a skip connection, do", two > 0 and skip > 0,
          f"{two} settings with two units, {skip} with one unit and a skip")

# %% [markdown]
# ## Training from random starts (Adam, binary cross-entropy)
#
# Many small networks train at once: every weight gets a leading "start" axis, the batched
# matrix products keep the networks apart, and the loss is their sum, so each network gets
# exactly the gradient (and, Adam being element-wise, the updates) it would get alone.

# %%
starts, steps = lab.choose(200, 100), 500


def train_many(width, seed=0):
    """Train ``starts`` 2-width-1 ReLU networks from PyTorch-style random starts."""
    rng = np.random.default_rng(seed)
    shapes = [(2, width, 2), (1, width, 2), (width, 1, width), (1, 1, width)]
    params = [gn.tensor(rng.uniform(-1, 1, (starts, rows, cols)) / np.sqrt(fan_in),
                        requires_grad=True) for rows, cols, fan_in in shapes]
    W1, b1, W2, b2 = params
    optimizer = optim.Adam(params, lr=0.05)
    targets = np.broadcast_to(xor[None, :, None], (starts, 4, 1)).astype(np.float32)
    for _ in range(steps):
        logits = gn.relu(gn.tensor(X) @ W1 + b1) @ W2 + b2  # (starts, 4, 1)
        loss = binary_cross_entropy_with_logits(logits, targets, reduction="sum") / 4
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return ((logits.data[..., 0] > 0) == xor).mean(axis=1)


accuracies = {width: train_many(width) for width in (1, 2, 3, 4)}
lab.table(["hidden units", "best accuracy", f"starts reaching 100% (of {starts})"],
          [[w, a.max(), f"{(a == 1).mean():.0%}"] for w, a in accuracies.items()])
lab.claim("trained one-unit networks never get past 3 of the 4 corners",
          accuracies[1].max() <= 0.75, f"best {accuracies[1].max():.2f} over {starts} starts")
lab.claim("trained two-unit networks can learn XOR, though not from every start",
          0 < (accuracies[2] == 1).mean() < 1,
          f"{(accuracies[2] == 1).mean():.0%} of starts reach 100% (wider: "
          f"{(accuracies[4] == 1).mean():.0%} with 4 units)")

# %%
figure = new_figure(12, 3.8)
axes = figure.subplots(1, 3)
g = np.linspace(-0.5, 1.5, 300)
A, B = np.meshgrid(g, g)
field = relu(A + B) - 2 * relu(A + B - 1)
image = axes[0].contourf(A, B, field, levels=20, cmap="RdBu_r")
axes[0].contour(A, B, field, levels=[0.5], colors="k")
axes[0].scatter(*X.T, c=xor, cmap="coolwarm", edgecolors="k", s=80, zorder=3)
axes[0].set(title="relu(x1+x2) − 2·relu(x1+x2−1)\n(black: the 0.5 level)", aspect="equal")
figure.colorbar(image, ax=axes[0], shrink=0.8)
names = list(searches)
counts = [max(found, 0.8) for found, _ in searches.values()]
axes[1].bar(range(3), counts, color=["C3", "C2", "C0"])
axes[1].set_yscale("log")
axes[1].set_ylim(0.5, max(counts) * 8)
axes[1].set(xticks=range(3), xticklabels=["1 unit", "1 unit\n+ skip", "2 units"],
            ylabel="weight settings computing XOR", title="Exhaustive search, weights in {−2..2}")
for i, (found, _) in enumerate(searches.values()):
    axes[1].text(i, counts[i] * 1.3, str(found), ha="center")
levels = [0.25, 0.5, 0.75, 1.0]
bottom = np.zeros(len(accuracies))
for level, color in zip(levels, ["0.85", "0.7", "C1", "C2"]):
    share = np.array([(a == level).mean() for a in accuracies.values()])
    axes[2].bar(range(len(accuracies)), share, bottom=bottom, color=color,
                label=f"{int(level * 4)} of 4 corners")
    bottom += share
axes[2].set(xticks=range(len(accuracies)), xticklabels=[f"{w} hidden" for w in accuracies],
            ylabel="share of random starts", title=f"After training, {starts} starts each",
            ylim=(0, 1.28), yticks=[0, 0.25, 0.5, 0.75, 1.0])
axes[2].legend(fontsize=7, loc="upper center", ncol=2)
lab.save(figure, "30_smallest_xor_network.png")

lab.answer(f"2-2-1 with ReLU: y = relu(x1+x2) − 2·relu(x1+x2−1). One hidden unit cannot "
           f"(the output thresholds a single w·x+b, and t(0,1)+t(1,0) = t(0,0)+t(1,1)): 0 of "
           f"{searches[names[0]][1]} integer settings work vs {two} with two units; with an "
           "input→output skip one unit suffices.")
lab.finish()
