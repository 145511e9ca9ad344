"""Engine overhead: Python cost per op, and one MLP training step written with plain ops.

    uv run python benchmarks/engine.py

(a) A chain of 10,000 adds on a one-element tensor, forward and backward: the time per op
    is the engine's own overhead (Function objects, graph bookkeeping), since the NumPy
    work is negligible. Target: <= 15 us per op.
(b) One SGD step of a 784-256-128-10 ReLU MLP on a batch of 128, written with ops
    (matmul, add, relu, logsumexp, index) - no fused layers - so it measures the engine
    on a real workload.
Each is timed as the median of several repetitions, beside PyTorch CPU (2 threads) doing
the same thing when it is installed.
"""

import statistics
import time

import numpy as np

import glassnet as gn

CHAIN_LENGTH = 10_000
REPEATS = 7


def median_seconds(fn, repeats: int = REPEATS) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def glassnet_add_chain():
    x = gn.tensor([0.0], requires_grad=True)
    y = x
    for _ in range(CHAIN_LENGTH):
        y = y + 1.0
    y.sum().backward()


def torch_add_chain(torch):
    x = torch.zeros(1, requires_grad=True)
    y = x
    for _ in range(CHAIN_LENGTH):
        y = y + 1.0
    y.sum().backward()


def mlp_data(seed: int = 0):
    rng = np.random.default_rng(seed)
    inputs = rng.standard_normal((128, 784)).astype(np.float32)
    labels = rng.integers(0, 10, 128)
    sizes = [(784, 256), (256, 128), (128, 10)]
    weights = [(rng.standard_normal(s) * np.sqrt(2 / s[0])).astype(np.float32) for s in sizes]
    return inputs, labels, weights


def glassnet_mlp_step_fn():
    inputs, labels, weights = mlp_data()
    params = []
    for W in weights:
        params += [gn.tensor(W, requires_grad=True), gn.zeros(W.shape[1], requires_grad=True)]
    x, rows = gn.as_tensor(inputs), np.arange(len(labels))

    def step():
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i < len(params) - 2:
                h = h.relu()
        loss = (h.logsumexp(axis=1) - h[rows, labels]).mean()
        for p in params:
            p.grad = None
        loss.backward()
        for p in params:
            p.data -= 0.01 * p.grad

    return step


def torch_mlp_step_fn(torch):
    inputs, labels, weights = mlp_data()
    params = []
    for W in weights:
        params += [
            torch.tensor(W, requires_grad=True),
            torch.zeros(W.shape[1], requires_grad=True),
        ]
    x, rows, target = torch.tensor(inputs), torch.arange(len(labels)), torch.tensor(labels)

    def step():
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i < len(params) - 2:
                h = h.relu()
        loss = (h.logsumexp(dim=1) - h[rows, target]).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= 0.01 * p.grad

    return step


def main() -> None:
    # glassnet is timed before PyTorch is imported: importing torch creates hundreds of
    # thousands of Python objects, and every garbage-collector pass that a long chain of
    # graph nodes triggers then has to walk them too (PyTorch's own graph nodes are C++
    # objects the collector never sees). After the import the same chain costs about twice
    # as much per op; the second line below shows it.
    chain = median_seconds(glassnet_add_chain) / CHAIN_LENGTH * 1e6
    mlp = median_seconds(glassnet_mlp_step_fn(), repeats=30) * 1e3
    try:
        import torch

        torch.set_num_threads(2)
    except ImportError:
        torch = None
        print("PyTorch not installed: glassnet figures only.")
    rows = [("add chain, forward+backward, per op", chain, None, "us")]
    if torch:
        chain_after = median_seconds(glassnet_add_chain) / CHAIN_LENGTH * 1e6
        rows = [
            ("add chain, forward+backward, per op", chain,
             median_seconds(lambda: torch_add_chain(torch)) / CHAIN_LENGTH * 1e6, "us"),
            ("  the same, torch imported in-process", chain_after, None, "us"),
        ]
    torch_mlp = median_seconds(torch_mlp_step_fn(torch), repeats=30) * 1e3 if torch else None
    rows.append(("MLP 784-256-128-10 SGD step, batch 128", mlp, torch_mlp, "ms"))

    print(f"{'workload':42} {'glassnet':>10} {'PyTorch':>10} {'glassnet speed vs PyTorch':>26}")
    for name, ours, theirs, unit in rows:
        ratio = f"{theirs / ours:.2f}x" if theirs else "-"
        theirs_text = f"{theirs:.2f} {unit}" if theirs else "-"
        print(f"{name:42} {ours:7.2f} {unit} {theirs_text:>10} {ratio:>26}")


if __name__ == "__main__":
    main()
