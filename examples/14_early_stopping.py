# %% [markdown]
# # 14. What criteria do you use for early stopping?
#
# Watch a validation metric after every epoch, keep the weights of the best epoch, and stop
# when the metric has stopped improving. The usual rules:
#
# - **patience**: the validation loss has not improved (by more than min_delta) for P epochs;
# - **patience on the validation accuracy** (the metric you care about, but a coarser signal);
# - **generalization loss** GL(t) = 100·(E_val(t) / min_{t'≤t} E_val(t') − 1) > α
#   (Prechelt, "Early stopping — but when?", 1998): stop once the validation loss is α%
#   above its best;
# - **a budget**: a maximum number of epochs or a time limit.
#
# Whichever rule stops, restore the best weights. We overfit an MLP on a small Fashion-MNIST
# subset with noisy labels, apply each rule to the same history, and compare the test loss of
# the weights each rule would keep. Then glassnet's `EarlyStopping` callback does the same
# in a real run.

# %%
import numpy as np
from _lab import Lab

from glassnet import models, nn, optim
from glassnet.plot.figure import new_figure
from glassnet.train.callbacks import EarlyStopping
from glassnet.train.trainer import Trainer

lab = Lab("14. Early-stopping criteria.")
(X, y), (X_val, y_val), (X_test, y_test) = lab.fashion_mnist(
    lab.choose(1500, 500), lab.choose(2000, 500), n_val=lab.choose(1000, 400))
noisy = np.random.default_rng(0).random(len(y)) < 0.2  # 20% wrong training labels
y = np.where(noisy, np.random.default_rng(1).integers(0, 10, len(y)), y)
epochs = lab.choose(40, 30)


class Snapshots:
    """Keep the weights and the test loss of every epoch, to judge each rule afterwards."""

    def __init__(self):
        self.weights, self.test = [], []

    def on_epoch_end(self, state):
        self.weights.append(state.trainer.model.state_dict())
        self.test.append(state.trainer.evaluate((X_test, y_test)))


def trainer_for(callbacks):
    model = models.mlp(196, [512, 512], 10, generator=np.random.default_rng(2))
    return Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-3),
                   callbacks=callbacks, generator=np.random.default_rng(3))


snapshots = Snapshots()
history = trainer_for([snapshots]).fit((X, y), (X_val, y_val), epochs=epochs,
                                        batch_size=64).history
val_loss = np.array([r["val_loss"] for r in history])
val_accuracy = np.array([r["val_accuracy"] for r in history])
test_loss = np.array([t["loss"] for t in snapshots.test])

# %% [markdown]
# ## Each rule applied to the same history (epochs counted from 1)

# %%
def patience_rule(values, patience, better):
    """(stop epoch, best epoch) for 'no improvement for ``patience`` epochs'."""
    best, best_epoch = values[0], 1
    for epoch, value in enumerate(values[1:], start=2):
        if better(value, best):
            best, best_epoch = value, epoch
        elif epoch - best_epoch >= patience:
            return epoch, best_epoch
    return len(values), best_epoch


def generalization_loss_rule(values, alpha):
    for epoch in range(1, len(values) + 1):
        best = values[:epoch].min()
        if 100 * (values[epoch - 1] / best - 1) > alpha:
            return epoch, int(np.argmin(values[:epoch])) + 1
    return len(values), int(np.argmin(values)) + 1


rules = {
    "patience 5 on val loss": patience_rule(val_loss, 5, lambda a, b: a < b),
    "patience 10 on val loss": patience_rule(val_loss, 10, lambda a, b: a < b),
    "patience 5 on val accuracy": patience_rule(val_accuracy, 5, lambda a, b: a > b),
    "GL > 5% (Prechelt)": generalization_loss_rule(val_loss, 5.0),
    f"no rule ({epochs} epochs)": (epochs, epochs),
}
oracle = int(np.argmin(test_loss)) + 1
rows = [[name, stop, kept, test_loss[kept - 1], snapshots.test[kept - 1]["accuracy"]]
        for name, (stop, kept) in rules.items()]
