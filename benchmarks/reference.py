"""glassnet beside PyTorch CPU on PERF.md's reference workloads, in one process, on the same data.

    uv run python benchmarks/reference.py [--repeats 5] [--threads 2] [--iterations 5]
    uv run python benchmarks/reference.py --workloads cnn-train,cnn-bn-train --threads 1
    uv run python benchmarks/reference.py --memory      # peak RSS of training, per library

Workloads (../shared/PERF.md): Fashion-MNIST training images standardized with their mean
and std, float32, NCHW, batch 128, Adam(lr=1e-3), mean cross-entropy, seed 0.

- cnn-train / cnn-infer: the reference CNN (``models.cnn()``); one training step (forward,
  loss, zero_grad, backward, Adam step) on a batch of 128, or inference on a batch of 1000 in
  eval mode without a graph.
- mlp-train / mlp-infer: the reference MLP 784-256-128-10 (``models.mlp``), likewise.
- cnn-bn-train: the CNN with batch norm before each ReLU (``models.cnn(batch_norm=True)``,
  ``glassnet train --batch-norm``).
- resnet-train: ``models.resnet()`` (cifar stem, widths 16-32-64, one block per stage).

PyTorch builds the same architecture and loads glassnet's initial weights, so both libraries
start from the same parameters and see the same batches, wrapped as tensors before timing
without a copy (``gn.as_tensor``, ``torch.from_numpy``). Each figure is the median of
``--iterations`` calls (steps cycle over a few batches); the two libraries are measured
alternately, workload by workload, ``--repeats`` times, and the ratio PyTorch time /
glassnet time (above 1: glassnet is faster) is the median over the repeats with its range.

``--threads`` sets NumPy's BLAS threads (threadpoolctl), glassnet's pool
(``glassnet.ops.parallel.set_num_threads``) and ``torch.set_num_threads``. ``--memory``
runs a short training run of each workload and library in a fresh subprocess (glassnet's
without importing torch) and reports its peak resident memory.
"""

import argparse
import itertools
import resource
import statistics
import subprocess
import sys
from dataclasses import dataclass

import numpy as np
from layers import limit_blas_threads, median_seconds

import glassnet as gn
from glassnet import models, nn, optim
from glassnet.data import load_dataset
from glassnet.ops import parallel
from train import torch_twin

BATCH, INFER_BATCH, BATCHES = 128, 1000, 4


@dataclass(frozen=True)
class Workload:
    model: str  # cnn, cnn-bn, mlp, resnet
    train: bool

    @property
    def batch(self) -> int:
        return BATCH if self.train else INFER_BATCH


WORKLOADS = {
    "cnn-train": Workload("cnn", True),
    "cnn-infer": Workload("cnn", False),
    "mlp-train": Workload("mlp", True),
    "mlp-infer": Workload("mlp", False),
    "cnn-bn-train": Workload("cnn-bn", True),
    "resnet-train": Workload("resnet", True),
}


def load_batches(workload: Workload):
    """``BATCHES`` batches of standardized Fashion-MNIST training images and their labels."""
    images, labels = load_dataset("fashion-mnist", split="train")
    count = BATCHES * workload.batch
    x = images[:count].astype(np.float32) / 255
    x = ((x - x.mean()) / x.std()).reshape(count, 1, 28, 28)
    if workload.model == "mlp":
        x = x.reshape(count, 784)
    return [(x[i : i + workload.batch], labels[i : i + workload.batch].astype(np.int64))
            for i in range(0, count, workload.batch)]


def glassnet_model(name: str):
    generator = np.random.default_rng(0)
    if name == "mlp":
        return models.mlp(784, generator=generator)
    if name == "resnet":
        return models.resnet(1, 10, generator=generator)
    return models.cnn(1, 28, 10, batch_norm=name == "cnn-bn", generator=generator)


def step_function(model, loss_fn, optimizer, tensors: list, train: bool, no_grad):
    """A function running one step on the next of ``tensors`` (cycling): a training step
    (forward, loss, zero_grad, backward, optimizer step), or inference under ``no_grad``.
    glassnet and PyTorch share these names, so both libraries run this same code."""
    model.train(train)
    turn = itertools.cycle(tensors)

    def step():
        x, y = next(turn)
        if not train:
            with no_grad():
                return model(x)
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss

    return step


def glassnet_step(model, workload: Workload, batches):
    """glassnet's step function for ``workload`` on ``batches`` (``step_function``)."""
    tensors = [(gn.as_tensor(x), y) for x, y in batches]  # no copy, as torch.from_numpy
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    return step_function(model, nn.CrossEntropyLoss(), optimizer, tensors, workload.train,
                         gn.no_grad)


# ----- the same models in PyTorch ------------------------------------------------------------


