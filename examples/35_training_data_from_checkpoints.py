# %% [markdown]
# # 35. Under what conditions can training data be recovered from weight checkpoints?
#
# Two measurable cases:
#
# 1. **Two checkpoints one plain SGD step apart, on a single example.** For a first linear
#    layer z = W·x + b, the gradient is ∂L/∂W = δ·xᵀ and ∂L/∂b = δ (δ = ∂L/∂z), so the
#    step gives ΔW = −η·δ·xᵀ and Δb = −η·δ: every row of ΔW is the input x times the
#    matching entry of Δb. Dividing recovers x *exactly*, whatever the rest of the network.
#    With a batch of B examples ΔW = −η·Σ δ_k x_kᵀ / B and the same division returns a blend
#    of the B inputs; optimizers with state (momentum, Adam) or several steps between
#    checkpoints mix things further — but gradient-inversion attacks can still unmix small
#    batches, so shared updates are sensitive.
# 2. **An overfit model.** It has a much lower loss on its training examples than on others,
#    so "loss below a threshold ⇒ was in the training set" identifies members (a
#    membership-inference test). Regularization and early stopping shrink the gap.
#
# (Beyond these: large models can memorize and reproduce rare training strings verbatim.)

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import models, nn, optim
from glassnet.nn.loss import cross_entropy
from glassnet.plot.figure import new_figure
from glassnet.train.trainer import Trainer

lab = Lab("35. When can training data be recovered from weight checkpoints?")
(X28, y28), _, _ = lab.fashion_mnist(16, 0, size=28, seed=3)

# %% [markdown]
# ## Case 1: one SGD step on one example, between two checkpoints

# %%
def step_and_recover(images, labels):
    model = models.mlp(784, [128], 10, generator=np.random.default_rng(0))
    before = model.state_dict()  # checkpoint 0
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    optimizer.zero_grad()
    cross_entropy(model(gn.tensor(images)), labels).backward()
    optimizer.step()
    after = model.state_dict()  # checkpoint 1
    delta_W = (after["1.weight"] - before["1.weight"]).astype(np.float64)
    delta_b = (after["1.bias"] - before["1.bias"]).astype(np.float64)
    # Every row i satisfies ΔW[i] = x·Δb[i]: the least-squares x over all rows.
    return delta_W.T @ delta_b / (delta_b @ delta_b)


original = X28[0]
recovered = step_and_recover(X28[:1], y28[:1])
error = np.abs(recovered - original).max() / np.abs(original).max()
lab.claim("from the difference of two checkpoints one SGD step apart, the single training "
          "input comes back exactly", error < 1e-4,
          f"largest error {error:.1e} of the pixel range (float32 weights)")

batch = 8
blend = step_and_recover(X28[:batch], y28[:batch])
correlations = [np.corrcoef(blend, image)[0, 1] for image in X28[:batch]]
lab.claim(f"with a batch of {batch} the same division returns a blend, not any one input",
          max(correlations) < 0.95, "correlation with each input: "
          + ", ".join(f"{c:.2f}" for c in correlations))

# %% [markdown]
# ## Case 2: membership inference on an overfit model (a loss threshold)

# %%
(X, y), (X_out, y_out), _ = lab.fashion_mnist(lab.choose(500, 300), 0, n_val=lab.choose(500, 300))
# Real labels are noisy; here 20% of them, members and non-members alike, are replaced at
# random. A model that memorizes its training set memorizes those too.
noise = np.random.default_rng(7)
y, y_out = ((np.where(noise.random(len(labels)) < 0.2, noise.integers(0, 10, len(labels)),
                      labels)) for labels in (y, y_out))


def per_example_loss(model, images, labels):
    model.eval()
    with gn.no_grad():
        return cross_entropy(model(gn.tensor(images)), labels, reduction="none").data


def auc(members, outsiders):
    """P(a member's loss < an outsider's): the area under the ROC curve of the loss test."""
    scores = np.concatenate([-members, -outsiders])
    ranks = scores.argsort().argsort() + 1
    n_in, n_out = len(members), len(outsiders)
    return float((ranks[:n_in].sum() - n_in * (n_in + 1) / 2) / (n_in * n_out))


