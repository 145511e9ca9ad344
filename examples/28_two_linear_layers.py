# %% [markdown]
# # 28. Why not two linear layers in a row?
#
# With nothing between them, two linear layers are one:
#
#     W2(W1·x + b1) + b2 = (W2·W1)·x + (W2·b1 + b2) = W·x + b
#
# so the stack has more parameters but computes only what a single layer can — and when
# the middle is narrower than both ends, even less: W = W2·W1 has rank at most the middle
# width. We check the product exactly, then train three models on the spiral: one linear
# layer, two stacked linear layers, and two layers with a ReLU between them.

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import nn, optim
from glassnet.data import spiral
from glassnet.nn.loss import cross_entropy
from glassnet.plot.figure import new_figure

lab = Lab("28. Why not two linear layers in a row?")

# %% [markdown]
# ## The product, exactly

# %%
rng = np.random.default_rng(0)
stack = nn.Sequential(nn.Linear(5, 16, generator=rng, dtype=np.float64),
                      nn.Linear(16, 3, generator=rng, dtype=np.float64))
W1, b1, W2, b2 = (p.data for p in stack.parameters())
W, b = W2 @ W1, W2 @ b1 + b2
x = rng.standard_normal((100, 5))
difference = np.abs(stack(gn.tensor(x, dtype="float64")).data - (x @ W.T + b)).max()
lab.claim("the two stacked layers equal one layer with W = W2·W1, b = W2·b1 + b2",
          difference < 1e-12, f"max difference {difference:.1e} over 100 inputs (float64)")
print(f"parameters: stack {sum(p.size for p in stack.parameters())}, "
      f"the single layer it equals {W.size + b.size}")

bottleneck = nn.Sequential(nn.Linear(10, 2, generator=rng, dtype=np.float64),
                           nn.Linear(2, 10, generator=rng, dtype=np.float64))
product = bottleneck[1].weight.data @ bottleneck[0].weight.data
rank = np.linalg.matrix_rank(product)
lab.claim("through a 2-wide middle, the 10→10 map has rank 2: less than one 10×10 layer",
          rank == 2, f"rank of W2·W1 = {rank} (a 10×10 layer can have rank 10)")

# %% [markdown]
# ## Training on the spiral: stacking linear layers adds nothing

# %%
X, y = spiral(100, 3, generator=np.random.default_rng(1))
steps = lab.choose(1000, 300)


def train(model):
    optimizer = optim.Adam(model.parameters(), lr=0.02)
    for _ in range(steps):
        loss = cross_entropy(model(gn.tensor(X)), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with gn.no_grad():
        accuracy = (model(gn.tensor(X)).data.argmax(axis=1) == y).mean()
    return model, float(accuracy), loss.item()


rng = np.random.default_rng(2)
models = {
    "one linear layer": nn.Linear(2, 3, generator=rng),
    "linear → linear (64 wide)": nn.Sequential(nn.Linear(2, 64, generator=rng),
                                               nn.Linear(64, 3, generator=rng)),
    "linear → ReLU → linear": nn.Sequential(nn.Linear(2, 64, generator=rng), nn.ReLU(),
                                            nn.Linear(64, 3, generator=rng)),
}
results = {name: train(model) for name, model in models.items()}
lab.table(["model", "parameters", "training accuracy", "loss"],
          [[name, sum(p.size for p in models[name].parameters()), acc, loss]
           for name, (_, acc, loss) in results.items()])
single, double, relu = (results[name][1] for name in models)
lab.claim("two linear layers learn no more than one", abs(double - single) <= 0.03,
          f"accuracy {double:.3f} vs {single:.3f}")
lab.claim("a ReLU between them makes the difference", relu >= double + 0.2,
          f"accuracy {relu:.3f} vs {double:.3f}")
trained = models["linear → linear (64 wide)"]
W_trained = trained[1].weight.data @ trained[0].weight.data
with gn.no_grad():
    collapsed = np.abs(trained(gn.tensor(X)).data
                       - (X @ W_trained.T + trained[1].weight.data @ trained[0].bias.data
                          + trained[1].bias.data)).max()
lab.claim("after training, the stack still equals its one-layer product", collapsed < 1e-5,
          f"max difference {collapsed:.1e} (float32)")

# %%
figure = new_figure(12, 4)
axes = figure.subplots(1, 3)
grid = np.linspace(-1.1, 1.1, 250)
A, B = np.meshgrid(grid, grid)
points = gn.tensor(np.column_stack([A.ravel(), B.ravel()]))
for ax, (name, (model, accuracy, _)) in zip(axes, results.items()):
    with gn.no_grad():
        regions = model(points).data.argmax(axis=1).reshape(A.shape)
    ax.contourf(A, B, regions, levels=[-0.5, 0.5, 1.5, 2.5], colors=["C0", "C1", "C2"],
                alpha=0.25)
    for k in range(3):
        ax.scatter(*X[y == k].T, s=6, color=f"C{k}")
    ax.set(title=f"{name}\naccuracy {accuracy:.0%}", aspect="equal", xticks=[], yticks=[])
lab.save(figure, "28_two_linear_layers.png")

lab.answer(f"Two linear layers collapse into one (W=W2·W1, b=W2·b1+b2; difference "
           f"{difference:.0e}): more parameters, same function class (spiral accuracy "
           f"{double:.0%} vs {single:.0%} for one layer, {relu:.0%} with a ReLU between), and "
           "a narrow middle only lowers the rank.")
lab.finish()
