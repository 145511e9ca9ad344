"""Train a model on Fashion-MNIST with glassnet's Trainer (the code path of `glassnet train`)
and with PyTorch CPU, on the same data, initial weights, batch order and recipe.

    uv run python benchmarks/train.py --model cnn --epochs 5
    uv run python benchmarks/train.py --model mlp --epochs 5
    uv run python benchmarks/train.py --config recipes/fashion-mnist-cnn.toml

Without --config: PERF.md's workload: pixels standardized with the training mean and std,
float32, batch 128, Adam(lr=1e-3), mean cross-entropy, seed 0, 2 threads. With --config: the
recipe of that `glassnet train` config file (--model and --epochs override it); PyTorch gets
the same layers, batch norm, Adam, one-cycle schedule and label smoothing, and a recipe with
anything PyTorch is not given here (augmentation, dropout, other optimizers) is refused.
glassnet trains on the 54,000 images left after holding out 10% for validation (as `glassnet
train` does) and so does PyTorch. Reported per library: test accuracy after each epoch, wall
time, and training throughput (samples/s of the whole step: forward, loss, backward,
optimizer step) as the median over windows of 50 steps. The two libraries run one after the
other in the same process, so a busy machine can favour either: repeat the run and compare
the ratios (benchmarks/layers.py interleaves the two for the forward/backward pass alone).
"""
import argparse
import math
import statistics
import time

import numpy as np

from glassnet import nn
from glassnet.errors import ConfigError
from glassnet.train.config import load_config
from glassnet.train.run import build_model, build_optimizer, prepare_data
from glassnet.train.trainer import Trainer

WINDOW = 50
# The recipe options PyTorch is given below; anything else must keep its default.
MIRRORED_DEFAULTS = {"activation": "relu", "init": "default", "dropout": 0.0,
                     "optimizer": "adam", "weight_decay": 0.0, "warmup_epochs": 0.0,
                     "clip_norm": None, "augment": None, "early_stopping": None}
MIRRORED_SCHEDULES = ("constant", "one_cycle")


class StepTimer:
    """A Trainer callback that records the duration of every window of WINDOW steps."""

    def __init__(self):
        self.window_seconds, self._start = [], None

    def on_epoch_begin(self, state):
        self._start, self._steps = time.perf_counter(), 0

    def on_batch_end(self, state):
        self._steps += 1
        if self._steps == WINDOW:
            now = time.perf_counter()
            self.window_seconds.append(now - self._start)
            self._start, self._steps = now, 0


class TestAccuracy:
    def __init__(self, test):
        self.test, self.accuracies = test, []

    def on_epoch_end(self, state):
        self.accuracies.append(state.trainer.evaluate(self.test)["accuracy"])


def check_mirrored(config):
    """Refuse a recipe that the PyTorch side of this script would not reproduce."""
    different = [f"{name}={getattr(config, name)!r}" for name, default in
                 MIRRORED_DEFAULTS.items() if getattr(config, name) != default]
    if config.schedule not in MIRRORED_SCHEDULES:
        different.append(f"schedule={config.schedule!r}")
    if config.model not in ("cnn", "mlp"):
        different.append(f"model={config.model!r}")
    if different:
        raise ConfigError(f"benchmarks/train.py mirrors only {', '.join(MIRRORED_DEFAULTS)} at "
                          f"their defaults, schedules {MIRRORED_SCHEDULES} and the cnn and mlp "
                          f"models in PyTorch; this recipe sets {', '.join(different)}.")


def glassnet_run(config, data):
    model = build_model(config, data.train[0].shape[1:], 10, np.random.default_rng(0))
    initial = model.state_dict()
    steps_per_epoch = math.ceil(len(data.train[1]) / config.batch_size)
    timer, accuracy = StepTimer(), TestAccuracy(data.test)
    trainer = Trainer(model, nn.CrossEntropyLoss(label_smoothing=config.label_smoothing),
                      build_optimizer(config, model, steps_per_epoch),
                      callbacks=[timer, accuracy], generator=np.random.default_rng(0))
    started = time.perf_counter()
    trainer.fit(data.train, epochs=config.epochs, batch_size=config.batch_size)
    return (model, initial, accuracy.accuracies, time.perf_counter() - started,
            timer.window_seconds)


