# %% [markdown]
# # 19. What is learning-rate warm-up, and why do we need it?
#
# Warm-up starts training with a small learning rate and raises it (linearly, here over 50
# steps) to the target rate, after which the normal schedule takes over:
# `schedule.linear_warmup(schedule.constant(lr), 50)`. Why: at initialization the loss
# surface is steepest and most curved, and the gradients (and Adam's moment estimates) are
# least reliable; a full-size step there can throw the weights into a region they never
# recover from. A few small steps move the network to flatter ground where the full rate is
# safe — which is what lets large batches with large (linearly scaled) learning rates train
# at all (Goyal et al. 2017), and why Adam-trained transformers use it: Adam's first step
# moves *every* weight by about lr, whatever its gradient.

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import models, optim
from glassnet.nn.loss import cross_entropy
from glassnet.optim import schedule
from glassnet.plot.figure import new_figure

lab = Lab("19. Learning-rate warm-up: what and why.")
(X, y), _, _ = lab.fashion_mnist(lab.choose(6000, 3000), 0)
steps, batch, warmup = lab.choose(200, 120), 256, 50


def run(lr, warm):
    """SGD + momentum 0.9, batch 256, a 4×128 ReLU MLP with He init. Stops (like
    DivergenceGuard) once the loss is above 3× its first value or not finite."""
    model = models.mlp(196, [128] * 4, 10, init="kaiming_normal",
                       generator=np.random.default_rng(0))
    rate = schedule.linear_warmup(schedule.constant(lr), warmup) if warm else lr
    optimizer = optim.SGD(model.parameters(), lr=rate, momentum=0.9)
    order, losses = np.random.default_rng(1), []
    with np.errstate(all="ignore"):
        for _ in range(steps):
            index = order.integers(0, len(X), batch)
            loss = cross_entropy(model(gn.tensor(X[index])), y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if not np.isfinite(losses[-1]) or losses[-1] > 3 * losses[0]:
                break
    return np.array(losses)


rates = [0.1, 0.2, 0.3]
runs = {(lr, warm): run(lr, warm) for lr in rates for warm in (False, True)}


def outcome(losses):
    if len(losses) < steps:
        return f"diverged at step {len(losses)}"
    return f"{losses[-30:].mean():.3f}"


lab.table(["lr", "no warm-up: largest loss", "final loss (last 30)", "warm-up: largest loss",
           "final loss"],
          [[lr, runs[lr, False].max(), outcome(runs[lr, False]), runs[lr, True].max(),
            outcome(runs[lr, True])] for lr in rates])
top = rates[-1]
wrecked = len(runs[top, False]) < steps or (
    runs[top, False][-30:].mean() > 2 * runs[top, True][-30:].mean())
lab.claim(f"at lr {top} the full rate from step 1 wrecks the run (it stalls high, then "
          "diverges); the warmed-up run trains",
          wrecked and len(runs[top, True]) == steps and runs[top, True][-30:].mean() < 0.7,
          f"without: {outcome(runs[top, False])}; with: final loss {outcome(runs[top, True])}")
lab.claim("with warm-up the loss never rises above where it started",
          all(runs[lr, True].max() <= runs[lr, True][0] * 1.05 for lr in rates),
          ", ".join(f"lr {lr}: max {runs[lr, True].max():.2f} vs start {runs[lr, True][0]:.2f}"
                    for lr in rates))
middle = rates[1]
lab.claim(f"at lr {middle} both survive, but the early overshoot costs the unwarmed run",
          runs[middle, False].max() > runs[middle, True].max()
          and runs[middle, False][-30:].mean() > runs[middle, True][-30:].mean(),
          f"largest loss {runs[middle, False].max():.2f} vs {runs[middle, True].max():.2f}; "
          f"final {outcome(runs[middle, False])} vs {outcome(runs[middle, True])}")

# %% [markdown]
# ## Adam's first step moves every weight by about lr

# %%
model = models.mlp(196, [128], 10, generator=np.random.default_rng(0))
before = [p.data.copy() for p in model.parameters()]
adam = optim.Adam(model.parameters(), lr=1e-3)
cross_entropy(model(gn.tensor(X[:256])), y[:256]).backward()
gradients = np.concatenate([np.abs(p.grad).ravel() for p in model.parameters()])
adam.step()
moves = np.concatenate([np.abs(p.data - b).ravel() for p, b in zip(model.parameters(), before)])
moved = moves[gradients > 0] / 1e-3
lab.claim("Adam's first step is ±lr for every weight with a gradient, however small the "
          "gradient (bias-corrected m/√v = sign(g))", np.abs(np.median(moved) - 1) < 0.01,
          f"median |Δw|/lr = {np.median(moved):.4f} while |g| spans "
          f"{gradients[gradients > 0].min():.1e} … {gradients.max():.1e}")

# %%
figure = new_figure(11, 4)
left, right = figure.subplots(1, 2)
for index, lr in enumerate(rates):
    for warm, style in ((False, ":"), (True, "-")):
        losses = runs[lr, warm]
        left.plot(np.arange(1, len(losses) + 1), np.clip(losses, None, 10), style,
                  color=f"C{index}", label=f"lr {lr}, {'warm-up' if warm else 'no warm-up'}")
left.set(xlabel="step", ylabel="batch loss (clipped at 10)", ylim=(0, 5),
         title="SGD + momentum, batch 256, 4-layer MLP")
left.legend(fontsize=7, ncol=2)
rate = schedule.linear_warmup(schedule.constant(top), warmup)
right.plot([rate(t) for t in range(steps)], label=f"warm-up to {top} over {warmup} steps")
right.plot([top] * steps, ":", label="no warm-up")
right.set(xlabel="step", ylabel="learning rate", title="The schedules")
right.legend(fontsize=8)
for ax in (left, right):
    ax.grid(alpha=0.3)
lab.save(figure, "19_learning_rate_warmup.png")

lab.answer(f"Warm-up ramps the rate up over the first steps ({warmup} here) so the steep, "
           f"unreliable start is crossed with small steps: at lr {top} the run without it "
           f"{outcome(runs[top, False])} while the warmed-up one reached "
           f"{outcome(runs[top, True])}; at lr {middle} it ended {outcome(runs[middle, True])} vs "
           f"{outcome(runs[middle, False])}. Adam needs it too: its first step moves every "
           "weight by ≈ lr.")
lab.finish()
