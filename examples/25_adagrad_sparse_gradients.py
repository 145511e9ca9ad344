# %% [markdown]
# # 25. Why is Adagrad sometimes favored in problems with sparse gradients?
#
# With sparse inputs (words, categories, clicks) most features are absent from most
# examples, so their weights get a zero gradient most of the time and a signal only now and
# then. One global learning rate cannot suit both kinds: small enough for the frequent
# features (which get a gradient at every step) is far too small for the rare ones.
# Adagrad divides each coordinate's step by the root of the sum of its past squared
# gradients, G_j:
#
#     θ_j ← θ_j − lr · g_j / (√G_j + ε)
#
# so a rarely updated weight keeps a large effective rate lr/√G_j and learns from the few
# examples that carry it, while frequent ones slow down. We fit a logistic regression on
# synthetic bag-of-features data: 20 frequent features (in 50% of the examples) and 180 rare
# ones (in 1%), and give each optimizer its best learning rate from the same grid.

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import optim
from glassnet.nn.loss import binary_cross_entropy_with_logits
from glassnet.plot.figure import new_figure

lab = Lab("25. Why Adagrad for sparse gradients?")
rng = np.random.default_rng(0)
d, n_train, n_test = 200, lab.choose(5000, 2500), 1000
frequency = np.where(np.arange(d) < 20, 0.5, 0.01)  # feature j is in this share of examples
X = (rng.random((n_train + n_test, d)) < frequency).astype(np.float32)
w_true = rng.standard_normal(d) * 2.0
logits = X @ w_true
labels = (rng.random(len(X)) < 1 / (1 + np.exp(-(logits - logits.mean())))).astype(np.float32)
X_train, y_train, X_test, y_test = X[:n_train], labels[:n_train], X[n_train:], labels[n_train:]
frequent, rare = slice(0, 20), slice(20, None)
batch, epochs = 20, lab.choose(5, 4)


def fit(make_optimizer, lr):
    w, b = gn.zeros(d, requires_grad=True), gn.zeros(1, requires_grad=True)
    optimizer, order, zero_steps = make_optimizer([w, b], lr), np.random.default_rng(1), []
    for _ in range(epochs):
        for index in np.array_split(order.permutation(n_train), n_train // batch):
            loss = binary_cross_entropy_with_logits(gn.tensor(X_train[index]) @ w + b,
                                                    y_train[index])
            optimizer.zero_grad()
            loss.backward()
            zero_steps.append(w.grad == 0)
            optimizer.step()
    with gn.no_grad():
        test = binary_cross_entropy_with_logits(gn.tensor(X_test) @ w + b, y_test).item()
    error = np.abs(w.data - w_true)
    return {"test": test, "frequent": error[frequent].mean(), "rare": error[rare].mean(),
            "optimizer": optimizer, "zero": np.mean(zero_steps, axis=0), "w": w}


rates = [0.1, 0.3, 1.0, 3.0]
grids = {"SGD": (lambda p, lr: optim.SGD(p, lr=lr), rates),
         "Adagrad": (lambda p, lr: optim.Adagrad(p, lr=lr), rates)}
results = {(name, lr): fit(make, lr) for name, (make, rates) in grids.items() for lr in rates}
lab.table(["optimizer", "lr", "test loss", "|w − w*| frequent 20", "rare 180"],
          [[name, lr, r["test"], r["frequent"], r["rare"]] for (name, lr), r in results.items()])
best = {name: min(((lr, results[name, lr]) for lr in rates), key=lambda item: item[1]["test"])
        for name, (_, rates) in grids.items()}
(sgd_lr, sgd), (ada_lr, ada) = best["SGD"], best["Adagrad"]
zero_share = sgd["zero"]
lab.claim("the gradients are sparse: rare features get no gradient in most steps",
          zero_share[rare].mean() > 0.75 and zero_share[frequent].mean() < 0.05,
          f"share of steps with a zero gradient: {zero_share[frequent].mean():.0%} for the "
          f"frequent features, {zero_share[rare].mean():.0%} for the rare ones")
state = ada["optimizer"].state[0]
effective = ada_lr / (np.sqrt(state.sum) + ada["optimizer"].eps)
ratio = effective[rare].mean() / effective[frequent].mean()
lab.claim("Adagrad gives the rare features a much larger effective learning rate",
          ratio > 5, f"lr/√G: {effective[frequent].mean():.3f} for frequent, "
          f"{effective[rare].mean():.3f} for rare features (×{ratio:.0f})")
lab.claim("so at its best learning rate Adagrad beats SGD at its best one",
          ada["test"] < sgd["test"] and ada["rare"] < sgd["rare"],
          f"test loss {ada['test']:.4f} (lr {ada_lr}) vs {sgd['test']:.4f} (lr {sgd_lr}); "
          f"rare-feature error {ada['rare']:.3f} vs {sgd['rare']:.3f}")

# %%
figure = new_figure(11, 4)
left, right = figure.subplots(1, 2)
for name, color in (("SGD", "C0"), ("Adagrad", "C1")):
    left.semilogx(rates, [results[name, lr]["test"] for lr in rates], "o-", color=color,
                  label=name)
left.set(xlabel="learning rate", ylabel="test loss", title="Each optimizer over the same grid")
positions = np.arange(2)
for shift, (name, r, lr) in ((-0.2, ("SGD", sgd, sgd_lr)), (0.2, ("Adagrad", ada, ada_lr))):
    right.bar(positions + shift, [r["frequent"], r["rare"]], 0.4, label=f"{name}, lr {lr}")
right.set(xticks=positions, xticklabels=["20 frequent features (50%)", "180 rare features (1%)"],
          ylabel="mean |w − w*|", title="Weight error at each one's best rate")
for ax in (left, right):
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
lab.save(figure, "25_adagrad_sparse_gradients.png")

lab.answer(f"Rare features get a gradient only now and then ({zero_share[rare].mean():.0%} of "
           f"steps are zero for them), so one global rate is too small for them; "
           f"Adagrad's lr/√G_j gives them ×{ratio:.0f} the rate of frequent ones, and at its "
           f"best lr it reached test loss {ada['test']:.3f} vs {sgd['test']:.3f} for SGD "
           f"(rare-weight error {ada['rare']:.2f} vs {sgd['rare']:.2f}).")
lab.finish()
