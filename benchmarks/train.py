"""Train the reference models on Fashion-MNIST with glassnet's Trainer (the code path of
`glassnet train`) and with PyTorch CPU, on the same data, initial weights and batch order.

    uv run python benchmarks/train.py --model cnn --epochs 5
    uv run python benchmarks/train.py --model mlp --epochs 5

PERF.md's workload: pixels standardized with the training mean and std, float32, batch 128,
Adam(lr=1e-3), mean cross-entropy, seed 0, 2 threads. glassnet trains on the 54,000 images
left after holding out 10% for validation (as `glassnet train` does) and so does PyTorch.
Reported per library: test accuracy after each epoch, wall time, and training throughput
(samples/s of the whole step: forward, loss, backward, optimizer step) as the median over
windows of 50 steps. The two libraries run one after the other in the same process, so a
busy machine can favour either: repeat the run and compare the ratios (benchmarks/layers.py
interleaves the two for the forward/backward pass alone).
"""

import argparse
import statistics
import time

import numpy as np

from glassnet import optim
from glassnet.nn import CrossEntropyLoss
from glassnet.train.config import TrainConfig
from glassnet.train.run import build_model, prepare_data
from glassnet.train.trainer import Trainer

WINDOW = 50


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


def glassnet_run(config, data, epochs):
    model = build_model(config, data.train[0].shape[1:], 10, np.random.default_rng(0))
    initial = model.state_dict()
    timer, accuracy = StepTimer(), TestAccuracy(data.test)
    trainer = Trainer(model, CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-3),
                      callbacks=[timer, accuracy], generator=np.random.default_rng(0))
    started = time.perf_counter()
    trainer.fit(data.train, epochs=epochs, batch_size=128)
    return initial, accuracy.accuracies, time.perf_counter() - started, timer.window_seconds


def torch_model(torch, name):
    nn = torch.nn
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128),
                             nn.ReLU(), nn.Linear(128, 10))
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))


def torch_batches(data, epochs):
    """The same batch order as glassnet's DataLoader with generator seed 0."""
    from glassnet.data import DataLoader

    loader = DataLoader(data.train, batch_size=128, shuffle=True,
                        generator=np.random.default_rng(0))
    for _ in range(epochs):
        yield list(loader)


def torch_run(torch, name, initial, data, epochs):
    model = torch_model(torch, name)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in initial.items()})
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    test_x, test_y = torch.from_numpy(data.test[0]), torch.from_numpy(data.test[1])
    accuracies, windows = [], []
    started = time.perf_counter()
    for batches in torch_batches(data, epochs):
        model.train()
        window_start = time.perf_counter()
        for step, (x, y) in enumerate(batches, start=1):
            loss = loss_fn(model(torch.from_numpy(x)), torch.from_numpy(y))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
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


def samples_per_second(windows):
    return WINDOW * 128 / statistics.median(windows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("cnn", "mlp"), default="cnn")
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(2)
    torch.manual_seed(0)
    config = TrainConfig(model=args.model)
    data = prepare_data(config, np.random.default_rng(0))
    print(f"{args.model}: {len(data.train[1])} training images, {len(data.test[1])} test")
    initial, ours, our_seconds, our_windows = glassnet_run(config, data, args.epochs)
    theirs, their_seconds, their_windows = torch_run(torch, args.model, initial, data,
                                                     args.epochs)
    print("epoch  glassnet test acc  PyTorch test acc")
    for epoch, (a, b) in enumerate(zip(ours, theirs), start=1):
        print(f"{epoch:5d}  {a:17.4f}  {b:16.4f}")
    ours_rate, theirs_rate = samples_per_second(our_windows), samples_per_second(their_windows)
    print(f"wall time, {args.epochs} epochs incl. test evaluation: glassnet {our_seconds:.0f} s, "
          f"PyTorch {their_seconds:.0f} s")
    print(f"training throughput (median of {WINDOW}-step windows): glassnet {ours_rate:,.0f} "
          f"samples/s, PyTorch {theirs_rate:,.0f} samples/s, ratio {ours_rate / theirs_rate:.2f}")


if __name__ == "__main__":
    main()
