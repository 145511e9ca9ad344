# %% [markdown]
# # 6. Pros and cons of each activation function — measured
#
# The usual list, each point measured here instead of asserted:
#
# - **sigmoid**: + output in (0, 1), a probability. − Saturates (slope ≤ 1/4, ≈ 0 for
#   large |x|); outputs all positive (not zero-centred); deep stacks lose the gradient;
#   exp is costly.
# - **tanh**: + zero-centred. − Saturates like the sigmoid.
# - **ReLU**: + no saturation for x > 0; cheapest; trains fast. − Not zero-centred; units
#   can die (zero gradient for every input).
# - **leaky ReLU**: + never dies (slope 0.01 for x < 0). − One more hyperparameter.
# - **ELU / GELU**: + smooth, nearer zero-centred, no dying. − exp / erf cost more.
#
# Measured below: the mean output on N(0, 1) inputs, the share of saturated inputs, the
# gradient that reaches the first of 10 layers, dead units after a bad step, the loss after
# the same training, and the time per element.

# %%
import time

import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import nn, optim
from glassnet.data import spiral
from glassnet.nn.loss import cross_entropy
from glassnet.plot.figure import new_figure

lab = Lab("6. Pros and cons of each activation function (measured).")
ACTIVATIONS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "ReLU": nn.ReLU,
               "leaky ReLU": nn.LeakyReLU, "ELU": nn.ELU, "GELU": nn.GELU}
INIT = {"sigmoid": nn.init.xavier_normal, "tanh": nn.init.xavier_normal}  # others: He
rng = np.random.default_rng(0)
z = rng.standard_normal(200_000)

# %% [markdown]
# ## Zero-centred outputs and saturation, from the functions and their gradients

# %%
shape_rows, slopes = {}, {}
for name, make in ACTIVATIONS.items():
    x = gn.tensor(3.0 * z[:50_000], dtype="float64", requires_grad=True)  # std-3 inputs
    make()(x).sum().backward()
    slope = x.grad
    with gn.no_grad():
        mean_output = make()(gn.tensor(z, dtype="float64")).data.mean()
    saturated = np.mean(np.abs(slope) < 0.01)  # the unit passes < 1% of the gradient
    zero_gradient = np.mean(slope == 0)
    shape_rows[name] = [mean_output, np.abs(slope).max(), saturated, zero_gradient]
    slopes[name] = slope
lab.table(["activation", "mean output on N(0,1)", "max slope",
           "slope < 0.01 on N(0,9)", "slope exactly 0"], [[k, *v] for k, v in shape_rows.items()])
lab.claim("the sigmoid is not zero-centred (mean output 0.5); tanh is",
          abs(shape_rows["sigmoid"][0] - 0.5) < 0.01 and abs(shape_rows["tanh"][0]) < 0.01,
          f"means {shape_rows['sigmoid'][0]:.3f} and {shape_rows['tanh'][0]:.3f}")
lab.claim("sigmoid and tanh saturate: for pre-activations of std 3 a real share of inputs has "
          "a slope below 0.01; ReLU's positive side never does",
          min(shape_rows["sigmoid"][2], shape_rows["tanh"][2]) > 0.05
          and shape_rows["ReLU"][2] == shape_rows["ReLU"][3],
          f"sigmoid {shape_rows['sigmoid'][2]:.1%}, tanh {shape_rows['tanh'][2]:.1%}; ReLU's "
          f"small slopes are exactly its zero side ({shape_rows['ReLU'][3]:.1%})")

# %% [markdown]
# ## The gradient reaching the first of 10 layers (each with its recommended init)

# %%
X, y = spiral(100, 3, noise=0.1, generator=np.random.default_rng(1))


def network(name, depth, width=64, seed=0):
    generator, layers, fan_in = np.random.default_rng(seed), [], 2
    init = INIT.get(name, nn.init.kaiming_normal)
    for _ in range(depth):
        layers += [nn.Linear(fan_in, width, init=init, generator=generator), ACTIVATIONS[name]()]
        fan_in = width
    layers.append(nn.Linear(fan_in, 3, init=init, generator=generator))
    return nn.Sequential(*layers)


flow = {}
for name in ACTIVATIONS:
    model = network(name, depth=10)
    cross_entropy(model(gn.tensor(X)), y).backward()
    norms = [np.linalg.norm(m.weight.grad) for m in model if isinstance(m, nn.Linear)]
    flow[name] = norms
ratios = {name: norms[0] / norms[-1] for name, norms in flow.items()}
lab.table(["activation", "‖∇W1‖ / ‖∇W11‖ at init, 10 hidden layers"],
          [[k, f"{v:.1e}"] for k, v in ratios.items()])