def torch_resnet(torch, channels=(16, 32, 64)):
    """models.resnet()'s network with torchvision's module names (torchvision is not needed)."""
    tnn = torch.nn

    class BasicBlock(tnn.Module):
        def __init__(self, inputs, outputs, stride):
            super().__init__()
            self.conv1 = tnn.Conv2d(inputs, outputs, 3, stride, 1, bias=False)
            self.bn1 = tnn.BatchNorm2d(outputs)
            self.relu = tnn.ReLU()
            self.conv2 = tnn.Conv2d(outputs, outputs, 3, 1, 1, bias=False)
            self.bn2 = tnn.BatchNorm2d(outputs)
            self.downsample = None
            if stride != 1 or inputs != outputs:
                self.downsample = tnn.Sequential(
                    tnn.Conv2d(inputs, outputs, 1, stride, bias=False), tnn.BatchNorm2d(outputs))

        def forward(self, x):
            out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
            return self.relu(out + (x if self.downsample is None else self.downsample(x)))

    class ResNet(tnn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = tnn.Conv2d(1, channels[0], 3, 1, 1, bias=False)
            self.bn1 = tnn.BatchNorm2d(channels[0])
            self.relu = tnn.ReLU()
            width = channels[0]
            for stage, stage_width in enumerate(channels):
                block = BasicBlock(width, stage_width, 2 if stage > 0 else 1)
                setattr(self, f"layer{stage + 1}", tnn.Sequential(block))
                width = stage_width
            self.fc = tnn.Linear(width, 10)

        def forward(self, x):
            x = self.relu(self.bn1(self.conv1(x)))
            x = self.layer3(self.layer2(self.layer1(x)))
            return self.fc(x.mean(dim=(2, 3)))

    return ResNet()


def torch_step(torch, name: str, glassnet_model, workload: Workload, batches):
    """The PyTorch twin of ``glassnet_model`` with its weights, as a step function."""
    model = torch_resnet(torch) if name == "resnet" else torch_twin(torch, glassnet_model)
    model.load_state_dict({k: torch.from_numpy(np.asarray(v))
                           for k, v in glassnet_model.state_dict().items()})
    tensors = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in batches]
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    return step_function(model, torch.nn.CrossEntropyLoss(), optimizer, tensors, workload.train,
                         torch.no_grad)


# ----- timing and memory ---------------------------------------------------------------------


def set_threads(threads: int, torch=None) -> None:
    limit_blas_threads(threads)
    parallel.set_num_threads(threads)
    if torch is not None:
        torch.set_num_threads(threads)


def compare(names: list, repeats: int, iterations: int, threads: int) -> None:
    import torch

    set_threads(threads, torch)
    steps = {}
    for name in names:
        workload = WORKLOADS[name]
        batches = load_batches(workload)
        model = glassnet_model(workload.model)
        steps[name] = (glassnet_step(model, workload, batches),
                       torch_step(torch, workload.model, model, workload, batches))
        for step in steps[name]:
            step(), step()  # warm-up: allocations, lazy initialisation
    times = {name: ([], []) for name in names}
    for _ in range(repeats):
        for name in names:
            for step, record in zip(steps[name], times[name]):
                record.append(median_seconds(step, iterations))
    print(f"NumPy {np.__version__}, PyTorch {torch.__version__}, {threads} thread(s), "
          f"{repeats} interleaved repeats of the median of {iterations} calls")
    print(f"{'workload':14} {'glassnet /s':>12} {'PyTorch /s':>11} {'ratio':>6}  (range)")
    for name, (ours, theirs) in times.items():
        batch = WORKLOADS[name].batch
        ratios = [t / o for o, t in zip(ours, theirs)]
        print(f"{name:14} {batch / statistics.median(ours):12,.0f} "
              f"{batch / statistics.median(theirs):11,.0f} {statistics.median(ratios):6.2f}  "
              f"({min(ratios):.2f}-{max(ratios):.2f})")


def peak_rss_mb(library: str, name: str, threads: int, steps: int) -> float:
    """Peak resident memory of ``steps`` training steps in a fresh interpreter, in MB."""
    command = [sys.executable, __file__, "--child", library, "--workloads", name,
               "--threads", str(threads), "--iterations", str(steps)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return float(output.split()[-1])


def child(library: str, name: str, threads: int, steps: int) -> None:
    """Run ``steps`` steps of one workload in this process and print the peak RSS (MB)."""
    workload = WORKLOADS[name]
    batches = load_batches(workload)
    model = glassnet_model(workload.model)
    if library == "torch":
        import torch

        set_threads(threads, torch)
        step = torch_step(torch, workload.model, model, workload, batches)
        del model
    else:
        set_threads(threads)
        step = glassnet_step(model, workload, batches)
    for _ in range(steps):
        step()
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def memory(names: list, threads: int, steps: int) -> None:
    print(f"peak RSS of {steps} steps in a fresh process, {threads} thread(s), MB")
    print(f"{'workload':14} {'glassnet':>9} {'PyTorch':>8}")
    for name in names:
        ours, theirs = (peak_rss_mb(library, name, threads, steps)
                        for library in ("glassnet", "torch"))
        print(f"{name:14} {ours:9,.0f} {theirs:8,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="interleaved repetitions")
    parser.add_argument("--iterations", type=int, default=5,
                        help="calls per measurement (training steps per --memory run)")
    parser.add_argument("--threads", type=int, default=2,
                        help="BLAS, glassnet pool and PyTorch threads")
    parser.add_argument("--workloads", default=",".join(WORKLOADS),
                        help=f"comma-separated, from: {', '.join(WORKLOADS)}")
    parser.add_argument("--memory", action="store_true",
                        help="peak RSS of training runs instead of speed")
    parser.add_argument("--child", choices=("glassnet", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    names = args.workloads.split(",")
    unknown = [name for name in names if name not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workloads {unknown}; choose from {', '.join(WORKLOADS)}")
    if args.child:
        child(args.child, names[0], args.threads, args.iterations)
    elif args.memory:
        memory([name for name in names if WORKLOADS[name].train], args.threads,
               max(args.iterations, 20))
    else:
        compare(names, args.repeats, args.iterations, args.threads)


if __name__ == "__main__":
    main()
