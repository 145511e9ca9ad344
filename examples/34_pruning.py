# %% [markdown]
# # 34. Pruning: why is it desirable, and how do you choose what to prune?
#
# **Why.** Trained networks are over-parametrized: many weights can be set to zero with
# little loss of accuracy, which makes the model smaller to store and ship (sparse
# formats), cheaper to run on hardware or kernels that skip zeros, and sometimes better
# regularized. **What to prune.** The usual criterion is magnitude: a weight near zero
# contributes little (|w|·|x|). Prune layer by layer (the same fraction of each layer) or
# globally (one threshold for all layers, so layers with many small weights lose more);
# then fine-tune with the pruned weights held at zero, possibly in several rounds.
#
# glassnet's `nn.prune` does it as PyTorch does: `prune.magnitude(layer, "weight", 0.9)`,
# `prune.global_magnitude([(layer, "weight"), ...], 0.9)`, `prune.random(...)` for the
# baseline; a mask buffer keeps pruned weights at zero through every optimizer step and
# travels in checkpoints. We prune a trained MLP at increasing sparsity three ways, then
# fine-tune one and save and reload it.

# %%
import tempfile
from pathlib import Path

import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import models, nn, optim
from glassnet.nn import prune
from glassnet.plot.figure import new_figure
from glassnet.train.trainer import Trainer

lab = Lab("34. Pruning: why, and how to choose what to prune.")
(X, y), _, (X_test, y_test) = lab.fashion_mnist(lab.choose(4000, 2000), lab.choose(2000, 1000))


def fresh():
    return models.mlp(196, [256, 128], 10, generator=np.random.default_rng(0))


def accuracy(model):
    model.eval()
    with gn.no_grad():
        return float((model(gn.tensor(X_test)).data.argmax(axis=1) == y_test).mean())


def linears(model):
    return [m for m in model if isinstance(m, nn.Linear)]


dense = fresh()
Trainer(dense, nn.CrossEntropyLoss(), optim.Adam(dense.parameters(), lr=1e-3),
        generator=np.random.default_rng(1)).fit((X, y), epochs=lab.choose(8, 5), batch_size=64)
dense_accuracy, trained = accuracy(dense), dense.state_dict()
print(f"dense MLP: {sum(p.size for p in dense.parameters())} parameters, test accuracy "
      f"{dense_accuracy:.3f}")


def pruned(method, sparsity):
    model = fresh()
    model.load_state_dict(trained)
    if method == "layer-wise magnitude":
        for layer in linears(model):
            prune.magnitude(layer, "weight", amount=sparsity)
    elif method == "global magnitude":
        prune.global_magnitude([(layer, "weight") for layer in linears(model)], amount=sparsity)
    else:
        for layer in linears(model):
            prune.random(layer, "weight", amount=sparsity, generator=np.random.default_rng(2))
    return model


levels = [0.5, 0.7, 0.8, 0.9, 0.95]
methods = ["layer-wise magnitude", "global magnitude", "random"]
results = {(m, s): accuracy(pruned(m, s)) for m in methods for s in levels}
lab.table(["weights pruned", *methods],
          [[f"{s:.0%}", *(results[m, s] for m in methods)] for s in levels])
lab.claim("half of the weights can go at almost no cost (the network is over-parametrized)",
          results["global magnitude", 0.5] > dense_accuracy - 0.03,
          f"50% pruned: {results['global magnitude', 0.5]:.3f} vs dense {dense_accuracy:.3f}")
lab.claim("magnitude is the right criterion: random pruning of the same amount collapses",
          results["global magnitude", 0.8] > results["random", 0.8] + 0.2,
          f"80% pruned: magnitude {results['global magnitude', 0.8]:.3f}, random "
          f"{results['random', 0.8]:.3f}")
