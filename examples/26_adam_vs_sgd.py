# %% [markdown]
# # 26. Adam vs SGD: convergence, generalization, and other differences
#
# **Convergence.** Adam (momentum on the gradient + a per-parameter step lr/√v̂) usually
# gets going faster and works over a wider range of learning rates with little tuning; SGD
# with momentum needs its rate tuned but, tuned, often catches up.
# **Generalization.** Adaptive methods were reported to generalize worse than well-tuned
# SGD on image classification (Wilson et al., 2017); the gap depends on the problem, the
# tuning and the weight decay (AdamW narrows it) — so measure it rather than assume it.
# **Other differences**, measured below:
#
# - Adam is invariant to rescaling the loss (or its gradients): its step is m̂/√v̂; SGD's
#   step scales with the gradient, so the same learning rate no longer works;
# - Adam keeps two arrays per parameter (m and v), SGD with momentum one, plain SGD none;
# - with Adam an L2 penalty is not weight decay (question 22); Adam has 3 more
#   hyperparameters (β₁, β₂, ε).
#
# We train the same MLP on Fashion-MNIST with each. (Newton's method and L-BFGS, the
# second-order relatives, are in question 15.)

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import models, nn, optim
from glassnet.nn.loss import cross_entropy
from glassnet.plot.figure import new_figure
from glassnet.train.trainer import Trainer

lab = Lab("26. Adam vs SGD: convergence, generalization and other differences.")
(X, y), _, (X_test, y_test) = lab.fashion_mnist(lab.choose(4000, 1500), lab.choose(2000, 1000))
epochs = lab.choose(15, 5)
makers = {"Adam (lr 1e-3)": lambda p: optim.Adam(p, lr=1e-3),
          "SGD + momentum (lr 0.05)": lambda p: optim.SGD(p, lr=0.05, momentum=0.9)}

runs = {}
for name, make in makers.items():
    model = models.mlp(196, [256, 256], 10, generator=np.random.default_rng(0))
    trainer = Trainer(model, nn.CrossEntropyLoss(), make(model.parameters()),
                      generator=np.random.default_rng(1))
    history = trainer.fit((X, y), (X_test, y_test), epochs=epochs, batch_size=64).history
    final_train = trainer.evaluate((X, y))
    runs[name] = {"history": history, "train": final_train,
                  "test": {"loss": history[-1]["val_loss"],
                           "accuracy": history[-1]["val_accuracy"]}}
lab.table(["optimizer", "loss, epoch 1", "train loss", "train acc", "test loss", "test acc",
           "gap (train − test acc)"],
          [[k, r["history"][0]["loss"], r["train"]["loss"], r["train"]["accuracy"],
            r["test"]["loss"], r["test"]["accuracy"],
            r["train"]["accuracy"] - r["test"]["accuracy"]] for k, r in runs.items()])
adam, sgd = runs.values()
lab.claim("Adam makes faster progress at the start", adam["history"][0]["loss"]
          < sgd["history"][0]["loss"], f"mean loss of epoch 1: {adam['history'][0]['loss']:.3f} "
          f"vs {sgd['history'][0]['loss']:.3f}")
difference = adam["test"]["accuracy"] - sgd["test"]["accuracy"]
lab.claim("on this problem neither generalizes clearly better (the folklore gap is problem-"
          "dependent)", abs(difference) < 0.03,
          f"test accuracy {adam['test']['accuracy']:.3f} vs {sgd['test']['accuracy']:.3f} "
          f"(difference {difference:+.3f})")

# %% [markdown]
# ## Rescaling the loss: Adam does not notice, SGD does

# %%
def weights_after(make, scale, steps=30):
    model = models.mlp(196, [64], 10, generator=np.random.default_rng(0))
    optimizer, order = make(model.parameters()), np.random.default_rng(1)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            index = order.integers(0, len(X), 64)
            loss = cross_entropy(model(gn.tensor(X[index])), y[index]) * scale
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return np.concatenate([p.data.ravel() for p in model.parameters()]).astype(np.float64)


change = {}
for name, make in makers.items():
    plain, scaled = weights_after(make, 1.0), weights_after(make, 1000.0)
    change[name] = np.abs(scaled - plain).max() / np.abs(plain).max()
lab.claim("multiplying the loss by 1000 leaves Adam's steps unchanged but breaks SGD's",
          change["Adam (lr 1e-3)"] < 1e-3 and not change["SGD + momentum (lr 0.05)"] < 1.0,
          f"relative change of the weights after 30 steps: Adam {change['Adam (lr 1e-3)']:.1e}, "
          f"SGD {change['SGD + momentum (lr 0.05)']:.1e}")

# %% [markdown]
# ## Memory: optimizer state per parameter

# %%
model = models.mlp(196, [256, 256], 10, generator=np.random.default_rng(0))
n_params = sum(p.size for p in model.parameters())
memory = {}
for name, make in {**makers, "SGD (no momentum)": lambda p: optim.SGD(p, lr=0.05)}.items():
    optimizer = make(model.parameters())
    cross_entropy(model(gn.tensor(X[:8])), y[:8]).backward()
    optimizer.step()
    model.zero_grad()
    state = optimizer.state_dict()["state"]
    memory[name] = sum(v.size for slots in state.values() for v in slots.values()
                       if isinstance(v, np.ndarray)) / n_params
lab.table(["optimizer", "state floats per parameter"], [[k, v] for k, v in memory.items()])
lab.claim("Adam stores two arrays per parameter, SGD with momentum one, plain SGD none",
          list(memory.values()) == [2.0, 1.0, 0.0], str(memory))

# %%
figure = new_figure(11, 4)
left, right = figure.subplots(1, 2)
axis = np.arange(1, epochs + 1)
for index, (name, r) in enumerate(runs.items()):
    left.plot(axis, [h["loss"] for h in r["history"]], "o-", color=f"C{index}", markersize=3,
              label=f"{name}: train")
    left.plot(axis, [h["val_loss"] for h in r["history"]], "s--", color=f"C{index}",
              markersize=3, label=f"{name}: test")
    right.plot(axis, [h["val_accuracy"] for h in r["history"]], "o-", color=f"C{index}",
               markersize=3, label=name)
left.set(xlabel="epoch", ylabel="loss", title="MLP on Fashion-MNIST")
right.set(xlabel="epoch", ylabel="test accuracy", title="Generalization")
for ax in (left, right):
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
lab.save(figure, "26_adam_vs_sgd.png")

lab.answer(f"Adam converged faster at the start (epoch-1 loss {adam['history'][0]['loss']:.2f} vs "
           f"{sgd['history'][0]['loss']:.2f}) but tuned SGD caught up; test accuracy "
           f"{adam['test']['accuracy']:.3f} vs {sgd['test']['accuracy']:.3f}, so no "
           f"generalization gap here (it is problem-dependent). Adam is invariant to loss scale "
           f"(×1000 changed its weights by {change['Adam (lr 1e-3)']:.0e}), stores 2 arrays "
           "per parameter vs 1, and treats L2 differently from weight decay.")
lab.finish()