def torch_twin(torch, model):
    """The PyTorch module of each layer of glassnet's Sequential ``model``."""
    twins = {
        nn.Conv2d: lambda m: torch.nn.Conv2d(m.in_channels, m.out_channels, m.kernel_size,
                                             stride=m.stride, padding=m.padding),
        nn.Linear: lambda m: torch.nn.Linear(m.in_features, m.out_features),
        nn.BatchNorm2d: lambda m: torch.nn.BatchNorm2d(m.num_features, m.eps, m.momentum),
        nn.BatchNorm1d: lambda m: torch.nn.BatchNorm1d(m.num_features, m.eps, m.momentum),
        nn.ReLU: lambda m: torch.nn.ReLU(),
        nn.MaxPool2d: lambda m: torch.nn.MaxPool2d(m.kernel_size, m.stride, m.padding),
        nn.Flatten: lambda m: torch.nn.Flatten(),
    }
    return torch.nn.Sequential(*(twins[type(layer)](layer) for layer in model))


def torch_optimizer(torch, config, model, steps_per_epoch):
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    if config.schedule == "constant":
        return optimizer, None
    # glassnet's one_cycle is OneCycleLR's cosine policy without momentum cycling.
    return optimizer, torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=config.lr, total_steps=config.epochs * steps_per_epoch,
        pct_start=0.3, div_factor=25.0, final_div_factor=1e4, cycle_momentum=False)


def torch_batches(data, config):
    """The same batch order as glassnet's DataLoader with generator seed 0."""
    from glassnet.data import DataLoader

    loader = DataLoader(data.train, batch_size=config.batch_size, shuffle=True,
                        generator=np.random.default_rng(0))
    for _ in range(config.epochs):
        yield list(loader)


def torch_run(torch, config, glassnet_model, initial, data):
    model = torch_twin(torch, glassnet_model)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in initial.items()})
    steps_per_epoch = math.ceil(len(data.train[1]) / config.batch_size)
    optimizer, scheduler = torch_optimizer(torch, config, model, steps_per_epoch)
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)
    test_x, test_y = torch.from_numpy(data.test[0]), torch.from_numpy(data.test[1])
    accuracies, windows = [], []
    started = time.perf_counter()
    for batches in torch_batches(data, config):
        model.train()
        window_start = time.perf_counter()
        for step, (x, y) in enumerate(batches, start=1):
            loss = loss_fn(model(torch.from_numpy(x)), torch.from_numpy(y))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            if step % WINDOW == 0:
                now = time.perf_counter()
                windows.append(now - window_start)
                window_start = now
        model.eval()
        with torch.no_grad():
            predictions = torch.cat([model(test_x[i:i + 1000]).argmax(1)
                                     for i in range(0, len(test_x), 1000)])
        accuracies.append(float((predictions == test_y).float().mean()))
    return accuracies, time.perf_counter() - started, windows


def samples_per_second(windows, batch_size):
    return WINDOW * batch_size / statistics.median(windows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="a glassnet train TOML file (the recipe)")
    parser.add_argument("--model", choices=("cnn", "mlp"))
    parser.add_argument("--epochs", type=int)
    args = parser.parse_args()
    config = load_config(args.config, {"model": args.model, "epochs": args.epochs})
    check_mirrored(config)
    import torch

    torch.set_num_threads(2)
    torch.manual_seed(0)
    data = prepare_data(config, np.random.default_rng(0))
    print(f"{config.model}: {len(data.train[1])} training images, {len(data.test[1])} test")
    model, initial, ours, our_seconds, our_windows = glassnet_run(config, data)
    theirs, their_seconds, their_windows = torch_run(torch, config, model, initial, data)
    print("epoch  glassnet test acc  PyTorch test acc")
    for epoch, (a, b) in enumerate(zip(ours, theirs), start=1):
        print(f"{epoch:5d}  {a:17.4f}  {b:16.4f}")
    ours_rate = samples_per_second(our_windows, config.batch_size)
    theirs_rate = samples_per_second(their_windows, config.batch_size)
    print(f"wall time, {config.epochs} epochs incl. test evaluation: glassnet "
          f"{our_seconds:.0f} s, PyTorch {their_seconds:.0f} s")
    print(f"training throughput (median of {WINDOW}-step windows): glassnet {ours_rate:,.0f} "
          f"samples/s, PyTorch {theirs_rate:,.0f} samples/s, ratio {ours_rate / theirs_rate:.2f}")


if __name__ == "__main__":
    main()
