# %% [markdown]
# # 22. Weight decay: multiplying the weights by a factor just below 1 — what for?
#
# Shrinking every weight a little at every step pulls the weights towards 0 unless the data
# keeps pushing them out: it prefers small weights, i.e. smoother functions that overfit
# less (and, with batch norm, it controls the effective learning rate). Two facts to know:
#
# - With plain SGD, decay by (1 − ηλ) *is* L2 regularization: w ← (1 − ηλ)w − η∇L equals a
#   gradient step on L + ½λ‖w‖². (Multiplying *after* the step differs only by η²λ∇L.)
# - With Adam it is not: an L2 term's gradient λw goes through Adam's division by √v, so
#   weights with large gradients are barely decayed. Decoupled decay (AdamW) shrinks every
#   weight by the same factor (1 − ηλ) (Loshchilov & Hutter, 2019).
#
# We check both facts, then train an overfitting MLP on a small Fashion-MNIST subset with
# and without decay.

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import models, optim
from glassnet.nn.loss import cross_entropy
from glassnet.plot.figure import new_figure

lab = Lab("22. Weight decay (and why it is not L2 with Adam).")
(X, y), _, (X_test, y_test) = lab.fashion_mnist(1000, lab.choose(2000, 500))
eta, lam = 0.05, 5e-3

# %% [markdown]
# ## With SGD: three spellings of the same update

# %%
def sgd_run(variant, steps=50):
    model = models.mlp(196, [64], 10, generator=np.random.default_rng(0))
    decay = lam if variant == "SGD(weight_decay=λ)" else 0.0
    optimizer = optim.SGD(model.parameters(), lr=eta, weight_decay=decay)
    order = np.random.default_rng(1)
    for _ in range(steps):
        index = order.integers(0, len(X), 32)
        loss = cross_entropy(model(gn.tensor(X[index])), y[index])
        if variant == "loss + ½λ‖w‖²":
            loss = loss + 0.5 * lam * sum((p * p).sum() for p in model.parameters())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return np.concatenate([p.data.ravel() for p in model.parameters()])


reference = sgd_run("SGD(weight_decay=λ)")
same = np.abs(sgd_run("loss + ½λ‖w‖²") - reference).max()
plain = np.abs(sgd_run("no decay") - reference).max()
lab.claim("with SGD, weight decay and an L2 penalty ½λ‖w‖² are the same update",
          same < 1e-6, f"after 50 steps the weights differ by {same:.1e} (float32 rounding); "
          f"without decay they would differ by {plain:.1e}")

# One step from the same weights: decaying after the step vs decay folded into the step.
w = np.random.default_rng(3).standard_normal(1000) * 0.1
g = np.random.default_rng(4).standard_normal(1000)
folded = (1 - eta * lam) * w - eta * g  # = w − η(g + λw), the L2 step
after = (1 - eta * lam) * (w - eta * g)  # multiply after the plain step
second_order = np.abs(after - folded).max() / np.abs(eta * g).max()
lab.claim("multiplying by (1 − ηλ) after the step instead differs only by η²λ·g: a fraction "
          "ηλ of the gradient step", abs(second_order - eta * lam) < 1e-9,
          f"difference / gradient step = {second_order:.2e}, ηλ = {eta * lam:.2e}")

# %% [markdown]
# ## With Adam: L2 is divided by √v, decoupled decay is not

# %%
def adam_decay(optimizer_class, decay, steps=2000):
    """Two weights at 1.0 whose data gradient is pure noise, of std 1 and 0.01."""
    w = gn.tensor([1.0, 1.0], dtype="float64", requires_grad=True)
    optimizer = optimizer_class([w], lr=1e-3, weight_decay=decay)
    noise = np.random.default_rng(2).standard_normal((steps, 2)) * [1.0, 0.01]
    for g in noise:
        w.grad = g.copy()
        optimizer.step()
    return w.data.copy()


l2 = adam_decay(optim.Adam, 0.01)
decoupled = adam_decay(optim.AdamW, 1.0)
lab.table(["weights after 2000 noisy steps", "large-gradient weight", "small-gradient weight"],
          [["Adam + L2 (weight_decay=0.01)", *l2], ["AdamW (weight_decay=1.0)", *decoupled]])
lab.claim("Adam + L2 barely decays the weight with large gradients; AdamW decays both alike",
          (1 - l2[0]) < 0.1 * (1 - l2[1]) and abs(decoupled[0] - decoupled[1]) < 0.05,
          f"Adam + L2: {l2[0]:.3f} vs {l2[1]:.3f}; AdamW: {decoupled[0]:.3f} vs "
          f"{decoupled[1]:.3f} (e^(−2000·lr·λ) = {np.exp(-2):.3f})")

