# %% [markdown]
# # 12. Weight normalization: decoupling the norm from the direction — how does it help?
#
# Weight normalization writes each unit's weight vector as w = g · v/‖v‖: the length g and
# the direction v/‖v‖ become separate parameters (`nn.weight_norm(layer)`). Its gradients
#
#     ∂L/∂g = ∂L/∂w · v/‖v‖,        ∂L/∂v = (g/‖v‖) · (∂L/∂w projected orthogonally to v)
#
# say two things. (1) The scale of a unit is learned by one number, directly. (2) The
# gradient of v is orthogonal to v, so an SGD step can only lengthen v
# (‖v + Δ‖² = ‖v‖² + ‖Δ‖²) — and a longer v makes the next steps turn the direction less
# (the output is invariant to the scale of v, and its gradient scales as 1/‖v‖). Large or
# noisy steps therefore damp themselves: the effective learning rate of the direction
# adapts. We check each statement, then train the same MLP on Fashion-MNIST with plain SGD
# at several learning rates, with and without weight normalization.

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import nn, optim
from glassnet.nn.loss import cross_entropy
from glassnet.plot.figure import new_figure

lab = Lab("12. Weight normalization: decoupling the norm from the direction, and how it helps.")

# %% [markdown]
# ## The gradient of v is orthogonal to v; SGD only lengthens v; the scale of v is invisible

# %%
rng = np.random.default_rng(0)
layer = nn.weight_norm(nn.Linear(20, 8, generator=rng, dtype=np.float64))
x = gn.tensor(rng.standard_normal((32, 20)), dtype="float64")
(layer(x).tanh() ** 2).sum().backward()
v, grad_v = layer.weight_v.data, layer.weight_v.grad
cosines = (v * grad_v).sum(axis=1) / np.linalg.norm(v, axis=1) / np.linalg.norm(grad_v, axis=1)
lab.claim("∂L/∂v is orthogonal to v, row by row", np.abs(cosines).max() < 1e-12,
          f"largest |cos(v, ∂L/∂v)| = {np.abs(cosines).max():.1e}")

lr = 0.5
before = np.linalg.norm(v, axis=1)
after = np.linalg.norm(v - lr * grad_v, axis=1)
pythagoras = np.abs(after**2 - (before**2 + lr**2 * np.linalg.norm(grad_v, axis=1) ** 2)).max()
lab.claim("so an SGD step can only lengthen v: ‖v − η∇v‖² = ‖v‖² + η²‖∇v‖²",
          pythagoras < 1e-12 and np.all(after >= before),
          f"largest error of the identity {pythagoras:.1e}; every row grew")

with gn.no_grad():
    out = layer(x).data
    layer.weight_v.data *= 10.0
    scaled = layer(x).data
lab.claim("the output does not depend on the scale of v (only g sets the length)",
          np.abs(out - scaled).max() < 1e-12, f"max change {np.abs(out - scaled).max():.1e} "
          "after v ← 10·v")

# %% [markdown]
# ## Training: plain SGD at several learning rates, with and without weight norm

# %%
(X, y), _, (X_test, y_test) = lab.fashion_mnist(lab.choose(6000, 1000), lab.choose(2000, 500))
epochs, batch = lab.choose(6, 2), 64
rates = [0.1, 0.3, 1.0]


