# %% [markdown]
# # 32. Sources of randomness in a neural network, and why randomness helps
#
# **Sources**: the initial weights; the order of the training examples (shuffling) and so
# the make-up of every mini-batch; dropout masks; random data augmentation; the random
# train/validation split; random hyperparameter search; and, on GPUs, non-deterministic
# kernels (glassnet on NumPy is deterministic: the same seeds give the same bits).
#
# **Why it helps**: random weights break the symmetry between units (question 31); the
# noise of mini-batch gradients lets SGD slide off saddle points and out of sharp minima,
# where the exact gradient would stall; dropout and augmentation regularize; and networks
# trained from different seeds make different mistakes, so their average (an ensemble) is
# better than a typical one of them (how much better grows with their diversity).
#
# We train the same MLP on Fashion-MNIST varying one source at a time, check that fixing
# all seeds reproduces a run exactly, and then look at a saddle point and an ensemble.

# %%
import numpy as np
from _lab import Lab

from glassnet import models, nn, optim
from glassnet.plot.figure import new_figure
from glassnet.train.trainer import Trainer

lab = Lab("32. Sources of randomness, and why randomness helps.")
(pool_x, pool_y), _, (X_test, y_test) = lab.fashion_mnist(lab.choose(2500, 1200),
                                                          lab.choose(2000, 1000))
n_train = lab.choose(2000, 1000)
epochs, seeds = lab.choose(5, 3), lab.choose(5, 3)


def run(init=0, order=0, dropout=0, split=0):
    """Train with one seed per source; returns test accuracy, class probabilities, weights."""
    chosen = np.random.default_rng(split).permutation(len(pool_x))[:n_train]
    model = models.mlp(196, [128], 10, dropout=0.3, generator=np.random.default_rng(init))
    for module in model.modules():
        if isinstance(module, nn.Dropout):
            module.generator = np.random.default_rng(1000 + dropout)
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-3),
                      generator=np.random.default_rng(2000 + order))
    trainer.fit((pool_x[chosen], pool_y[chosen]), epochs=epochs, batch_size=64)
    scores = trainer.predict(X_test)
    probabilities = np.exp(scores - scores.max(axis=1, keepdims=True))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    weights = np.concatenate([p.data.ravel() for p in model.parameters()])
    return float((scores.argmax(axis=1) == y_test).mean()), probabilities, weights


# %% [markdown]
# ## Same seeds, same bits

# %%
first, second = run(), run()
lab.claim("with every seed fixed, two runs give bit-identical weights",
          np.array_equal(first[2], second[2]), f"max difference "
          f"{np.abs(first[2] - second[2]).max():.1e} over {first[2].size} weights")

# %% [markdown]
# ## One source at a time

# %%
sources = ["init", "order", "dropout", "split"]
accuracy, probabilities = {}, {}
for source in sources:
    runs = [run(**{source: seed}) for seed in range(1, seeds + 1)]
    accuracy[source] = np.array([r[0] for r in runs])
    probabilities[source] = [r[1] for r in runs]
names = {"init": "initial weights", "order": "shuffling order", "dropout": "dropout masks",
         "split": "which examples are in the training set"}
lab.table(["varied source (others fixed)", "test accuracies", "spread (max − min)"],
          [[names[s], " ".join(f"{a:.3f}" for a in accuracy[s]), np.ptp(accuracy[s])]
           for s in sources])
lab.claim("each source alone changes the trained model's test accuracy",
          all(np.ptp(accuracy[s]) > 0 for s in sources),
          ", ".join(f"{names[s]}: ±{np.std(accuracy[s]):.3f}" for s in sources))

# %% [markdown]
# ## Why it helps (1): noise escapes a saddle point that stops exact gradient descent

# %%
def saddle_gradient(p):  # f(x, y) = x² − y² + y⁴/2: a saddle at 0, minima at y = ±1
    return np.array([2 * p[0], -2 * p[1] + 2 * p[1] ** 3])


def f(p):
    return p[0] ** 2 - p[1] ** 2 + p[1] ** 4 / 2


