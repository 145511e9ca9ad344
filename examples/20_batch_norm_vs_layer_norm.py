# %% [markdown]
# # 20. Compare batch normalization and layer normalization
#
# Both compute y = γ·(x − μ)/√(σ² + ε) + β; they differ in which numbers μ and σ² average:
#
# - **batch norm** (`nn.BatchNorm1d`): per *feature*, over the examples of the batch. At
#   test time it uses running averages collected in training. So in training an example's
#   output depends on the other examples in its batch, train and eval modes compute
#   different functions, and tiny batches give noisy statistics — batch size 1 is
#   impossible. In return it regularizes a little and suits CNNs with large batches.
# - **layer norm** (`nn.LayerNorm`): per *example*, over its features. No batch statistics,
#   the same computation in training and at test time, any batch size (even 1, or
#   sequences of varying length) — which is why RNNs and transformers use it.
#
# We measure each difference, then train the same MLP with each at batch size 2 and 128.

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import nn, optim
from glassnet.nn.loss import cross_entropy
from glassnet.plot.figure import new_figure

lab = Lab("20. Batch norm vs layer norm.")
rng = np.random.default_rng(0)
x = rng.standard_normal((32, 16)) * rng.uniform(0.5, 4, 16) + rng.uniform(-3, 3, 16)
batch_norm, layer_norm = nn.BatchNorm1d(16, dtype=np.float64), nn.LayerNorm(16, dtype=np.float64)

# %% [markdown]
# ## What each one normalizes

# %%
with gn.no_grad():
    b, l_out = batch_norm(gn.tensor(x, dtype="float64")).data, layer_norm(
        gn.tensor(x, dtype="float64")).data
lab.table(["", "batch norm output", "layer norm output"],
          [["largest |mean| per feature (over examples)", np.abs(b.mean(0)).max(),
            np.abs(l_out.mean(0)).max()],
           ["largest |std − 1| per feature", np.abs(b.std(0) - 1).max(),
            np.abs(l_out.std(0) - 1).max()],
           ["largest |mean| per example (over features)", np.abs(b.mean(1)).max(),
            np.abs(l_out.mean(1)).max()],
           ["largest |std − 1| per example", np.abs(b.std(1) - 1).max(),
            np.abs(l_out.std(1) - 1).max()]])
lab.claim("batch norm makes each feature zero-mean, unit-variance across the batch; layer norm "
          "makes each example so across its features",
          np.abs(b.mean(0)).max() < 1e-12 and np.abs(b.std(0) - 1).max() < 1e-3
          and np.abs(l_out.mean(1)).max() < 1e-12 and np.abs(l_out.std(1) - 1).max() < 1e-3,
          "per-feature stats of BN and per-example stats of LN within 1e-3 of (0, 1)")

# %% [markdown]
# ## Dependence on the rest of the batch, and on the mode

# %%
other = np.vstack([x[:1], rng.standard_normal((31, 16)) * 3 + 5])  # same first example
with gn.no_grad():
    bn_alone = batch_norm(gn.tensor(other, dtype="float64")).data[0]
    ln_alone = layer_norm(gn.tensor(other, dtype="float64")).data[0]
bn_change, ln_change = np.abs(bn_alone - b[0]).max(), np.abs(ln_alone - l_out[0]).max()
lab.claim("in training, a batch-norm output changes when the *other* examples change; a "
          "layer-norm output does not", bn_change > 0.1 and ln_change == 0,
          f"example 0 in a different batch: BN changed by {bn_change:.2f}, LN by {ln_change}")
batch_norm.eval()
layer_norm.eval()
with gn.no_grad():
    bn_eval = batch_norm(gn.tensor(x, dtype="float64")).data
    ln_eval = layer_norm(gn.tensor(x, dtype="float64")).data
mode_gap_bn, mode_gap_ln = np.abs(bn_eval - b).max(), np.abs(ln_eval - l_out).max()
lab.claim("batch norm computes a different function in eval mode (running statistics); layer "
          "norm the same", mode_gap_bn > 0.1 and mode_gap_ln == 0,
          f"train vs eval output: BN {mode_gap_bn:.2f}, LN {mode_gap_ln}")

# %% [markdown]
# ## Training with tiny and normal batches

