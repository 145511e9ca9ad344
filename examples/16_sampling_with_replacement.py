# %% [markdown]
# # 16. Why train in epochs (sampling without replacement) rather than sampling with replacement?
#
# SGD's textbook analysis draws every example independently, with replacement. In practice
# we shuffle once per epoch and visit every example exactly once ("random reshuffling").
# Why:
#
# - **Coverage.** Drawing N times with replacement misses (1 − 1/N)^N ≈ 1/e ≈ 37% of the
#   examples in an epoch and repeats others; an epoch without replacement uses each once.
# - **Less noise.** At fixed weights, the mean of the gradients over an epoch without
#   replacement *is* the full gradient; with replacement it is a noisy estimate of it. So
#   over an epoch the noise partly cancels, and at a constant learning rate random
#   reshuffling settles closer to the optimum (its error shrinks like η², not η).
# - **Practicalities**: sequential reading of files, a clear unit for schedules,
#   checkpoints and validation.
#
# glassnet's `DataLoader` does both (`sampler="epoch"` or `"with_replacement"`); we measure
# each point.

# %%
import numpy as np
from _lab import Lab

from glassnet.data import DataLoader
from glassnet.plot.figure import new_figure

lab = Lab("16. Epochs without replacement vs sampling with replacement.")

# %% [markdown]
# ## Coverage of one epoch

# %%
N = 10_000
counts = {}
for sampler in ("epoch", "with_replacement"):
    loader = DataLoader((np.arange(N),), batch_size=500, shuffle=True, sampler=sampler,
                        generator=np.random.default_rng(0))
    drawn = np.concatenate([batch for (batch,) in loader])
    counts[sampler] = np.bincount(drawn, minlength=N)
missed = float(np.mean(counts["with_replacement"] == 0))
lab.claim("without replacement every example is used exactly once per epoch",
          np.all(counts["epoch"] == 1), f"counts from {counts['epoch'].min()} to "
          f"{counts['epoch'].max()}")
lab.claim("with replacement an epoch misses about 1/e of the examples",
          abs(missed - np.exp(-1)) < 0.02,
          f"{missed:.3f} never drawn (1/e = {np.exp(-1):.3f}); one was drawn "
          f"{counts['with_replacement'].max()} times")

# %% [markdown]
# ## At fixed weights, the epoch's mean gradient vs the full gradient (least squares)

# %%
rng = np.random.default_rng(1)
n, d, batch = 250, 10, 5
X = rng.standard_normal((n, d)) * np.linspace(0.3, 2.0, d)
w_true = rng.standard_normal(d)
y = X @ w_true + 0.5 * rng.standard_normal(n)
w_star = np.linalg.lstsq(X, y, rcond=None)[0]


def gradient(w, index):
    return X[index].T @ (X[index] @ w - y[index]) / len(index)


w_probe = np.zeros(d)
full = gradient(w_probe, np.arange(n))
errors = {}
for sampler in ("epoch", "with_replacement"):
    loader = DataLoader((np.arange(n),), batch_size=batch, shuffle=True, sampler=sampler,
                        generator=np.random.default_rng(2))
    mean = np.mean([gradient(w_probe, index) for (index,) in loader], axis=0)
    errors[sampler] = np.linalg.norm(mean - full) / np.linalg.norm(full)
lab.claim("the mean gradient over an epoch without replacement is the full gradient exactly; "
          "with replacement it is not", errors["epoch"] < 1e-12 < 0.01 < errors["with_replacement"],
          f"relative error {errors['epoch']:.1e} vs {errors['with_replacement']:.3f}")

# %% [markdown]
# ## Training with a constant learning rate: how close does each get?

# %%
epochs, seeds = lab.choose(40, 15), lab.choose(8, 3)
rates = [0.03, 0.1]


def optimality_gap(w):
    return 0.5 * np.mean((X @ w - y) ** 2) - 0.5 * np.mean((X @ w_star - y) ** 2)


curves = {}
for lr in rates:
    for sampler in ("epoch", "with_replacement"):
        runs = []
        for seed in range(seeds):
            loader = DataLoader((X, y), batch_size=batch, shuffle=True, sampler=sampler,
                                generator=np.random.default_rng(100 + seed))
            w, gaps = np.zeros(d), []
            for _ in range(epochs):
                for xb, yb in loader:
                    w -= lr * xb.T @ (xb @ w - yb) / len(yb)
                gaps.append(optimality_gap(w))
            runs.append(gaps)
        curves[lr, sampler] = np.mean(runs, axis=0)
rows = []
for lr in rates:
    reshuffled = curves[lr, "epoch"][-epochs // 3:].mean()
    replaced = curves[lr, "with_replacement"][-epochs // 3:].mean()
    rows.append([lr, reshuffled, replaced, replaced / reshuffled])
lab.table(["lr", "gap, without replacement", "gap, with replacement", "ratio"], rows)
lab.claim("at a constant learning rate, epochs without replacement settle closer to the "
          "optimum", all(r[3] > 1.1 for r in rows),
          "loss above the optimum over the last third of training, with/without: "
          + ", ".join(f"lr {r[0]}: {r[3]:.1f}×" for r in rows))

# %%
figure = new_figure(11, 4)
left, right = figure.subplots(1, 2)
bins = np.arange(0, counts["with_replacement"].max() + 2) - 0.5
left.hist(counts["with_replacement"], bins=bins, color="C1", alpha=0.8,
          label="with replacement (Poisson(1))")
left.hist(counts["epoch"], bins=bins, color="C0", alpha=0.6, label="without (exactly 1)")
left.set(xlabel="times an example is drawn in one epoch", ylabel="examples",
         title=f"One epoch over N = {N}")
left.legend(fontsize=8)
for index, lr in enumerate(rates):
    right.semilogy(np.arange(1, epochs + 1), curves[lr, "epoch"], color=f"C{index}",
                   label=f"lr {lr}, without replacement")
    right.semilogy(np.arange(1, epochs + 1), curves[lr, "with_replacement"], "--",
                   color=f"C{index}", label=f"lr {lr}, with replacement")
right.set(xlabel="epoch", ylabel="loss − optimal loss",
          title=f"Least squares, batch {batch}, mean of {seeds} seeds")
right.legend(fontsize=8)
for ax in (left, right):
    ax.grid(alpha=0.3)
lab.save(figure, "16_sampling_with_replacement.png")

lab.answer(f"Epochs use every example exactly once (with replacement {missed:.0%} are missed per "
           f"epoch), their mean gradient equals the full gradient (error {errors['epoch']:.0e} "
           f"vs {errors['with_replacement']:.2f}), so noise cancels and constant-lr SGD settles "
           f"{min(r[3] for r in rows):.1f}–{max(r[3] for r in rows):.1f}× closer to the optimum; "
           "plus sequential I/O and a natural unit for schedules.")
lab.finish()
