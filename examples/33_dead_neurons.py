# %% [markdown]
# # 33. What are dead neurons, how do you detect them, and how do you prevent them?
#
# A ReLU unit computes max(0, w·x + b). If w·x + b < 0 for **every** input, the unit outputs
# 0 and its gradient is 0 for every example: nothing ever moves w or b again, so the unit is
# dead for good. Two classic ways to get there: a learning rate so high that one update throws
# the weights to where the unit never fires, and an initialization that starts it there
# (large negative biases). The lecture: "as much as 10–20% of a network can be dead".
#
# The experiment: the same MLP (2 → 128 → 128 → 3, ReLU, He initialization) on the book's
# spiral, trained five ways. glassnet's Telemetry counts, every 10 steps, the units that did
# not fire in the last recorded batches; `glassnet.diagnose.doctor` diagnoses the broken setups.

# %%
import numpy as np
from _lab import Lab  # examples/_lab.py: the question, --quick, --out and the claims

import glassnet as gn
from glassnet import nn, optim
from glassnet.data import spiral
from glassnet.diagnose import Telemetry, doctor
from glassnet.plot.figure import new_figure, save_png
from glassnet.train.trainer import Trainer

lab = Lab("33. What are dead neurons, how do you detect them, and how do you prevent them?")
EPOCHS = 40 if lab.quick else 100

X, y = spiral(300, 3, noise=0.1, generator=np.random.default_rng(0))
X = ((X - X.mean(axis=0)) / X.std(axis=0)).astype(np.float32)


def he(weight, generator=None):
    return nn.init.kaiming_normal(weight, nonlinearity="relu", generator=generator)


def network(activation=nn.ReLU, bias=0.0, seed=0):
    generator = np.random.default_rng(seed)
    layers = [nn.Linear(2, 128, init=he, generator=generator),
              nn.Linear(128, 128, init=he, generator=generator),
              nn.Linear(128, 3, generator=generator)]
    for layer in layers[:2]:
        layer.bias.data[...] = bias
    return nn.Sequential(layers[0], activation(), layers[1], activation(), layers[2])


def never_fire(model):
    """Share of units of each hidden layer that output ≤ 0 for all 900 examples."""
    shares, h = [], gn.tensor(X)
    with gn.no_grad():
        for layer in model:
            h = layer(h)
            if isinstance(layer, (nn.ReLU, nn.LeakyReLU)):
                shares.append(float(np.mean(~(h.data > 0).any(axis=0))))
    return shares


# %% [markdown]
# ## The experiment: five setups

# %%
SETUPS = {
    "healthy: Adam 1e-3": dict(lr=1e-3),
    "lr too high: Adam 0.3": dict(lr=0.3),
    "bias init -3": dict(lr=1e-3, bias=-3.0),
    "lr 0.3 with Leaky ReLU": dict(lr=0.3, activation=nn.LeakyReLU),
    "bias -3 with Leaky ReLU": dict(lr=1e-3, bias=-3.0, activation=nn.LeakyReLU),
}
results = {}
for name, setup in SETUPS.items():
    model = network(setup.get("activation", nn.ReLU), setup.get("bias", 0.0))
    at_start = never_fire(model)
    telemetry = Telemetry(every=10)
    trainer = Trainer(model, nn.CrossEntropyLoss(),
                      optim.Adam(model.parameters(), lr=setup["lr"]),
                      callbacks=[telemetry], generator=np.random.default_rng(0))
    with np.errstate(all="ignore"):  # the lr-0.3 runs overflow on their way to dying
        trainer.fit((X, y), epochs=EPOCHS, batch_size=64)
    records = telemetry.data().records
    dead_curve = [(r["step"], r["layers"]["3"].get("dead")) for r in records]
    results[name] = {"model": model, "start": at_start, "end": never_fire(model),
                     "accuracy": trainer.evaluate((X, y))["accuracy"], "curve": dead_curve}
    print(f"{name:28s} never firing at start {at_start[1]:5.1%}, at the end "
          f"{results[name]['end'][0]:5.1%} / {results[name]['end'][1]:5.1%} (layers 1 / 2), "
          f"accuracy {results[name]['accuracy']:.3f}")

# %% [markdown]
# ## Why they stay dead: their gradient is exactly zero
#
# One backward pass over the whole data set: the rows of the second layer's weight gradient
# that belong to units that never fire are exactly 0 in the ReLU network trained at lr 0.3.
# A Leaky ReLU (slope 0.01 below 0) always passes some gradient back, so no row is 0.

# %%
def gradient_rows(model):
    """Largest |gradient| of each unit's incoming weights (layer 2), over all the data."""
    with np.errstate(all="ignore"):
        loss = nn.CrossEntropyLoss()(model(gn.tensor(X)), y)
    model.zero_grad()
    loss.backward()
    return np.abs(model[2].weight.grad).max(axis=1)


killed = results["lr too high: Adam 0.3"]["model"]
with gn.no_grad():
    fired = (killed[3](killed[2](killed[1](killed[0](gn.tensor(X))))).data > 0).any(axis=0)
dead_rows = gradient_rows(killed)[~fired].max() if (~fired).any() else 0.0
print(f"{int((~fired).sum())} dead units in layer 2; largest |gradient| in their weight rows: "
      f"{dead_rows}")
