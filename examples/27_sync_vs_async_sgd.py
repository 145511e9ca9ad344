# %% [markdown]
# # 27. Synchronous vs asynchronous SGD across machines
#
# K machines train one model. **Synchronous** SGD: every step, each machine computes the
# gradient of its share of the batch, an all-reduce averages them, and all apply the same
# update — the step waits for the *slowest* machine. **Asynchronous** SGD: a parameter
# server applies each machine's gradient the moment it arrives — nobody waits, but a
# gradient was computed on weights that have since changed: it is *stale* by the number of
# updates applied in between.
#
# This lab runs both protocols on one CPU with glassnet's faithful simulation of K workers
# (`glassnet.distributed.simulation`: the same batch order, shards, epoch boundaries and
# staleness rule as the real MPI engines of `glassnet train --distributed sync|async`), on a
# simulated clock where each worker's compute time is drawn from an exponential
# distribution. It measures staleness, loss against updates and against time.

# %%
import numpy as np
from _lab import Lab

from glassnet import models, nn, optim
from glassnet.data import Standardize, load_dataset
from glassnet.distributed.simulation import (
    exponential_time,
    simulate_async_sgd,
    simulate_sync_sgd,
)
from glassnet.plot.figure import new_figure, save_png

lab = Lab("27. Synchronous vs asynchronous SGD across machines: staleness, and the "
          "trade-off in steps and in time")
STEPS = 120 if lab.quick else 600
K = 8  # the number of workers compared in the claims
WORKERS = (1, K) if lab.quick else (1, 2, 4, 8)
BATCH = 32  # examples per update: the global batch (sync) or one worker's batch (async)
SECONDS_PER_EXAMPLE = 1e-3  # mean compute time; exponential: a long tail of slow steps

# %% [markdown]
# ## The data and the model
# 5,000 Fashion-MNIST training images and 1,000 for validation, standardized; an MLP
# 784-64-10.

# %%
images, labels = load_dataset("fashion-mnist", split="train")
images, labels = images[:6000].reshape(6000, -1), labels[:6000]
scaler = Standardize(per="global").fit(images[:5000])
inputs = scaler.transform(images).astype(np.float32)
train, val = (inputs[:5000], labels[:5000]), (inputs[5000:], labels[5000:])


def simulate(mode: str, workers: int, *, momentum: float = 0.0):
    """One simulated run; plain SGD at lr 0.05, or momentum μ at lr 0.05·(1 − μ) (the same
    effective step size lr/(1 − μ))."""
    model = models.mlp(784, [64], 10, generator=np.random.default_rng(0))
    optimizer = optim.SGD(model.parameters(), lr=0.05 * (1 - momentum), momentum=momentum)
    run = simulate_sync_sgd if mode == "sync" else simulate_async_sgd
    result = run(model, nn.CrossEntropyLoss(), optimizer, train, workers=workers,
                 batch_size=BATCH, steps=STEPS, compute_time=exponential_time(
                     SECONDS_PER_EXAMPLE), evaluate=val, eval_every=25,
                 generator=np.random.default_rng(0), time_generator=np.random.default_rng(1))
    weights = np.concatenate([p.data.ravel() for p in model.parameters()])
    return result, weights


runs = {("sync", k): simulate("sync", k) for k in (1, K)}
runs.update({("async", k): simulate("async", k) for k in WORKERS})
# Sync's updates do not depend on its number of workers (checked below), so its momentum
# reference runs on one worker, which is quicker to simulate.
with_momentum = {"sync": simulate("sync", 1, momentum=0.9),
                 "async": simulate("async", K, momentum=0.9)}

# %% [markdown]
# ## The numbers

# %%
print(f"{STEPS} updates of {BATCH} examples, compute time per example "
      f"~ Exponential(mean {SECONDS_PER_EXAMPLE * 1e3:g} ms)")
print("mode   workers  mean staleness  simulated s  updates/s  final val loss  val acc")
for (mode, workers), (result, _) in runs.items():
    last = result.evaluations[-1]
    seconds = result.updates[-1].time
    print(f"{mode:6s} {workers:7d}  {result.mean_staleness():14.2f}  {seconds:11.2f}  "
          f"{STEPS / seconds:9.1f}  {last['loss']:14.3f}  {last['accuracy']:7.3f}")
for mode, (result, _) in with_momentum.items():
    print(f"{mode:6s} {K if mode == 'async' else 1:7d}  momentum 0.9: final val loss "
          f"{result.evaluations[-1]['loss']:.3f}, mean staleness {result.mean_staleness():.2f}")

# %% [markdown]
# ## The figure: loss against updates, against time, and the staleness of each gradient