lab.claim("one global threshold beats the same fraction per layer at high sparsity",
          all(results["global magnitude", s] >= results["layer-wise magnitude", s]
              for s in (0.7, 0.8, 0.9)),
          "; ".join(f"{s:.0%}: {results['global magnitude', s]:.3f} vs "
                    f"{results['layer-wise magnitude', s]:.3f}" for s in (0.7, 0.8, 0.9)))
per_layer = prune.sparsity(pruned("global magnitude", 0.9)).per_parameter
print("where the global threshold prunes (90% overall): "
      + ", ".join(f"{k}: {v:.1%}" for k, v in per_layer.items()))

# %% [markdown]
# ## Fine-tune at 90% sparsity: the masks hold through training and through a checkpoint

# %%
model = pruned("global magnitude", 0.9)
before_tuning = accuracy(model)
Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-3),
        generator=np.random.default_rng(3)).fit((X, y), epochs=lab.choose(4, 2), batch_size=64)
after_tuning = accuracy(model)
report = prune.sparsity(model)
zeros = sum(int((layer.weight.data == 0).sum()) for layer in linears(model))
total = sum(layer.weight.size for layer in linears(model))
lab.claim("fine-tuning with the masks recovers most of the accuracy, and every pruned weight "
          "is still exactly zero after the optimizer steps",
          after_tuning > before_tuning + 0.05 and after_tuning > dense_accuracy - 0.05
          and zeros == round(0.9 * total),
          f"{before_tuning:.3f} → {after_tuning:.3f} (dense {dense_accuracy:.3f}); {zeros} of "
          f"{total} weights are 0 ({report.total:.1%})")
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "pruned.safetensors"
    gn.save(model, path)
    reloaded = gn.load(path)
with gn.no_grad():
    same = np.array_equal(reloaded(gn.tensor(X_test)).data, model(gn.tensor(X_test)).data)
lab.claim("glassnet.save/load brings the model back pruned, masks and all",
          same and prune.sparsity(reloaded) == report,
          f"identical predictions: {same}; sparsity {prune.sparsity(reloaded).total:.1%}")

# %%
figure = new_figure(11, 4)
left, right = figure.subplots(1, 2)
for method, style in zip(methods, ("o-", "s-", "^:")):
    left.plot([0] + levels, [dense_accuracy] + [results[method, s] for s in levels], style,
              label=method)
left.plot([0.9], [after_tuning], "*", markersize=14, color="C3",
          label="global 90%, after fine-tuning")
left.set(xlabel="fraction of weights pruned (one shot)", ylabel="test accuracy",
         title="Accuracy against sparsity")
left.legend(fontsize=8)
weights = np.abs(np.concatenate([layer.weight.data.ravel() for layer in linears(dense)]))
threshold = np.quantile(weights, 0.9)
for index, layer in enumerate(linears(dense)):
    right.hist(np.abs(layer.weight.data.ravel()), bins=60, histtype="step", density=True,
               label=f"layer {index + 1} ({per_layer[f'{2 * index + 1}.weight']:.0%} pruned)")
right.axvline(threshold, color="k", linestyle=":", label="global 90% threshold")
right.set(xlabel="|w|", ylabel="density", title="Weight magnitudes per layer", xlim=(0, 0.3))
right.legend(fontsize=8)
for ax in (left, right):
    ax.grid(alpha=0.3)
lab.save(figure, "34_pruning.png")

lab.answer(f"Pruning makes a model smaller and cheaper because most weights are redundant (50% "
           f"pruned: {results['global magnitude', 0.5]:.3f} vs {dense_accuracy:.3f} dense). "
           f"Prune by magnitude (random 80%: {results['random', 0.8]:.2f} vs "
           f"{results['global magnitude', 0.8]:.2f}), globally rather than per layer (90%: "
           f"{results['global magnitude', 0.9]:.2f} vs {results['layer-wise magnitude', 0.9]:.2f}),"
           f" then fine-tune with the masks ({before_tuning:.2f} → {after_tuning:.2f}).")
lab.finish()
