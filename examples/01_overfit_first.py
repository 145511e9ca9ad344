# %% [markdown]
# # 1. When building a neural network, should you overfit or underfit it first?
#
# **Overfit first.** Take a handful of examples (the lecture: about 20), turn every
# regularization off, and check that the network drives the training loss to ~0 and the
# training accuracy to 100%. It starts at ln C (2.303 for 10 classes) if the output layer
# is sane. If it cannot memorize 20 examples, something is broken — the data pipeline, the
# loss, the optimizer wiring, the learning rate — or the model is too small, and no amount
# of regularization tuning will help. Once it can overfit, scale up to the real data and
# *then* add regularization (dropout, weight decay, early stopping, more data) to close the
# gap between training and validation.
#
# Starting "underfit" (heavily regularized) hides all of that: a model that fails to fit
# may be broken or just over-regularized, and you cannot tell which. We measure each step.

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import models, nn, optim
from glassnet.nn.loss import cross_entropy
from glassnet.plot.figure import new_figure
from glassnet.train.trainer import Trainer

lab = Lab("1. Overfit first or underfit first when building a network?")
(X, y), (X_val, y_val), _ = lab.fashion_mnist(lab.choose(1000, 600), 0,
                                              n_val=lab.choose(1000, 500))
tiny_x, tiny_y = X[:20], y[:20]
steps = lab.choose(150, 100)


def fit_tiny(model, optimizer):
    losses = []
    for _ in range(steps):
        loss = cross_entropy(model(gn.tensor(tiny_x)), tiny_y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    with gn.no_grad():
        accuracy = float((model(gn.tensor(tiny_x)).data.argmax(axis=1) == tiny_y).mean())
    return np.array(losses), accuracy


# %% [markdown]
# ## Step 1: overfit 20 examples, no regularization

# %%
def network(dropout=0.0):
    return models.mlp(196, [256, 256], 10, dropout=dropout, generator=np.random.default_rng(0))


model = network()
with gn.no_grad():
    initial = cross_entropy(model(gn.tensor(tiny_x)), tiny_y).item()
lab.claim("the untrained network's loss starts at ln 10 (a sane output layer)",
          abs(initial - np.log(10)) < 0.15, f"{initial:.3f} vs ln 10 = {np.log(10):.3f}")
overfit, overfit_accuracy = fit_tiny(model, optim.Adam(model.parameters(), lr=1e-3))
lab.claim("it memorizes the 20 examples: 100% training accuracy, loss near 0",
          overfit_accuracy == 1.0 and overfit[-1] < 0.01,
          f"accuracy {overfit_accuracy:.0%}, loss {overfit[-1]:.4f} after {steps} steps")

# A classic bug the test catches at once: the optimizer holds an *old* model's parameters
# (the model was rebuilt after the optimizer was made).
old = network()
rebuilt = network()
buggy, buggy_accuracy = fit_tiny(rebuilt, optim.Adam(old.parameters(), lr=1e-3))
lab.claim("a wiring bug shows up immediately: the loss does not move from ln 10",
          abs(buggy[-1] - buggy[0]) < 1e-6 and buggy_accuracy < 0.5,
          f"loss {buggy[0]:.3f} → {buggy[-1]:.3f}, accuracy {buggy_accuracy:.0%}")

# "Underfit first": the same network, heavily regularized from the start.
heavy = network(dropout=0.7)
underfit, underfit_accuracy = fit_tiny(heavy, optim.AdamW(heavy.parameters(), lr=1e-3,
                                                          weight_decay=50.0))
lab.claim("heavily regularized from the start, the same correct network fails the test too: a "
          "failure no longer says whether the code or the regularization is at fault",
          underfit_accuracy < 1.0 and underfit[-1] > 0.5,
          f"accuracy {underfit_accuracy:.0%}, loss {underfit[-1]:.3f}")

# %% [markdown]
# ## Steps 2 and 3: the real training set overfits; then regularize

# %%
epochs = lab.choose(25, 20)
histories = {}
for name, dropout in (("no regularization", 0.0), ("dropout 0.5", 0.5)):
    model = network(dropout)
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-3),
                      generator=np.random.default_rng(1))
    history = trainer.fit((X, y), (X_val, y_val), epochs=epochs, batch_size=50).history
    histories[name] = (history, trainer.evaluate((X, y)))
(plain_history, plain_train), (drop_history, drop_train) = histories.values()
gap = plain_train["accuracy"] - plain_history[-1]["val_accuracy"]
lab.claim(f"on {len(X)} examples the unregularized network overfits: a wide train/validation "
          "gap, and the validation loss rises after its minimum",
          gap > 0.1 and plain_history[-1]["val_loss"] > 1.1 * min(h["val_loss"]
                                                                 for h in plain_history),
          f"train accuracy {plain_train['accuracy']:.3f} vs validation "
          f"{plain_history[-1]['val_accuracy']:.3f}; validation loss "
          f"{min(h['val_loss'] for h in plain_history):.3f} at best, "
          f"{plain_history[-1]['val_loss']:.3f} at the end")
lab.claim("now regularization helps: dropout lowers the final validation loss",
          drop_history[-1]["val_loss"] < plain_history[-1]["val_loss"],
          f"{drop_history[-1]['val_loss']:.3f} vs {plain_history[-1]['val_loss']:.3f}")

# %%
figure = new_figure(11, 4)
left, right = figure.subplots(1, 2)
for losses, label in ((overfit, f"no regularization ({overfit_accuracy:.0%} accuracy)"),
                      (buggy, f"bug: optimizer on an old model ({buggy_accuracy:.0%})"),
                      (underfit, f"dropout 0.7 + weight decay 50 ({underfit_accuracy:.0%})")):
    left.semilogy(losses, label=label)
left.axhline(np.log(10), color="0.6", linestyle=":", label="ln 10")
left.set(xlabel="step", ylabel="training loss on 20 examples", title="Step 1: overfit a tiny set")
axis = np.arange(1, epochs + 1)
for index, (name, (history, _)) in enumerate(histories.items()):
    right.plot(axis, [h["loss"] for h in history], color=f"C{index}", label=f"{name}: train")
    right.plot(axis, [h["val_loss"] for h in history], "--", color=f"C{index}",
               label=f"{name}: validation")
right.set(xlabel="epoch", ylabel="loss", title=f"Steps 2–3: {len(X)} examples, then regularize")
for ax in (left, right):
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
lab.save(figure, "01_overfit_first.png")

lab.answer(f"Overfit first: the network memorized 20 examples ({overfit_accuracy:.0%}, loss "
           f"{overfit[-1]:.3f}), which proves the pipeline and capacity — a wiring bug left the "
           f"loss at {buggy[-1]:.2f}, and heavy regularization failed the same test (loss "
           f"{underfit[-1]:.2f}), which is why starting underfit hides problems. Then "
           f"regularize: dropout cut the final "
           f"validation loss from {plain_history[-1]['val_loss']:.2f} to "
           f"{drop_history[-1]['val_loss']:.2f}.")
lab.finish()