noise_rng = np.random.default_rng(5)
exact, noisy = np.array([0.5, 0.0]), np.array([0.5, 0.0])
exact_path, noisy_path = [exact.copy()], [noisy.copy()]
for _ in range(200):
    exact = exact - 0.05 * saddle_gradient(exact)
    noisy = noisy - 0.05 * (saddle_gradient(noisy) + 0.1 * noise_rng.standard_normal(2))
    exact_path.append(exact.copy())
    noisy_path.append(noisy.copy())
lab.claim("exact gradient descent converges to the saddle (f = 0) and stays; noisy gradients "
          "find a minimum (f = −0.5)", abs(f(exact)) < 1e-6 and f(noisy) < -0.4,
          f"f after 200 steps: exact {f(exact):.2e}, noisy {f(noisy):.3f}")

# %% [markdown]
# ## Why it helps (2): models from different seeds make different mistakes

# %%
members = probabilities["init"]
average = np.mean(members, axis=0)
ensemble = float((average.argmax(axis=1) == y_test).mean())


def log_loss(p):
    return float(-np.log(p[np.arange(len(y_test)), y_test] + 1e-12).mean())


member_losses = [log_loss(p) for p in members]
lab.claim("averaging the networks trained from different initial weights beats a typical "
          "member (the mean member) in test loss and accuracy",
          log_loss(average) < np.mean(member_losses) and ensemble > accuracy["init"].mean(),
          f"ensemble of {seeds}: loss {log_loss(average):.4f} vs members "
          f"{min(member_losses):.4f}–{max(member_losses):.4f}; accuracy {ensemble:.3f} vs mean "
          f"{accuracy['init'].mean():.3f}")

# %%
figure = new_figure(12, 4)
axes = figure.subplots(1, 3, width_ratios=[1.4, 1, 1])
for k, source in enumerate(sources):
    axes[0].scatter(np.full(seeds, k), accuracy[source], color=f"C{k}", s=25)
axes[0].axhline(first[0], color="0.5", linestyle=":", label="all seeds 0")
axes[0].set(xticks=range(4), xticklabels=["init", "shuffling", "dropout", "split"],
            ylabel="test accuracy", title="Varying one source of randomness")
axes[0].legend(fontsize=8)
grid = np.linspace(-1.6, 1.6, 200)
A, B = np.meshgrid(grid, grid)
axes[1].contour(A, B, A**2 - B**2 + B**4 / 2, levels=15, colors="0.75")
for path, label, color in ((np.array(exact_path), "exact gradient", "C3"),
                           (np.array(noisy_path), "noisy gradient", "C0")):
    axes[1].plot(path[:, 0], path[:, 1], ".-", markersize=2, color=color, label=label)
axes[1].set(xlabel="x", ylabel="y", title="f = x² − y² + y⁴/2 from (0.5, 0)")
axes[1].legend(fontsize=8)
axes[2].bar(range(1, seeds + 1), accuracy["init"], color="C0", label="single networks")
axes[2].axhline(ensemble, color="C3", label="their average (ensemble)")
axes[2].set(xlabel="initialization seed", ylabel="test accuracy", title="An ensemble of seeds",
            ylim=(min(accuracy["init"].min(), ensemble) - 0.02, ensemble + 0.02))
axes[2].legend(fontsize=8)
for ax in axes:
    ax.grid(alpha=0.3)
lab.save(figure, "32_sources_of_randomness.png")

lab.answer(f"Initial weights, shuffling/batch composition, dropout masks, the data split (and "
           f"augmentation, search, GPU kernels) — each alone moved test accuracy here by up to "
           f"{max(np.ptp(accuracy[s]) for s in sources):.3f}, and fixed seeds reproduce a run "
           f"bit for bit. It helps: it breaks symmetry, gradient noise left a saddle that exact "
           f"GD stayed on (f {f(noisy):.2f} vs {f(exact):.0e}), and an ensemble of seeds reached "
           f"accuracy {ensemble:.3f} vs {accuracy['init'].mean():.3f} for the mean member.")
lab.finish()