attacks = {}
for name, epochs, decay in (("overfit (40 epochs)", 40, 0.0),
                            ("early stop (3 epochs)", 3, 0.0),
                            ("40 epochs + weight decay", 40, 5.0)):
    model = models.mlp(196, [256, 256], 10, generator=np.random.default_rng(1))
    Trainer(model, nn.CrossEntropyLoss(), optim.AdamW(model.parameters(), lr=1e-3,
                                                      weight_decay=decay),
            generator=np.random.default_rng(2)).fit((X, y), epochs=epochs, batch_size=50)
    members, outsiders = per_example_loss(model, X, y), per_example_loss(model, X_out, y_out)
    threshold = np.median(np.concatenate([members, outsiders]))
    accuracy = ((members < threshold).mean() + (outsiders >= threshold).mean()) / 2
    attacks[name] = {"members": members, "outsiders": outsiders, "auc": auc(members, outsiders),
                     "accuracy": accuracy}
lab.table(["model", "median loss, members", "non-members", "attack AUC",
           "attack accuracy (median threshold)"],
          [[k, np.median(a["members"]), np.median(a["outsiders"]), a["auc"], a["accuracy"]]
           for k, a in attacks.items()])
overfit, early, decayed = attacks.values()
lab.claim("on the overfit model a loss threshold tells members from non-members well",
          overfit["auc"] > 0.7, f"AUC {overfit['auc']:.3f} (0.5 = guessing), accuracy "
          f"{overfit['accuracy']:.3f}")
lab.claim("early stopping and weight decay leak less", max(early["auc"], decayed["auc"])
          < overfit["auc"], f"AUC {early['auc']:.3f} (early stop), {decayed['auc']:.3f} "
          f"(weight decay) vs {overfit['auc']:.3f}")

# %%
figure = new_figure(12, 6.5)
grid = figure.add_gridspec(2, 4)
shown = [(original, "training input"), (recovered, f"recovered from ΔW/Δb\n(error {error:.0e})"),
         (X28[0], f"input 1 of a batch of {batch}"), (blend, f"recovered from a batch of {batch}")]
for k, (image, title) in enumerate(shown):
    ax = figure.add_subplot(grid[0, k])
    ax.imshow(image.reshape(28, 28), cmap="gray")
    ax.set(title=title, xticks=[], yticks=[])
ax = figure.add_subplot(grid[1, :2])
bins = np.linspace(0, max(overfit["outsiders"].max(), 1e-3), 50)
ax.hist(overfit["members"], bins=bins, alpha=0.6, label="training examples (members)")
ax.hist(overfit["outsiders"], bins=bins, alpha=0.6, label="other examples")
ax.set(xlabel="per-example loss", ylabel="examples", title="Overfit model", yscale="log")
ax.legend(fontsize=8)
ax = figure.add_subplot(grid[1, 2:])
for name, a in attacks.items():
    thresholds = np.sort(np.concatenate([a["members"], a["outsiders"]]))
    ax.plot([(a["outsiders"] < t).mean() for t in thresholds],
            [(a["members"] < t).mean() for t in thresholds], label=f"{name}: AUC {a['auc']:.2f}")
ax.plot([0, 1], [0, 1], "k:", label="guessing")
ax.set(xlabel="false positive rate", ylabel="true positive rate",
       title="Loss-threshold membership test (ROC)")
ax.legend(fontsize=8)
lab.save(figure, "35_training_data_from_checkpoints.png")

lab.answer(f"When two checkpoints are one plain SGD step apart on one example, the first "
           f"layer's ΔW/Δb returns that input exactly (error {error:.0e}; a batch of {batch} "
           f"gives a blend, max correlation {max(correlations):.2f}); and when a model "
           f"overfits, a loss threshold flags its training examples (AUC {overfit['auc']:.2f}, "
           f"vs {early['auc']:.2f} with early stopping, {decayed['auc']:.2f} with weight decay).")
lab.finish()
