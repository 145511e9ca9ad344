# %% [markdown]
# # 24. Batch size 1, the full batch, and scaling the learning rate with the batch
#
# - **Batch size 1**: the gradient of one example is a very noisy estimate (its variance is
#   the per-example variance σ²); training is a random walk with a drift, needs a small rate,
#   gets no help from vectorized math (an epoch costs N separate steps), and batch norm cannot
#   work (no batch to take statistics over).
# - **The whole training set**: the exact gradient, smooth progress, but one step per pass
#   over the data, all of it in memory at once, and none of the noise that helps SGD escape
#   sharp minima and saddles.
# - In between, the noise of a mini-batch gradient shrinks as σ²/B. So with B k times
#   larger, the step can be about k times larger for the same progress per example: the
#   **linear scaling rule** lr ∝ B (Goyal et al. 2017; `schedule.scale_lr_for_batch`), which
#   holds up to a limit and then breaks (warm-up pushes the limit; for Adam √k is common).
#
# We measure the noise, the cost per epoch, and the scaling rule on Fashion-MNIST.

# %%
import time

import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import models, optim
from glassnet.nn.loss import cross_entropy
from glassnet.optim import schedule
from glassnet.plot.figure import new_figure

lab = Lab("24. Batch size 1, full batch, and scaling the learning rate with the batch size.")
(X, y), _, _ = lab.fashion_mnist(lab.choose(4000, 2000), 0)
N = len(X)

# %% [markdown]
# ## The noise of a mini-batch gradient: σ²/B

# %%
model = models.mlp(196, [64], 10, generator=np.random.default_rng(0))


def gradient(index):
    model.zero_grad()
    cross_entropy(model(gn.tensor(X[index])), y[index]).backward()
    return np.concatenate([p.grad.ravel() for p in model.parameters()]).astype(np.float64)


full = gradient(np.arange(N))
rng = np.random.default_rng(1)
sizes = [1, 4, 16, 64, 256]
variance = {B: np.mean([np.sum((gradient(rng.choice(N, B, replace=False)) - full) ** 2)
                        for _ in range(lab.choose(60, 25))]) for B in sizes}
# Without replacement the variance is σ²/B times the finite-population factor (N−B)/(N−1).
sigma2 = {B: variance[B] * B * (N - 1) / (N - B) for B in sizes}
lab.table(["B", "E‖g_B − g‖²", "B·E‖g_B − g‖²·(N−1)/(N−B)  (= σ²)"],
          [[B, variance[B], sigma2[B]] for B in sizes])
spread = max(sigma2.values()) / min(sigma2.values())
lab.claim("the mini-batch gradient's variance falls as 1/B", spread < 1.5,
          f"σ² estimates agree within ×{spread:.2f} while B grows 256×")

# %% [markdown]
# ## Cost of an epoch, and the linear scaling rule

# %%
def train(batch, lr, epochs):
    model = models.mlp(196, [128], 10, generator=np.random.default_rng(0))
    optimizer, order, losses = optim.SGD(model.parameters(), lr=lr), np.random.default_rng(1), []
    started = time.perf_counter()
    with np.errstate(all="ignore"):
        for _ in range(epochs):
            for index in np.array_split(order.permutation(N), N // batch):
                loss = cross_entropy(model(gn.tensor(X[index])), y[index])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            with gn.no_grad():
                losses.append(cross_entropy(model(gn.tensor(X)), y).item())
    return np.array(losses), (time.perf_counter() - started) / epochs


seconds = {1: train(1, 0.005, 1)[1], N: train(N, 0.5, 1)[1]}
epochs, base_batch, base_lr = lab.choose(5, 3), 16, 0.02
batches = [16, 64, 256, 1024]
fixed, scaled = {}, {}
for B in batches:
    fixed[B], seconds[B] = train(B, base_lr, epochs)
    lr = schedule.scale_lr_for_batch(base_lr, B, base_batch)
    scaled[B] = train(B, lr, epochs)[0]
lab.table(["batch size", "seconds per epoch"], [[B, seconds[B]] for B in sorted(seconds)])
lab.claim("batch size 1 makes an epoch far slower than mini-batches (no vectorization)",
          seconds[1] > 10 * seconds[64], f"{seconds[1]:.2f} s vs {seconds[64]:.3f} s per epoch")
lab.table(["batch", "lr fixed at 0.02: final loss", "lr × B/16: lr", "final loss"],
          [[B, fixed[B][-1], schedule.scale_lr_for_batch(base_lr, B, base_batch), scaled[B][-1]]
           for B in batches])
reference = scaled[base_batch][-1]
within = [B for B in (64, 256) if abs(scaled[B][-1] - reference) < 0.15 * reference
          and fixed[B][-1] > scaled[B][-1] * 1.2]
lab.claim("scaling the rate with the batch keeps the progress per epoch; a fixed rate falls "
          "behind", within == [64, 256],
          "; ".join(f"B={B}: {scaled[B][-1]:.3f} scaled vs {fixed[B][-1]:.3f} fixed" for B in
                    (64, 256)) + f" (B=16: {reference:.3f})")
lab.claim("the rule has a limit: at B = 1024 the scaled rate (1.28) is too large",
          scaled[1024][-1] > 1.5 * reference,
          f"final loss {scaled[1024][-1]:.3f} vs {reference:.3f} at B = 16")

# %%
figure = new_figure(12, 4)
axes = figure.subplots(1, 3)
axes[0].loglog(sizes, [variance[B] for B in sizes], "o-", label="measured E‖g_B − g‖²")
axes[0].loglog(sizes, [sigma2[1] / B * (N - B) / (N - 1) for B in sizes], "k:",
               label="σ²/B (finite-population corrected)")
axes[0].set(xlabel="batch size B", ylabel="gradient noise", title="Noise of a mini-batch "
            "gradient")
order = sorted(seconds)
axes[1].loglog(order, [seconds[B] for B in order], "o-")
axes[1].set(xlabel="batch size (1 … full set)", ylabel="seconds per epoch",
            title="Cost of one pass over the data")
epoch_axis = np.arange(1, epochs + 1)
for index, B in enumerate(batches):
    axes[2].plot(epoch_axis, np.clip(scaled[B], None, 3), "-", color=f"C{index}",
                 label=f"B={B}, lr {schedule.scale_lr_for_batch(base_lr, B, base_batch):g}")
    axes[2].plot(epoch_axis, fixed[B], ":", color=f"C{index}", label=f"B={B}, lr 0.02")
axes[2].set(xlabel="epoch", ylabel="training loss", title="Linear scaling (solid) vs fixed lr "
            "(dotted)")
for ax in axes:
    ax.grid(alpha=0.3)
    if ax is not axes[1]:
        ax.legend(fontsize=7)
lab.save(figure, "24_batch_size.png")

lab.answer(f"Batch 1: noisiest gradient (variance σ²/B), {seconds[1] / seconds[64]:.0f}× slower "
           f"epochs, no batch norm; full batch: exact, smooth, one step per epoch. Scale the rate "
           f"with the batch (linear rule): at B=256 lr 0.32 reached {scaled[256][-1]:.2f} vs "
           f"{fixed[256][-1]:.2f} with lr 0.02 (B=16: {reference:.2f}), until it breaks (B=1024: "
           f"{scaled[1024][-1]:.2f}).")
lab.finish()
