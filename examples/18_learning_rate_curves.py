# %% [markdown]
# # 18. Loss vs epoch for a learning rate too high, too low and acceptable
#
# The lecture's picture, measured: with plain SGD on the same MLP and data,
#
# - **very high**: the first steps overshoot so far that the loss explodes to Inf/NaN;
# - **high**: a fast drop, then the loss stalls at a level the steps are too big to go
#   below (it bounces in the valley);
# - **low**: a slow, almost linear decrease — after many epochs still far from done;
# - **good**: fast at first and still decreasing, ending lowest.
#
# glassnet's `DivergenceGuard` (the lecture's rule: stop when the loss exceeds 3× its first
# value or is not finite) ends the very-high run.

# %%
import numpy as np
from _lab import Lab

from glassnet import models, nn, optim
from glassnet.plot.figure import new_figure
from glassnet.train.callbacks import DivergenceGuard
from glassnet.train.trainer import Trainer

lab = Lab("18. Loss vs epoch for a learning rate too high, too low and good.")
(X, y), _, _ = lab.fashion_mnist(lab.choose(3000, 1500), 0)
epochs = lab.choose(12, 5)
rates = {"very high (3.0)": 3.0, "high (1.0)": 1.0, "good (0.2)": 0.2, "low (0.001)": 0.001}


class BatchLosses:
    def __init__(self):
        self.losses = []

    def on_batch_end(self, state):
        self.losses.append(state.batch_loss)


runs = {}
for name, lr in rates.items():
    model = models.mlp(196, [128, 128], 10, generator=np.random.default_rng(0))
    record, guard = BatchLosses(), DivergenceGuard()
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=lr),
                      callbacks=[record, guard], generator=np.random.default_rng(1))
    with np.errstate(all="ignore"):  # the very-high run overflows before the guard stops it
        state = trainer.fit((X, y), epochs=epochs, batch_size=64)
    runs[name] = {"epochs": [r["loss"] for r in state.history], "batches": record.losses,
                  "stopped": state.stop_reason, "initial": state.initial_loss}

steps_per_epoch = int(np.ceil(len(X) / 64))


def late(name):
    """The mean batch loss over the last third of the run (the epochs' noise averaged)."""
    losses = runs[name]["batches"]
    return float(np.mean(losses[-len(losses) // 3:]))


rows = [[name, len(r["batches"]), r["batches"][0], late(name) if r["batches"] else np.nan,
         r["stopped"][:60] or "-"] for name, r in runs.items()]
lab.table(["learning rate", "steps run", "first loss", "loss, last third", "stopped"], rows)
very, high, good, low = rates
lab.claim("very high: the loss explodes in the first epoch and the guard stops the run",
          len(runs[very]["batches"]) < steps_per_epoch and bool(runs[very]["stopped"]),
          f"stopped after {len(runs[very]['batches'])} steps: {runs[very]['stopped'][:80]}")
first_epoch = {k: float(np.mean(runs[k]["batches"][:steps_per_epoch])) for k in (high, low)}
lab.claim("high: a fast first drop, then it stalls above the good rate's loss",
          first_epoch[high] < first_epoch[low] and late(high) > late(good),
          f"first-epoch mean {first_epoch[high]:.3f}; last third {late(high):.3f} vs "
          f"{late(good):.3f}")
decrease = runs[low]["initial"] - late(low)
lab.claim("low: the loss creeps down, far less than with the good rate",
          decrease < 0.25 * (runs[good]["initial"] - late(good)),
          f"decrease {decrease:.3f} vs {runs[good]['initial'] - late(good):.3f}")
lab.claim("good: the lowest loss at the end", late(good) == min(late(k) for k in (high, good, low)),
          ", ".join(f"{k}: {late(k):.3f}" for k in (high, good, low)))

# %%
figure = new_figure(11, 4)
left, right = figure.subplots(1, 2)
colors = {very: "C3", high: "C1", good: "C2", low: "C0"}
for name, r in runs.items():
    losses = np.array(r["batches"], dtype=float)
    shown = np.where(np.isfinite(losses) & (losses < 10), losses, np.nan)
    left.plot(np.arange(1, len(losses) + 1) / steps_per_epoch, shown, color=colors[name],
              linewidth=0.8, label=name)
    if r["epochs"]:
        right.plot(np.arange(1, len(r["epochs"]) + 1), r["epochs"], "o-", color=colors[name],
                   label=name)
right.axhline(runs[good]["initial"], color="0.6", linestyle=":", label="initial loss")
right.annotate(f"{very}: stopped at step {len(runs[very]['batches'])},\nloss "
               f"{runs[very]['batches'][-1]:.0f} > 3× initial (diverged)",
               xy=(0.5, 0.62), xycoords="axes fraction", color=colors[very], fontsize=8,
               ha="center")
left.set(xlabel="epoch", ylabel="batch loss", ylim=(0, 4),
         title="Every batch (the very-high run stops early)")
right.set(xlabel="epoch", ylabel="mean training loss of the epoch", title="Loss vs epoch")
for ax in (left, right):
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
lab.save(figure, "18_learning_rate_curves.png")

lab.answer(f"Too high: the loss blew up in {len(runs[very]['batches'])} steps; high: a fast drop "
           f"that stalls ({late(high):.2f}); too low: barely moves ({runs[low]['initial']:.2f} → "
           f"{late(low):.2f}); good: fast and still falling, lowest at the end ({late(good):.2f}).")
lab.finish()