# %% [markdown]
# ## What it is for: less overfitting on 1000 examples

# %%
epochs = 30


def train(make_optimizer):
    model = models.mlp(196, [256, 256], 10, generator=np.random.default_rng(0))
    optimizer, order = make_optimizer(model.parameters()), np.random.default_rng(1)
    for _ in range(epochs):
        for index in np.array_split(order.permutation(len(X)), len(X) // 50):
            loss = cross_entropy(model(gn.tensor(X[index])), y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    with gn.no_grad():
        train_loss = cross_entropy(model(gn.tensor(X)), y).item()
        test_loss = cross_entropy(model(gn.tensor(X_test)), y_test).item()
    norm = float(np.sqrt(sum((p.data.astype(np.float64) ** 2).sum()
                             for p in model.parameters())))
    return {"train": train_loss, "test": test_loss, "norm": norm}


runs = {"SGD + momentum": train(lambda p: optim.SGD(p, lr=0.05, momentum=0.9)),
        "SGD + momentum, weight decay 5e-3": train(
            lambda p: optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=5e-3)),
        "Adam": train(lambda p: optim.Adam(p, lr=1e-3)),
        "AdamW, weight decay 0.5": train(lambda p: optim.AdamW(p, lr=1e-3, weight_decay=0.5))}
lab.table(["optimizer", "train loss", "test loss", "‖w‖"],
          [[k, v["train"], v["test"], v["norm"]] for k, v in runs.items()])
pairs = [("SGD + momentum", "SGD + momentum, weight decay 5e-3"),
         ("Adam", "AdamW, weight decay 0.5")]
lab.claim("weight decay keeps the weights smaller and trades training loss for test loss",
          all(runs[b]["norm"] < runs[a]["norm"] and runs[b]["test"] < runs[a]["test"]
              and runs[b]["train"] > runs[a]["train"] for a, b in pairs),
          "; ".join(f"{b}: test {runs[b]['test']:.3f} vs {runs[a]['test']:.3f}, ‖w‖ "
                    f"{runs[b]['norm']:.1f} vs {runs[a]['norm']:.1f}" for a, b in pairs))

# %%
figure = new_figure(11, 4)
left, right = figure.subplots(1, 2)
names = list(runs)
positions = np.arange(len(names))
left.bar(positions - 0.2, [runs[k]["train"] for k in names], 0.4, label="train loss")
left.bar(positions + 0.2, [runs[k]["test"] for k in names], 0.4, label="test loss")
left.set(xticks=positions, xticklabels=[k.replace(", ", ",\n") for k in names],
         ylabel="cross-entropy", title=f"MLP on 1000 examples, {epochs} epochs")
left.tick_params(axis="x", labelsize=7)
left.legend(fontsize=8)
steps = np.arange(2001)
right.plot(steps, np.exp(-1e-3 * 1.0 * steps), "k:", label="(1 − lr·λ)^t")
for label, optimizer_class, decay, style in (("Adam + L2", optim.Adam, 0.01, "-"),
                                             ("AdamW", optim.AdamW, 1.0, "--")):
    w = gn.tensor([1.0, 1.0], dtype="float64", requires_grad=True)
    optimizer = optimizer_class([w], lr=1e-3, weight_decay=decay)
    path = [w.data.copy()]
    for g in np.random.default_rng(2).standard_normal((2000, 2)) * [1.0, 0.01]:
        w.grad = g.copy()
        optimizer.step()
        path.append(w.data.copy())
    path = np.array(path)
    right.plot(steps, path[:, 0], style, color="C3", label=f"{label}: gradient std 1")
    right.plot(steps, path[:, 1], style, color="C0", label=f"{label}: gradient std 0.01")
right.set(xlabel="step", ylabel="weight", title="Decay of two weights under gradient noise")
right.legend(fontsize=7)
for ax in (left, right):
    ax.grid(alpha=0.3)
lab.save(figure, "22_weight_decay.png")

lab.answer(f"It keeps weights small (regularization): test loss "
           f"{runs[pairs[0][1]]['test']:.2f} vs {runs[pairs[0][0]]['test']:.2f} with SGD, "
           f"{runs[pairs[1][1]]['test']:.2f} vs {runs[pairs[1][0]]['test']:.2f} with Adam(W). "
           f"With SGD it equals L2 exactly (difference {same:.0e}); with Adam it does not: L2 "
           f"left the large-gradient weight at {l2[0]:.2f} and shrank the other to "
           f"{l2[1]:.2f}, AdamW shrank both to ≈ {decoupled.mean():.2f}.")
lab.finish()