rows.append(["oracle (best test loss)", "-", oracle, test_loss[oracle - 1],
             snapshots.test[oracle - 1]["accuracy"]])
lab.table(["rule", "stops after epoch", "keeps epoch", "test loss", "test accuracy"], rows)

best_val_epoch = int(np.argmin(val_loss)) + 1
lab.claim("the model overfits: validation loss reaches its minimum early, then rises",
          best_val_epoch <= epochs // 2 and val_loss[-1] > 1.2 * val_loss.min(),
          f"minimum {val_loss.min():.3f} at epoch {best_val_epoch}, {val_loss[-1]:.3f} at epoch "
          f"{epochs}")
final = test_loss[-1]
stopped = {name: test_loss[kept - 1] for name, (_, kept) in list(rules.items())[:-1]}
lab.claim("every stopping rule (with restored weights) beats training to the end on test loss",
          all(v < final for v in stopped.values()),
          "; ".join(f"{k}: {v:.3f}" for k, v in stopped.items()) + f" vs {final:.3f}")
stop_epochs = [stop for stop, _ in list(rules.values())[:-1]]
lab.claim("and saves most of the epochs", max(stop_epochs) <= 0.75 * epochs,
          f"stopped after epochs {stop_epochs} of {epochs}")

# %% [markdown]
# ## The same with glassnet's EarlyStopping callback in a real run

# %%
stopper = EarlyStopping(monitor="val_loss", patience=5, restore_best=True)
trainer = trainer_for([stopper])
state = trainer.fit((X, y), (X_val, y_val), epochs=epochs, batch_size=64)
restored_test = trainer.evaluate((X_test, y_test))["loss"]
expected_stop, expected_best = rules["patience 5 on val loss"]
lab.claim("EarlyStopping stops where the patience rule says and restores the best weights",
          state.epoch == expected_stop and stopper.best_epoch == expected_best
          and abs(restored_test - test_loss[expected_best - 1]) < 1e-6,
          f"stopped after epoch {state.epoch} (rule: {expected_stop}), kept epoch "
          f"{stopper.best_epoch}, test loss {restored_test:.4f}; reason: {state.stop_reason}")

# %%
figure = new_figure(11, 4)
left, right = figure.subplots(1, 2, width_ratios=[1.5, 1])
axis = np.arange(1, epochs + 1)
left.plot(axis, [r["loss"] for r in history], label="training loss (noisy labels)")
left.plot(axis, val_loss, label="validation loss")
left.plot(axis, test_loss, ":", label="test loss")
for index, (name, (stop, kept)) in enumerate(list(rules.items())[:-1]):
    left.axvline(stop, color=f"C{index + 3}", linestyle="--", linewidth=1,
                 label=f"{name}: stop {stop}, keep {kept}")
left.set(xlabel="epoch", ylabel="cross-entropy", title="Overfitting with 20% label noise")
left.legend(fontsize=7)
names = [row[0].replace(" (", "\n(").replace(" on ", "\non ") for row in rows]
right.barh(names, [row[3] for row in rows], color=["C3", "C4", "C5", "C6", "0.6", "C2"])
right.set(xlabel="test loss of the kept weights", title="Which weights each rule keeps",
          xlim=(min(row[3] for row in rows) * 0.9, max(row[3] for row in rows) * 1.02))
right.invert_yaxis()
for ax in (left, right):
    ax.grid(alpha=0.3)
lab.save(figure, "14_early_stopping.png")

lab.answer(f"Stop when the validation loss has not improved for P epochs (or its accuracy, or "
           f"when it is α% above its best, or at a budget) and restore the best weights: here "
           f"the rules stopped after epochs {stop_epochs} of {epochs} and kept test losses "
           f"{', '.join(f'{v:.2f}' for v in stopped.values())} vs {final:.2f} at the end "
           f"(oracle {test_loss[oracle - 1]:.2f}).")
lab.finish()