# %%
(X, y), _, (X_test, y_test) = lab.fashion_mnist(lab.choose(2000, 600), lab.choose(1000, 500))


def network(norm):
    generator, layers, width = np.random.default_rng(1), [], 196
    for _ in range(3):
        layers.append(nn.Linear(width, 128, generator=generator))
        if norm == "batch norm":
            layers.append(nn.BatchNorm1d(128))
        elif norm == "layer norm":
            layers.append(nn.LayerNorm(128))
        layers.append(nn.ReLU())
        width = 128
    return nn.Sequential(*layers, nn.Linear(width, 10, generator=generator))


def train(norm, batch):
    model = network(norm)
    lr, epochs = (0.01, 1) if batch == 2 else (0.05, lab.choose(10, 6))
    optimizer = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    order = np.random.default_rng(2)
    for _ in range(epochs):
        for index in np.array_split(order.permutation(len(X)), len(X) // batch):
            loss = cross_entropy(model(gn.tensor(X[index])), y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    with gn.no_grad():
        return float((model(gn.tensor(X_test)).data.argmax(axis=1) == y_test).mean())


norms = ["no normalization", "batch norm", "layer norm"]
accuracy = {(norm, batch): train(norm, batch) for norm in norms for batch in (2, 128)}
lab.table(["", "batch 2 (1 epoch)", f"batch 128 ({lab.choose(10, 6)} epochs)"],
          [[norm, accuracy[norm, 2], accuracy[norm, 128]] for norm in norms])
lab.claim("with batches of 2, batch norm's statistics are too noisy: it falls far behind "
          "layer norm (at test time its running averages do not match training)",
          accuracy["batch norm", 2] < accuracy["layer norm", 2] - 0.15,
          f"test accuracy {accuracy['batch norm', 2]:.3f} vs {accuracy['layer norm', 2]:.3f}")
lab.claim("with batches of 128 batch norm works as well as layer norm",
          accuracy["batch norm", 128] > accuracy["layer norm", 128] - 0.05,
          f"{accuracy['batch norm', 128]:.3f} vs {accuracy['layer norm', 128]:.3f}")

# %%
figure = new_figure(12, 7)
axes = figure.subplots(2, 3)
for ax, data, title in ((axes[0, 0], x, "Input: features with their own offset and scale"),
                        (axes[0, 1], b, "Batch norm: each column (feature)"),
                        (axes[0, 2], l_out, "Layer norm: each row (example)")):
    image = ax.imshow(data[:12], cmap="RdBu_r", vmin=-4, vmax=4)
    ax.set(title=title, xlabel="feature", ylabel="example in the batch")
figure.colorbar(image, ax=axes[0, :], shrink=0.8)
for data, name in ((x, "input"), (b, "batch norm"), (l_out, "layer norm")):
    axes[1, 0].plot(data.std(axis=0), "o-", markersize=3, label=name)
    axes[1, 1].plot(data.std(axis=1), "o-", markersize=3, label=name)
axes[1, 0].set(xlabel="feature", ylabel="std over the 32 examples",
               title="Per feature: BN makes them all 1")
axes[1, 1].set(xlabel="example", ylabel="std over the 16 features",
               title="Per example: LN makes them all 1")
width = 0.38
for shift, batch in ((-width / 2, 2), (width / 2, 128)):
    axes[1, 2].bar(np.arange(3) + shift, [accuracy[norm, batch] for norm in norms], width,
                   label=f"batch {batch}")
axes[1, 2].set(xticks=range(3), xticklabels=["none", "batch norm", "layer norm"],
               ylabel="test accuracy", ylim=(0, 1), title="MLP on Fashion-MNIST")
for ax in axes[1]:
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
lab.save(figure, "20_batch_norm_vs_layer_norm.png")

lab.answer(f"Batch norm normalizes each feature over the batch (outputs depend on the other "
           f"examples: change {bn_change:.2f}; train ≠ eval: {mode_gap_bn:.2f}); layer norm "
           f"each example over its features (no batch dependence, same in train and eval). "
           f"At batch 2 BN reached {accuracy['batch norm', 2]:.0%} vs LN "
           f"{accuracy['layer norm', 2]:.0%}; at 128 {accuracy['batch norm', 128]:.0%} vs "
           f"{accuracy['layer norm', 128]:.0%}.")
lab.finish()