def train(lr, normalized):
    generator = np.random.default_rng(1)
    model = nn.Sequential(nn.Linear(196, 128, generator=generator), nn.ReLU(),
                          nn.Linear(128, 128, generator=generator), nn.ReLU(),
                          nn.Linear(128, 10, generator=generator))
    linears = [m for m in model if isinstance(m, nn.Linear)]
    if normalized:
        for m in linears:
            nn.weight_norm(m)
    optimizer = optim.SGD(model.parameters(), lr=lr)
    order_rng, losses = np.random.default_rng(2), []
    start = [np.linalg.norm(m.weight_v.data) for m in linears] if normalized else None
    with np.errstate(all="ignore"):  # a diverging run overflows; the table shows it
        for _ in range(epochs):
            for idx in np.array_split(order_rng.permutation(len(X)), len(X) // batch):
                loss = cross_entropy(model(gn.tensor(X[idx])), y[idx])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
        with gn.no_grad():
            accuracy = float((model(gn.tensor(X_test)).data.argmax(axis=1) == y_test).mean())
    growth = (np.mean([np.linalg.norm(m.weight_v.data) for m in linears]) / np.mean(start)
              if normalized else np.nan)
    per_epoch = len(losses) // epochs
    return {"loss": float(np.mean(losses[-per_epoch:])), "accuracy": accuracy,
            "growth": float(growth), "curve": losses}


results = {(lr, wn): train(lr, wn) for lr in rates for wn in (False, True)}
lab.table(["lr", "plain: last-epoch loss", "test acc", "weight norm: loss", "test acc",
           "‖v‖ growth"],
          [[lr, results[lr, False]["loss"], results[lr, False]["accuracy"],
            results[lr, True]["loss"], results[lr, True]["accuracy"],
            results[lr, True]["growth"]] for lr in rates])
growths = [results[lr, True]["growth"] for lr in rates]
lab.claim("the larger the learning rate, the more ‖v‖ grows, damping the direction's steps",
          all(np.diff(growths) > 0), "growth of ‖v‖ for lr " + ", ".join(
              f"{lr}: ×{g:.2f}" for lr, g in zip(rates, growths)))
high = [rates[-1]]
lab.claim("at the largest learning rate weight norm trains better than plain SGD",
          all(results[lr, True]["loss"] < results[lr, False]["loss"] for lr in high),
          "; ".join(f"lr {lr}: {results[lr, True]['loss']:.3f} vs "
                    f"{results[lr, False]['loss']:.3f}" for lr in high))
best_plain = min(results[lr, False]["loss"] for lr in rates)
best_wn = min(results[lr, True]["loss"] for lr in rates)
print(f"best over the learning rates: plain {best_plain:.3f}, weight norm {best_wn:.3f}")

# %%
figure = new_figure(11, 4)
left, right = figure.subplots(1, 2)
for index, lr in enumerate(rates):
    for normalized, style in ((False, ":"), (True, "-")):
        curve = np.array(results[lr, normalized]["curve"])
        smooth = np.convolve(curve, np.ones(10) / 10, mode="valid")
        left.plot(smooth, style, color=f"C{index}",
                  label=f"lr {lr}, {'weight norm' if normalized else 'plain'}")
left.set(xlabel="step", ylabel="training loss (10-step mean)", ylim=(0, 2.5),
         title="Plain SGD (dotted) vs weight-normalized (solid)")
left.legend(fontsize=7, ncol=2)
width = 0.38
positions = np.arange(len(rates))
for shift, normalized, name in ((-width / 2, False, "plain"), (width / 2, True, "weight norm")):
    right.bar(positions + shift, [results[lr, normalized]["accuracy"] for lr in rates], width,
              label=name)
right.set(xticks=positions, xticklabels=[f"lr {lr}" for lr in rates], ylim=(0, 1),
          ylabel="test accuracy", title=f"After {epochs} epochs on Fashion-MNIST")
right.legend(fontsize=8)
for ax in (left, right):
    ax.grid(alpha=0.3)
lab.save(figure, "12_weight_normalization.png")

comparison = "; ".join(f"{results[lr, True]['loss']:.2f} vs {results[lr, False]['loss']:.2f}"
                       for lr in high)
lab.answer(f"With w = g·v/‖v‖ the length is one parameter g and ∇v ⟂ v (|cos| "
           f"{np.abs(cosines).max():.0e}), so SGD can only lengthen v, which shrinks later "
           f"direction steps: ‖v‖ grew ×{growths[-1]:.1f} at lr {rates[-1]} vs ×{growths[0]:.2f} "
           f"at lr {rates[0]}, and at lr {rates[-1]} weight norm trained better than plain SGD "
           f"(loss {comparison}); at its best lr plain SGD did as well ({best_plain:.2f} vs "
           f"{best_wn:.2f}): the gain is robustness to the step size.")
lab.finish()
