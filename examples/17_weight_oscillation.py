# %% [markdown]
# # 17. Weights that fluctuate a lot in training: the effect, and what to do
#
# Weights that jump back and forth (a large learning rate meeting noisy mini-batch
# gradients, or a steep valley crossed from wall to wall) mean the model you evaluate
# depends on the step at which you happen to stop: the validation loss swings from one
# evaluation to the next and sits above what the same run could reach. Remedies:
#
# - **average the weights**: an exponential moving average θ̄ ← β·θ̄ + (1 − β)·θ
#   (`optim.EMA`) evaluates the centre of the oscillation instead of a point on it;
# - **a smaller or decaying learning rate** shrinks the swings (see questions 18 and 23);
# - **momentum** smooths the update direction (consecutive steps stop flipping sign), though
#   it raises the effective step to lr/(1 − μ), so lower lr with it;
# - larger batches (less gradient noise), gradient clipping against rare huge steps.
#
# We train an MLP on Fashion-MNIST with plain SGD at a high learning rate and measure each.

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import models, optim
from glassnet.nn.loss import cross_entropy
from glassnet.plot.figure import new_figure

lab = Lab("17. Weights that oscillate a lot: effect and remedies (lr, momentum, EMA).")
(X, y), (X_val, y_val), _ = lab.fashion_mnist(3000, 0, n_val=lab.choose(1000, 500))
steps, every = lab.choose(600, 300), 20


def run(lr, momentum):
    """Mini-batch SGD; every ``every`` steps the validation loss of the weights and of their
    EMA; the share of weights whose update changed sign from one step to the next."""
    model = models.mlp(196, [128], 10, generator=np.random.default_rng(0))
    optimizer = optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    ema = optim.EMA(model, decay=0.98)
    order, raw, averaged, flips, previous, track = np.random.default_rng(1), [], [], [], None, []
    for step in range(1, steps + 1):
        index = order.integers(0, len(X), 32)
        loss = cross_entropy(model(gn.tensor(X[index])), y[index])
        optimizer.zero_grad()
        loss.backward()
        before = model[1].weight.data.copy()
        optimizer.step()
        ema.update()
        update = model[1].weight.data - before
        if previous is not None:
            flips.append(np.mean(np.sign(update) != np.sign(previous)))
        previous = update
        track.append((model[1].weight.data[0, :3].copy(), ema.shadow[0][0, :3].copy()))
        if step % every == 0:
            with gn.no_grad():
                raw.append(cross_entropy(model(gn.tensor(X_val)), y_val).item())
                with ema.averaged():
                    averaged.append(cross_entropy(model(gn.tensor(X_val)), y_val).item())
    last = len(raw) // 3  # the last third of training
    return {"raw": np.array(raw), "ema": np.array(averaged), "flips": float(np.mean(flips)),
            "raw_spread": float(np.std(raw[-last:])), "ema_spread": float(np.std(averaged[-last:])),
            "raw_mean": float(np.mean(raw[-last:])), "ema_mean": float(np.mean(averaged[-last:])),
            "track": track}


runs = {"lr 0.5": run(0.5, 0.0), "lr 0.05": run(0.05, 0.0),
        "lr 0.05, momentum 0.9": run(0.05, 0.9), "lr 0.005, momentum 0.9": run(0.005, 0.9)}
lab.table(["SGD", "val loss (last third)", "± swing (std)", "EMA of weights", "± swing",
           "updates flipping sign"],
          [[k, r["raw_mean"], r["raw_spread"], r["ema_mean"], r["ema_spread"], r["flips"]]
           for k, r in runs.items()])
high = runs["lr 0.5"]
lab.claim("at a high learning rate the evaluated model swings from one evaluation to the next",
          high["raw_spread"] > 0.02, f"val loss {high['raw_mean']:.3f} ± {high['raw_spread']:.3f}"
          f", range {np.ptp(high['raw'][-len(high['raw']) // 3:]):.3f} over the last third")
lab.claim("an EMA of the same weights evaluates lower and far steadier",
          high["ema_mean"] < high["raw_mean"] and high["ema_spread"] < high["raw_spread"] / 3,
          f"{high['ema_mean']:.3f} ± {high['ema_spread']:.3f} vs {high['raw_mean']:.3f} ± "
          f"{high['raw_spread']:.3f}")
lab.claim("a 10× smaller learning rate shrinks the swings",
          runs["lr 0.05"]["raw_spread"] < high["raw_spread"],
          f"± {runs['lr 0.05']['raw_spread']:.3f} vs ± {high['raw_spread']:.3f}")
lab.claim("momentum smooths the direction: far fewer updates reverse sign from step to step",
          runs["lr 0.05, momentum 0.9"]["flips"] < 0.5 * runs["lr 0.05"]["flips"],
          f"{runs['lr 0.05, momentum 0.9']['flips']:.0%} vs {runs['lr 0.05']['flips']:.0%} "
          "without momentum (≈ 50%: each step's noise decides the sign)")

# %%
figure = new_figure(11, 4)
left, right = figure.subplots(1, 2)
axis = np.arange(1, len(high["raw"]) + 1) * every
for index, (name, r) in enumerate(runs.items()):
    left.plot(axis, r["raw"], color=f"C{index}", alpha=0.8, label=f"{name}")
    left.plot(axis, r["ema"], "--", color=f"C{index}", label=f"{name}, EMA")
left.set(xlabel="step", ylabel="validation loss", title="Raw weights (solid) vs their EMA "
         "(dashed)", ylim=(0.4, 1.2))
left.legend(fontsize=7, ncol=2)
weights = np.array([w for w, _ in high["track"]])
averages = np.array([a for _, a in high["track"]])
for k in range(3):
    right.plot(weights[:, k], color=f"C{k}", alpha=0.5, linewidth=0.8)
    right.plot(averages[:, k], color=f"C{k}", linewidth=2)
right.set(xlabel="step", ylabel="weight value", title="Three weights at lr 0.5: raw (thin) and "
          "EMA (thick)")
for ax in (left, right):
    ax.grid(alpha=0.3)
lab.save(figure, "17_weight_oscillation.png")

lab.answer(f"The evaluated model then depends on when you stop (val loss {high['raw_mean']:.2f} "
           f"± {high['raw_spread']:.2f} at lr 0.5); an EMA of the weights gave "
           f"{high['ema_mean']:.2f} ± {high['ema_spread']:.3f}, a 10× lower lr ± "
           f"{runs['lr 0.05']['raw_spread']:.2f}, and momentum cut sign reversals of the updates "
           f"from {runs['lr 0.05']['flips']:.0%} to {runs['lr 0.05, momentum 0.9']['flips']:.0%}.")
lab.finish()