leaky_zero_rows = {name: int((gradient_rows(results[name]["model"]) == 0).sum())
                   for name in ("lr 0.3 with Leaky ReLU", "bias -3 with Leaky ReLU")}
print(f"Leaky ReLU units of layer 2 with an all-zero gradient: {leaky_zero_rows}")

# %% [markdown]
# ## Detecting them with the doctor

# %%
reports = {}
for name in ("healthy: Adam 1e-3", "lr too high: Adam 0.3", "bias init -3"):
    setup = SETUPS[name]
    model = network(setup.get("activation", nn.ReLU), setup.get("bias", 0.0))
    reports[name] = doctor(model, nn.CrossEntropyLoss(), (X, y),
                           optimizer=optim.Adam(model.parameters(), lr=setup["lr"]),
                           steps=150 if lab.quick else 300)
    print(f"{name}: {reports[name].codes() or 'no findings'}")
print()
print(reports["bias init -3"])

# %% [markdown]
# ## The figure: dead share through training, and what it costs

# %%
figure = new_figure(10, 4)
curves, bars = figure.subplots(1, 2)
colors = dict(zip(results, ["#2ca02c", "#d62728", "#9467bd", "#ff7f0e", "#8c564b"]))
for name, result in results.items():
    steps, dead = zip(*result["curve"])
    if dead[0] is not None:  # Telemetry counts silent units of ReLU layers only
        curves.plot(steps, dead, label=name, color=colors[name])
curves.set_title("ReLU networks: silent units of layer 2")
curves.set_xlabel("step")
curves.set_ylabel("share silent in the last 3 recorded batches")
curves.set_ylim(-0.02, 1.02)
curves.legend(fontsize="small")
names = list(results)
bars.barh(range(len(names)), [results[n]["accuracy"] for n in names],
          color=[colors[n] for n in names])
bars.set_yticks(range(len(names)), names, fontsize="small")
bars.axvline(1 / 3, color="gray", linestyle="--", label="chance (3 classes)")
bars.set_title("what it costs")
bars.set_xlabel("training accuracy")
bars.legend(fontsize="small", loc="lower right")
save_png(figure, lab.figure_path("33_dead_neurons.png"))

# %% [markdown]
# ## The claims, checked against this run's numbers

# %%
healthy, high = results["healthy: Adam 1e-3"], results["lr too high: Adam 0.3"]
lab.claim("a healthy run keeps most units alive (≤ 20% never fire in either layer)",
          max(healthy["end"]) <= 0.2, f"{healthy['end'][0]:.1%} / {healthy['end'][1]:.1%}")
lab.claim("a learning rate of 0.3 kills most of the second layer and learning stops",
          high["end"][1] >= 0.5 and high["accuracy"] < 0.45,
          f"{high['end'][1]:.1%} dead, accuracy {high['accuracy']:.3f}")
lab.claim("dead units get exactly zero gradient, so they never come back",
          bool((~fired).any()) and dead_rows == 0.0, f"max |grad| over dead rows {dead_rows}")
biased = results["bias init -3"]
lab.claim("a bias of -3 kills the second layer before the first step (He and bias 0: ≤ 10%)",
          biased["start"][1] >= 0.9 and healthy["start"][1] <= 0.1,
          f"{biased['start'][1]:.1%} against {healthy['start'][1]:.1%}")
lab.claim("the doctor reports dead_relu for both broken setups and not for the healthy one",
          "dead_relu" in reports["lr too high: Adam 0.3"].codes()
          and "dead_relu" in reports["bias init -3"].codes()
          and "dead_relu" not in reports["healthy: Adam 1e-3"].codes(),
          "; ".join(f"{n}: {r.codes()}" for n, r in reports.items()))
lab.claim("the doctor names the bias initialization's dead units as the first cause",
          reports["bias init -3"].findings[0].code == "dead_relu",
          f"first: {reports['bias init -3'].findings[0].code}")
leaky_high, leaky_bias = results["lr 0.3 with Leaky ReLU"], results["bias -3 with Leaky ReLU"]
lab.claim("with Leaky ReLU no unit's gradient is exactly zero, so none can die",
          all(count == 0 for count in leaky_zero_rows.values()), f"{leaky_zero_rows}")
lab.claim("so Leaky ReLU learns above chance in both setups where ReLU stayed at chance",
          min(leaky_high["accuracy"], leaky_bias["accuracy"]) > 0.4
          and max(high["accuracy"], biased["accuracy"]) < 0.36,
          f"lr 0.3: {leaky_high['accuracy']:.3f} vs {high['accuracy']:.3f}; bias -3: "
          f"{leaky_bias['accuracy']:.3f} vs {biased['accuracy']:.3f}")
lab.answer(f"a ReLU that never fires gets zero gradient and stays dead: lr 0.3 left "
           f"{high['end'][1]:.0%} of the second layer dead (accuracy {high['accuracy']:.2f}), a "
           f"bias of -3 {biased['start'][1]:.0%} from the start; glassnet.diagnose reports "
           "dead_relu; a smaller lr, He init with zero bias, or Leaky ReLU prevent it.")
lab.finish()