# %%
figure = new_figure(13, 4)
by_steps, by_time, histogram = figure.subplots(1, 3)
colours = {1: "tab:blue", 2: "tab:orange", 4: "tab:green", 8: "tab:red"}
for (mode, workers), (result, _) in runs.items():
    if mode == "sync" and workers == 1:
        continue  # identical to sync with 8 workers per update, and to async with 1
    steps = [e["step"] for e in result.evaluations]
    times = [e["time"] for e in result.evaluations]
    losses = [e["loss"] for e in result.evaluations]
    style, colour = ("-", "black") if mode == "sync" else ("--", colours[workers])
    label = f"{mode}, {workers} worker{'s' if workers > 1 else ''}"
    by_steps.plot(steps, losses, style, color=colour, label=label)
    by_time.plot(times, losses, style, color=colour, label=label)
for mode, (result, _) in with_momentum.items():
    by_steps.plot([e["step"] for e in result.evaluations],
                  [e["loss"] for e in result.evaluations], ":",
                  color="black" if mode == "sync" else colours[K],
                  label=f"{mode}, {K if mode == 'async' else 'any'} workers, momentum 0.9")
by_steps.set(xlabel="updates", ylabel="validation loss", ylim=(0.4, 2.5),
             title="validation loss per update")
by_time.set(xlabel="simulated seconds", ylabel="validation loss", ylim=(0.4, 2.5),
            title="validation loss per simulated second")
by_steps.legend(fontsize=7)
by_time.legend(fontsize=7)
shown = WORKERS[1:]
width = 0.9 / len(shown)
for index, workers in enumerate(shown):
    counts = runs[("async", workers)][0].staleness_histogram()
    taus = np.array(sorted(counts))
    histogram.bar(taus + (index - (len(shown) - 1) / 2) * width, [counts[t] for t in taus],
                  width=width, color=colours[workers], label=f"{workers} workers")
histogram.set(xlabel="staleness (updates between weights and arrival)", ylabel="gradients",
              title="async: staleness of each applied gradient", xlim=(-1, 4 * K))
histogram.legend(fontsize=7)
for axes in (by_steps, by_time, histogram):
    axes.grid(True, alpha=0.3)
path = save_png(figure, lab.figure_path("27_sync_vs_async_sgd.png"))
print(f"figure: {path}")

# %% [markdown]
# ## The claims, checked against this run's numbers

# %%
sync1, sync8 = runs[("sync", 1)], runs[("sync", K)]
async1, async8 = runs[("async", 1)], runs[("async", K)]
difference = float(np.abs(async1[1] - sync1[1]).max())
lab.claim("one asynchronous worker is plain SGD: the same weights as synchronous SGD "
          "with one worker", difference == 0.0, f"max weight difference {difference:.1e}")

curve_gap = max(abs(a["loss"] - b["loss"])
                for a, b in zip(sync1[0].evaluations, sync8[0].evaluations))
lab.claim(f"synchronous SGD on {K} workers is SGD with the global batch: its loss per "
          "update does not depend on the number of workers", curve_gap < 1e-4,
          f"largest gap between the 1- and {K}-worker validation losses {curve_gap:.1e}")

staleness = async8[0].mean_staleness()
lab.claim(f"with {K} workers of equal average speed, a gradient is about K − 1 = {K - 1} "
          "updates stale", abs(staleness - (K - 1)) < 1.5, f"mean staleness {staleness:.2f}")

harmonic = sum(1 / k for k in range(1, K + 1))  # E[max of K exponentials] / their mean
speedup = sync8[0].updates[-1].time / async8[0].updates[-1].time
lab.claim(f"per second, async applies about H_{K} = 1 + 1/2 + … + 1/{K} = {harmonic:.2f} "
          "times more updates than sync (sync waits for the slowest of its workers)",
          abs(speedup / harmonic - 1) < 0.25, f"measured ratio {speedup:.2f}")


def late_loss(result) -> float:
    """The mean validation loss over the second half of the run (less noisy than the last)."""
    return float(np.mean([e["loss"] for e in result.evaluations if e["step"] > STEPS / 2]))


plain_gap = late_loss(async8[0]) - late_loss(sync8[0])
momentum_gap = late_loss(with_momentum["async"][0]) - late_loss(with_momentum["sync"][0])
lab.claim("staleness hurts more with momentum (asynchrony itself acts like extra momentum): "
          "async falls further behind sync with momentum 0.9 than with plain SGD",
          momentum_gap > plain_gap,
          f"validation loss over the second half, async − sync: {momentum_gap:+.3f} with "
          f"momentum, {plain_gap:+.3f} without")
lab.answer(f"with {K} workers, async applies {speedup:.1f}× more updates per second than sync "
           f"(no waiting for the slowest), but each gradient is {staleness:.1f} updates stale "
           f"on average; over the second half, async − sync validation loss is "
           f"{plain_gap:+.3f} without momentum and {momentum_gap:+.3f} with momentum 0.9.")
lab.finish()
