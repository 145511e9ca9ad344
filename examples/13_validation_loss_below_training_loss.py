# %% [markdown]
# # 13. Your validation loss is often lower than your training loss. What might be happening?
#
# Usually nothing is wrong; the two numbers are measured differently:
#
# 1. **Regularization acts only in training.** Dropout (and data augmentation, and an L2 term
#    added to the loss) make the training loss harder; validation runs the full network.
# 2. **The training loss is an average over the epoch**, while the model was still improving;
#    the validation loss is measured at the end of the epoch. Early on that is half an epoch
#    of progress.
# 3. Otherwise: the validation set is easier or smaller (noise), comes from a different
#    distribution, or leaks training examples — the cases to investigate.
#
# We train an MLP with dropout 0.5 on Fashion-MNIST with glassnet's `Trainer` and, at every
# epoch's end, measure the training loss three ways, to separate causes 1 and 2.

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import models, nn, optim
from glassnet.nn.loss import cross_entropy
from glassnet.plot.figure import new_figure
from glassnet.train.trainer import Trainer

lab = Lab("13. Validation loss below training loss: why?")
(X, y), (X_val, y_val), _ = lab.fashion_mnist(lab.choose(4000, 1500), 0,
                                              n_val=lab.choose(2000, 500))
epochs = lab.choose(12, 4)


class TrainingLossThreeWays:
    """After each epoch: the training loss with dropout on (train mode) and off (eval)."""

    def __init__(self):
        self.with_dropout, self.without_dropout = [], []

    def on_epoch_end(self, state):
        model = state.trainer.model
        with gn.no_grad():
            model.train()
            self.with_dropout.append(cross_entropy(model(gn.tensor(X)), y).item())
        self.without_dropout.append(state.trainer.evaluate((X, y))["loss"])


def run(dropout):
    model = models.mlp(196, [256, 256], 10, dropout=dropout,
                       generator=np.random.default_rng(0))
    probe = TrainingLossThreeWays()
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-3),
                      callbacks=[probe], generator=np.random.default_rng(1))
    history = trainer.fit((X, y), (X_val, y_val), epochs=epochs, batch_size=64).history
    return {"reported": np.array([r["loss"] for r in history]),
            "val": np.array([r["val_loss"] for r in history]),
            "end, dropout on": np.array(probe.with_dropout),
            "end, dropout off": np.array(probe.without_dropout)}


with_dropout, without = run(0.5), run(0.0)
lab.table(["epoch", "reported train loss (epoch mean, dropout on)", "train, epoch end, dropout on",
           "train, epoch end, dropout off", "validation"],
          [[e + 1, *(with_dropout[k][e] for k in ("reported", "end, dropout on",
                                                  "end, dropout off", "val"))]
           for e in range(epochs)])
below = int(np.sum(with_dropout["val"] < with_dropout["reported"]))
lab.claim("with dropout the validation loss is below the reported training loss",
          below >= epochs // 2, f"in {below} of {epochs} epochs")
honest = int(np.sum(with_dropout["end, dropout off"] <= with_dropout["val"]))
lab.claim("measured the same way as validation (end of epoch, dropout off) the training loss "
          "is not above it", honest == epochs, f"train ≤ validation in {honest} of {epochs} "
          "epochs")
dropout_part = with_dropout["end, dropout on"] - with_dropout["end, dropout off"]
averaging_part = with_dropout["reported"][0] - with_dropout["end, dropout on"][0]
lab.claim("cause 1: dropout alone makes the training loss higher", np.all(dropout_part > 0),
          f"dropout on − off at epoch end: {dropout_part.min():.3f} … {dropout_part.max():.3f}")
lab.claim("cause 2: averaging over an improving epoch does too, most in the first epoch",
          averaging_part > 0, f"epoch 1: mean over the epoch {with_dropout['reported'][0]:.3f} "
          f"vs {with_dropout['end, dropout on'][0]:.3f} at its end (dropout on in both)")
no_dropout_below = int(np.sum(without["val"] < without["reported"]))
print(f"without dropout, validation < reported training loss in {no_dropout_below} of "
      f"{epochs} epochs (only the averaging effect is left)")

# %%
figure = new_figure(11, 4)
left, right = figure.subplots(1, 2)
epochs_axis = np.arange(1, epochs + 1)
styles = {"reported": ("C0", "-", "train, reported (epoch mean, dropout on)"),
          "end, dropout on": ("C0", "--", "train at epoch end, dropout on"),
          "end, dropout off": ("C2", "-", "train at epoch end, dropout off"),
          "val": ("C3", "-", "validation")}
for key, (color, style, label) in styles.items():
    left.plot(epochs_axis, with_dropout[key], style, color=color, marker="o", markersize=3,
              label=label)
left.set(xlabel="epoch", ylabel="cross-entropy", title="MLP with dropout 0.5")
left.legend(fontsize=8)
for key in ("reported", "val"):
    right.plot(epochs_axis, without[key], styles[key][1], color=styles[key][0], marker="o",
               markersize=3, label=styles[key][2].replace(", dropout on", ""))
right.set(xlabel="epoch", ylabel="cross-entropy", title="The same MLP without dropout")
right.legend(fontsize=8)
for ax in (left, right):
    ax.grid(alpha=0.3)
lab.save(figure, "13_validation_loss_below_training_loss.png")

lab.answer(f"Training and validation losses are measured differently: with dropout 0.5 the "
           f"reported training loss exceeded validation in {below} of {epochs} epochs, yet "
           f"measured like validation (end of epoch, dropout off) it was lower in {honest} of "
           f"{epochs}; dropout added {dropout_part.mean():.2f} and epoch averaging "
           f"{averaging_part:.2f} (epoch 1). Otherwise suspect an easier, shifted or leaked "
           "validation set.")
lab.finish()