others = min(v for k, v in ratios.items() if k != "sigmoid")
lab.claim("through 10 sigmoid layers the gradient vanishes; the others keep it",
          ratios["sigmoid"] < 1e-4 and others > 1e-2,
          f"sigmoid {ratios['sigmoid']:.1e}, the others ≥ {others:.1e}")

# %% [markdown]
# ## Dead units: after a bad step pushes biases down by 2, which units still learn?

# %%
inputs = gn.tensor(rng.standard_normal((256, 2)))
dead = {}
for name in ("ReLU", "leaky ReLU"):
    layer = nn.Linear(2, 100, generator=np.random.default_rng(2))
    layer.bias.data -= 2.0  # what one too-large update can do
    ACTIVATIONS[name]()(layer(inputs)).sum().backward()
    dead[name] = float(np.mean(np.all(layer.weight.grad == 0, axis=1)))
lab.claim("ReLU units whose input is negative for every example get no gradient at all "
          "(dead); leaky ReLU units always do", dead["ReLU"] > 0.1 and dead["leaky ReLU"] == 0,
          f"units with zero gradient over 256 inputs: ReLU {dead['ReLU']:.0%}, leaky "
          f"{dead['leaky ReLU']:.0%}")

# %% [markdown]
# ## The same training for each (2 hidden layers of 64, Adam, full batch) and the cost

# %%
steps = lab.choose(300, 150)
curves = {}
for name in ACTIVATIONS:
    model = network(name, depth=2)
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for _ in range(steps):
        loss = cross_entropy(model(gn.tensor(X)), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    curves[name] = losses
final = {k: v[-1] for k, v in curves.items()}
saturating = min(final["sigmoid"], final["tanh"])
lab.claim("the saturating activations (sigmoid, tanh) learn slower than the ReLU family",
          saturating > max(v for k, v in final.items() if k not in ("sigmoid", "tanh")),
          "final losses " + ", ".join(f"{k} {v:.3f}" for k, v in final.items()))

big = gn.tensor(rng.standard_normal(1_000_000).astype(np.float32), requires_grad=True)
cost = {name: [] for name in ACTIVATIONS}
for _ in range(lab.choose(5, 2)):  # interleaved repetitions; the fastest of each counts
    for name, make in ACTIVATIONS.items():
        started = time.perf_counter()
        make()(big).sum().backward()
        cost[name].append((time.perf_counter() - started) * 1e3)
        big.grad = None
cost = {k: min(v) for k, v in cost.items()}
lab.table(["activation", "forward+backward, ms per million elements"],
          [[k, v] for k, v in cost.items()])
lab.claim("ReLU is cheaper than the sigmoid and GELU (no exp or erf)",
          cost["ReLU"] < min(cost["sigmoid"], cost["GELU"]),
          f"ReLU {cost['ReLU']:.1f} ms, sigmoid {cost['sigmoid']:.1f} ms, GELU "
          f"{cost['GELU']:.1f} ms")

# %%
figure = new_figure(12, 3.8)
axes = figure.subplots(1, 3)
for name, norms in flow.items():
    axes[0].semilogy(range(1, len(norms) + 1), norms, "o-", markersize=3, label=name)
axes[0].set(xlabel="layer", ylabel="‖∇W‖ at initialization", title="Gradient per layer, 10 "
            "hidden layers")
for name, losses in curves.items():
    axes[1].semilogy(losses, label=name)
axes[1].set(xlabel="step", ylabel="training loss", title="Spiral, 2 hidden layers of 64")
order = sorted(cost, key=cost.get)
axes[2].barh(order, [cost[k] for k in order], color=[f"C{list(ACTIVATIONS).index(k)}"
                                                     for k in order])
axes[2].set(xlabel="ms per million elements (forward + backward)", title="Cost")
for ax in axes[:2]:
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
lab.save(figure, "06_activation_pros_and_cons.png")

lab.answer(f"sigmoid: not zero-centred (mean {shape_rows['sigmoid'][0]:.2f}), saturates, "
           f"gradient through 10 layers ×{ratios['sigmoid']:.0e}, slow to train (loss "
           f"{final['sigmoid']:.2f} vs {final['ReLU']:.2f} for ReLU); tanh: zero-centred but "
           f"saturates; ReLU: {cost['sigmoid'] / cost['ReLU']:.0f}× cheaper, no saturation, but "
           f"{dead['ReLU']:.0%} of units died after a bad step; leaky ReLU/ELU/GELU never die "
           "and are smooth or near zero-centred at a higher cost.")
lab.finish()
