# %% [markdown]
# # 23. Decaying the learning rate: the motivation, and the exceptions
#
# **Motivation.** Early on a large rate makes fast progress; near a minimum the same rate
# keeps bouncing around it, because every mini-batch gradient is noisy: with a constant
# rate η, SGD hovers at a "noise floor" that grows with η. Decaying the rate (step decay,
# cosine, 1/t, ...) keeps the fast start and then lets the noise die out. A small constant
# rate would reach a low floor too, but slowly.
#
# **Exceptions** — when decaying hurts or is not wanted:
#
# - **non-stationary data** (online learning, a stream that drifts, continual learning): a
#   decayed rate can no longer follow the data when it changes;
# - **decaying too early** freezes the model before it got anywhere good;
# - fine-tuning with an already small rate, warm restarts (SGDR) that raise it again on
#   purpose, adaptive methods that already shrink steps per parameter — and schedules that
#   keep a floor instead of going to zero.
#
# We train softmax regression on Fashion-MNIST with mini-batch SGD and several schedules
# from `glassnet.optim.schedule`, then change the labels half way to play a drifting stream.

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import optim
from glassnet.nn.loss import cross_entropy
from glassnet.optim import schedule
from glassnet.plot.figure import new_figure

lab = Lab("23. Decaying the learning rate: why, and the exceptions.")
(X, y), _, _ = lab.fashion_mnist(lab.choose(3000, 1000), 0)
epochs, batch = lab.choose(20, 10), 32
steps_per_epoch = len(X) // batch
total = epochs * steps_per_epoch


def run(lr, shift_at=None):
    """Full training loss after every epoch; from epoch ``shift_at`` on, every label k
    becomes (k + 1) mod 10 — a stream whose meaning changed."""
    W, b = gn.zeros(196, 10, requires_grad=True), gn.zeros(10, requires_grad=True)
    optimizer, order, labels, losses = optim.SGD([W, b], lr=lr), np.random.default_rng(0), y, []
    for epoch in range(epochs):
        if shift_at is not None and epoch == shift_at:
            labels = (y + 1) % 10
        for index in np.array_split(order.permutation(len(X)), steps_per_epoch):
            loss = cross_entropy(gn.tensor(X[index]) @ W + b, labels[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with gn.no_grad():
            losses.append(cross_entropy(gn.tensor(X) @ W + b, labels).item())
    return np.array(losses)


schedules = {
    "constant 0.3": 0.3,
    "constant 0.01": 0.01,
    "step decay 0.3 → 0.03 at 60%": schedule.piecewise([int(0.6 * total)], [0.3, 0.03]),
    "cosine from 0.3": schedule.cosine(0.3, total),
    "step decay at 10% (too early)": schedule.piecewise([int(0.1 * total)], [0.3, 0.03]),
}
curves = {name: run(lr) for name, lr in schedules.items()}
lab.table(["schedule", "loss after 25%", "50%", "final", "best epoch's"],
          [[k, c[epochs // 4 - 1], c[epochs // 2 - 1], c[-1], c.min()] for k, c in curves.items()])
big, small, step, cosine, early = curves.values()
lab.claim("with decay the loss ends lower than with either constant rate",
          max(step[-1], cosine[-1]) < min(big[-1], small[-1]),
          f"step {step[-1]:.3f}, cosine {cosine[-1]:.3f} vs constant 0.3: {big[-1]:.3f}, "
          f"constant 0.01: {small[-1]:.3f}")
lab.claim("a small constant rate avoids the floor but is slow: behind the large one early on",
          small[epochs // 4 - 1] > big[epochs // 4 - 1],
          f"after 25% of training: {small[epochs // 4 - 1]:.3f} vs {big[epochs // 4 - 1]:.3f}")
lab.claim("exception — decaying too early freezes the model before it got far",
          early[-1] > step[-1] * 1.05, f"decay at 10%: {early[-1]:.3f} vs at 60%: {step[-1]:.3f}")

# %% [markdown]
# ## Exception: the data changes after the rate has decayed

# %%
shift = epochs // 2
drifting = {"constant 0.1": run(0.1, shift),
            "decayed to 0.003 at 40%": run(schedule.piecewise([int(0.4 * total)],
                                                              [0.3, 0.003]), shift)}
constant, decayed = drifting.values()
lab.table(["schedule", "before the change", "right after", "final"],
          [[k, c[shift - 1], c[shift], c[-1]] for k, c in drifting.items()])
lab.claim("exception — on a drifting stream the constant rate re-learns, the decayed one "
          "cannot", constant[-1] < 1.3 * constant[shift - 1] and decayed[-1] > 2 * constant[-1],
          f"final loss {constant[-1]:.3f} (was {constant[shift - 1]:.3f} before the change) vs "
          f"{decayed[-1]:.3f}")

# %%
figure = new_figure(11, 4)
left, right = figure.subplots(1, 2)
axis = np.arange(1, epochs + 1)
for name, curve in curves.items():
    left.plot(axis, curve, "o-", markersize=3, label=name)
left.set(xlabel="epoch", ylabel="training loss (full set)", ylim=(0.25, 1.3),
         title="Softmax regression, mini-batch SGD")
for name, curve in drifting.items():
    right.semilogy(axis, curve, "o-", markersize=3, label=name)
right.axvline(shift + 0.5, color="0.5", linestyle=":", label="labels change")
right.set(xlabel="epoch", ylabel="training loss (current labels)",
          title="A stream whose labels change half way")
for ax in (left, right):
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
lab.save(figure, "23_learning_rate_decay.png")

lab.answer(f"A large rate gets going fast but then hovers at a noise floor (constant 0.3 ended "
           f"at {big[-1]:.2f}); decaying it ends lower (step {step[-1]:.2f}, cosine "
           f"{cosine[-1]:.2f}). Exceptions: non-stationary data (after a label change the "
           f"decayed run stayed at {decayed[-1]:.2f}, the constant one recovered to "
           f"{constant[-1]:.2f}), decaying too early ({early[-1]:.2f}), fine-tuning and warm "
           "restarts.")
lab.finish()
