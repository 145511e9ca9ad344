# %% [markdown]
# # 29. Can a network with only ReLU non-linearities act as a linear classifier?
#
# Yes. ReLU is linear on each side of 0, and x = relu(x) − relu(−x), so one hidden layer
# of 2k ReLU units computes any linear map of k outputs exactly:
#
#     h = relu([W·x + b ; −(W·x + b)]),    scores = [I, −I]·h = W·x + b
#
# More generally a ReLU network is piecewise linear: on each region of inputs where the
# same units are on, it *is* an affine map, and if every unit stays on over the data (large
# positive biases), it is one linear classifier there. We build both cases and measure them.

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import nn, optim
from glassnet.data import blobs
from glassnet.nn.loss import cross_entropy
from glassnet.plot.figure import new_figure

lab = Lab("29. Can a network with only ReLU non-linearities act as a linear classifier?")
X, y = blobs(60, 3, generator=np.random.default_rng(3), spread=1.2)
X = ((X - X.mean(axis=0)) / X.std(axis=0)).astype(np.float32)

# %% [markdown]
# ## A linear classifier, trained

# %%
linear = nn.Linear(2, 3, generator=np.random.default_rng(0), dtype=np.float64)
optimizer = optim.Adam(linear.parameters(), lr=0.05)
for _ in range(lab.choose(500, 150)):
    loss = cross_entropy(linear(gn.tensor(X, dtype="float64")), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
W, b = linear.weight.data, linear.bias.data

# %% [markdown]
# ## The same classifier as a ReLU network: hidden = relu([Wx + b; −(Wx + b)])

# %%
relu_net = nn.Sequential(nn.Linear(2, 6, dtype=np.float64), nn.ReLU(),
                         nn.Linear(6, 3, bias=False, dtype=np.float64))
relu_net[0].weight.data[...] = np.vstack([W, -W])
relu_net[0].bias.data[...] = np.concatenate([b, -b])
relu_net[2].weight.data[...] = np.hstack([np.eye(3), -np.eye(3)])

limit = np.abs(X).max() + 0.3
grid = np.linspace(-limit, limit, 300)
A, B = np.meshgrid(grid, grid)
points = gn.tensor(np.column_stack([A.ravel(), B.ravel()]), dtype="float64")
with gn.no_grad():
    linear_scores, relu_scores = linear(points).data, relu_net(points).data
gap = np.abs(linear_scores - relu_scores).max()
same = (linear_scores.argmax(axis=1) == relu_scores.argmax(axis=1)).mean()
lab.claim("the ReLU network computes exactly the linear classifier's scores", gap < 1e-12,
          f"max difference {gap:.1e} over {len(A.ravel())} grid points")
lab.claim("so it makes the same decisions everywhere", same == 1.0,
          f"{same:.1%} of grid points get the same class")

# %% [markdown]
# ## A ReLU network whose units all stay on is linear over the data
#
# Random weights, but biases so large that every pre-activation is positive on the data:
# then relu is the identity there, and the network equals an affine map that least squares
# recovers with zero residual. A typical random ReLU net (small biases) does not.

# %%
def affine_residual(model):
    """How far model(X) is from the best affine map of X (0: the model is affine on X)."""
    with gn.no_grad():
        out = model(gn.tensor(X, dtype="float64")).data
    design = np.hstack([X, np.ones((len(X), 1))])
    fit = design @ np.linalg.lstsq(design, out, rcond=None)[0]
    return np.abs(out - fit).max() / np.abs(out).max()


rng = np.random.default_rng(4)
always_on = nn.Sequential(nn.Linear(2, 32, generator=rng, dtype=np.float64), nn.ReLU(),
                          nn.Linear(32, 32, generator=rng, dtype=np.float64), nn.ReLU(),
                          nn.Linear(32, 3, generator=rng, dtype=np.float64))
typical = nn.Sequential(nn.Linear(2, 32, generator=rng, dtype=np.float64), nn.ReLU(),
                        nn.Linear(32, 32, generator=rng, dtype=np.float64), nn.ReLU(),
                        nn.Linear(32, 3, generator=rng, dtype=np.float64))
always_on[0].bias.data += 10.0
always_on[2].bias.data += 10.0 + np.abs(always_on[2].weight.data).sum(axis=1) * 20
on_residual, typical_residual = affine_residual(always_on), affine_residual(typical)
lab.table(["random ReLU network", "relative distance of its outputs to an affine map"],
          [["biases large: every unit on", on_residual], ["usual small biases", typical_residual]])
lab.claim("with every unit on, the ReLU network is exactly affine on the data",
          on_residual < 1e-10, f"residual {on_residual:.1e}")
lab.claim("with units switching on and off, it is not", typical_residual > 1e-3,
          f"residual {typical_residual:.1e}")

# %%
figure = new_figure(12, 4)
axes = figure.subplots(1, 3)
for ax, scores, title in ((axes[0], linear_scores, "Linear classifier Wx + b"),
                          (axes[1], relu_scores, "ReLU net: [I, −I]·relu([Wx+b; −Wx−b])")):
    ax.contourf(A, B, scores.argmax(axis=1).reshape(A.shape), levels=[-0.5, 0.5, 1.5, 2.5],
                colors=["C0", "C1", "C2"], alpha=0.25)
    for k in range(3):
        ax.scatter(*X[y == k].T, s=8, color=f"C{k}")
    ax.set(title=title, aspect="equal", xticks=[], yticks=[])
with gn.no_grad():
    on = typical[0](points).data > 0  # which of the 32 units are on, at each grid point
_, region = np.unique(on, axis=0, return_inverse=True)
axes[2].imshow(region.reshape(A.shape) % 20, cmap="tab20", origin="lower",
               extent=(-limit, limit, -limit, limit), interpolation="nearest")
axes[2].set(title=f"A random ReLU layer: {region.max() + 1} regions,\nlinear inside each",
            xticks=[], yticks=[])
lab.save(figure, "29_relu_network_linear_classifier.png")

lab.answer(f"Yes: relu(z) − relu(−z) = z, so a ReLU layer of 2k units reproduces any linear "
           f"classifier exactly (difference {gap:.0e}, {same:.0%} same decisions); and a ReLU "
           f"net whose units all stay on is affine on the data (residual {on_residual:.0e}).")
lab.finish()
