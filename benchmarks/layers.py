"""Speed of the fused ops and of the reference CNN, side by side with PyTorch CPU.

    uv run python benchmarks/layers.py [--repeats 5] [--iterations 5] [--threads 2]

The reference CNN of ../shared/PERF.md on a batch of 128 (float32, NCHW):
    Conv2d(1,32,3,p=1)-ReLU-MaxPool2 - Conv2d(32,64,3,p=1)-ReLU-MaxPool2 - Flatten -
    Linear(3136,128)-ReLU - Linear(128,10), mean cross-entropy.
For each fused op at the shapes it has in that CNN (plus batch norm over conv1's activation,
which the CNN does not have), and for the whole CNN, it times forward plus backward (no
optimizer step), glassnet beside PyTorch. Each figure is the median of ``--iterations``
calls; the glassnet and PyTorch measurements are interleaved ``--repeats`` times, and the
ratio (PyTorch time / glassnet time: 1.0 means as fast as PyTorch, 0.5 half its speed) is
reported as the median over the repeats with its range, so that a busy machine shows up as
spread rather than as a wrong figure.

``--threads`` sets both libraries' thread count (2, PERF.md's setting, by default; NumPy's
BLAS through threadpoolctl when it is installed, else set OPENBLAS_NUM_THREADS yourself).
On a machine that other jobs share, 2-thread BLAS timings swing by 2-10x (a thread waits
for a core); ``--threads 1`` then gives steadier ratios.

The per-op inputs come from one forward pass of the CNN, so they have the memory layout the
ops meet in training (conv2d returns channels-last memory; see glassnet/ops/fused/conv.py).
"""

import argparse
import statistics
import time

import numpy as np

import glassnet as gn
from glassnet.ops import fused

BATCH = 128


def median_seconds(fn, iterations: int) -> float:
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# ----- the reference CNN in glassnet ----------------------------------------------------------


def make_data(seed: int = 0):
    rng = np.random.default_rng(seed)
    images = rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32)
    labels = rng.integers(0, 10, BATCH)
    shapes = {
        "conv1.weight": (32, 1, 3, 3),
        "conv2.weight": (64, 32, 3, 3),
        "fc1.weight": (128, 3136),
        "fc2.weight": (10, 128),
    }
    arrays = {}
    for name, shape in shapes.items():
        fan_in = int(np.prod(shape[1:]))
        arrays[name] = (rng.standard_normal(shape) * np.sqrt(2 / fan_in)).astype(np.float32)
        arrays[name.replace("weight", "bias")] = np.zeros(shape[0], np.float32)
    return images, labels, arrays


def glassnet_forward(p, x, labels, activations=None):
    """The CNN's loss; ``activations`` (a dict) receives every intermediate tensor."""
    seen = activations if activations is not None else {}
    pool = {"kernel_size": (2, 2), "stride": (2, 2), "padding": (0, 0)}
    seen["conv1"] = h = fused.conv2d(x, p["conv1.weight"], p["conv1.bias"], padding=(1, 1))
    seen["relu1"] = h = gn.relu(h)
    seen["pool1"] = h = fused.max_pool2d(h, **pool)
    seen["conv2"] = h = fused.conv2d(h, p["conv2.weight"], p["conv2.bias"], padding=(1, 1))
    seen["relu2"] = h = gn.relu(h)
    seen["pool2"] = h = fused.max_pool2d(h, **pool)
    seen["flatten"] = h = h.reshape(h.shape[0], -1)
    seen["fc1"] = h = fused.linear(h, p["fc1.weight"], p["fc1.bias"])
    seen["relu3"] = h = gn.relu(h)
    seen["fc2"] = logits = fused.linear(h, p["fc2.weight"], p["fc2.bias"])
    rows = np.arange(len(labels))
    return (logits.logsumexp(axis=1) - logits[rows, labels]).mean()


def glassnet_cnn(images, labels, arrays):
    params = {k: gn.tensor(v, requires_grad=True) for k, v in arrays.items()}
    x = gn.as_tensor(images)

    def step():
        for t in params.values():
            t.grad = None
        glassnet_forward(params, x, labels).backward()

    return step, params, x


def glassnet_op_cases(images, labels, arrays):
    """fwd+bwd closures for each fused op, fed the activations of one CNN forward pass."""
    _, params, x = glassnet_cnn(images, labels, arrays)
    seen = {}
    glassnet_forward(params, x, labels, seen)
    rng = np.random.default_rng(1)

    def leaf(t, grad=True):
        return gn.Tensor._wrap(t.data, requires_grad=grad)

    def upstream(t):
        grad = np.empty_like(t.data)  # same memory layout as the op's output
        grad[...] = rng.standard_normal(t.shape)
        return grad

    def case(op, out):
        grad = upstream(out)

        def run():
            for t in params.values():
                t.grad = None
            op().backward(grad)

        return run

    pool = {"kernel_size": (2, 2), "stride": (2, 2), "padding": (0, 0)}
    p, a1, a2 = params, leaf(seen["relu1"]), leaf(seen["relu2"])
    c1, c2, flat = leaf(seen["conv1"]), leaf(seen["conv2"]), leaf(seen["flatten"])
    h3 = leaf(seen["relu3"])
    conv2_in = leaf(seen["pool1"])
    # Not in the CNN: batch norm over conv1's activation, as a BatchNorm2d(32) would see it.
    gamma, beta = gn.ones(32, requires_grad=True), gn.zeros(32, requires_grad=True)
    stats = (np.zeros(32, np.float32), np.ones(32, np.float32))
    return {
        "conv1 (no grad_x)": case(
            lambda: fused.conv2d(x, p["conv1.weight"], p["conv1.bias"], padding=(1, 1)),
            seen["conv1"],
        ),
        "relu1": case(lambda: gn.relu(c1), seen["relu1"]),
        "maxpool1": case(lambda: fused.max_pool2d(a1, **pool), seen["pool1"]),
        "conv2": case(
            lambda: fused.conv2d(conv2_in, p["conv2.weight"], p["conv2.bias"], padding=(1, 1)),
            seen["conv2"],
        ),
        "relu2": case(lambda: gn.relu(c2), seen["relu2"]),
        "maxpool2": case(lambda: fused.max_pool2d(a2, **pool), seen["pool2"]),
        "flatten": case(lambda: leaf(seen["pool2"]).reshape(BATCH, -1), seen["flatten"]),
        "fc1": case(lambda: fused.linear(flat, p["fc1.weight"], p["fc1.bias"]), seen["fc1"]),
        "fc2": case(lambda: fused.linear(h3, p["fc2.weight"], p["fc2.bias"]), seen["fc2"]),
        "batch_norm (extra)": case(
            lambda: fused.batch_norm(a1, gamma, beta, *stats, training=True), seen["relu1"]
        ),
    }


# ----- the same in PyTorch -------------------------------------------------------------------


def torch_cases(torch, images, labels, arrays):
    F = torch.nn.functional
    p = {k: torch.tensor(v, requires_grad=True) for k, v in arrays.items()}
    x, y = torch.tensor(images), torch.tensor(labels)

    def forward(seen):
        seen["conv1"] = h = F.conv2d(x, p["conv1.weight"], p["conv1.bias"], padding=1)
        seen["relu1"] = h = F.relu(h)
        seen["pool1"] = h = F.max_pool2d(h, 2)
        seen["conv2"] = h = F.conv2d(h, p["conv2.weight"], p["conv2.bias"], padding=1)
        seen["relu2"] = h = F.relu(h)
        seen["pool2"] = h = F.max_pool2d(h, 2)
        seen["flatten"] = h = h.flatten(1)
        seen["fc1"] = h = F.linear(h, p["fc1.weight"], p["fc1.bias"])
        seen["relu3"] = h = F.relu(h)
        seen["fc2"] = logits = F.linear(h, p["fc2.weight"], p["fc2.bias"])
        return F.cross_entropy(logits, y)

    def step():
        for t in p.values():
            t.grad = None
        forward({}).backward()

    seen = {}
    with torch.no_grad():
        forward(seen)

    def leaf(name):
        return seen[name].detach().clone().requires_grad_(True)

    def case(op, like):
        grad = torch.randn_like(seen[like])

        def run():
            for t in p.values():
                t.grad = None
            op().backward(grad)

        return run

    c1, a1, a2, c2 = leaf("conv1"), leaf("relu1"), leaf("relu2"), leaf("conv2")
    conv2_in, flat, h3, pooled = leaf("pool1"), leaf("flatten"), leaf("relu3"), leaf("pool2")
    gamma = torch.ones(32, requires_grad=True)
    beta = torch.zeros(32, requires_grad=True)
    stats = (torch.zeros(32), torch.ones(32))
    ops = {
        "conv1 (no grad_x)": case(
            lambda: F.conv2d(x, p["conv1.weight"], p["conv1.bias"], padding=1), "conv1"
        ),
        "relu1": case(lambda: F.relu(c1), "relu1"),
        "maxpool1": case(lambda: F.max_pool2d(a1, 2), "pool1"),
        "conv2": case(
            lambda: F.conv2d(conv2_in, p["conv2.weight"], p["conv2.bias"], padding=1), "conv2"
        ),
        "relu2": case(lambda: F.relu(c2), "relu2"),
        "maxpool2": case(lambda: F.max_pool2d(a2, 2), "pool2"),
        "flatten": case(lambda: pooled.flatten(1), "flatten"),
        "fc1": case(lambda: F.linear(flat, p["fc1.weight"], p["fc1.bias"]), "fc1"),
        "fc2": case(lambda: F.linear(h3, p["fc2.weight"], p["fc2.bias"]), "fc2"),
        "batch_norm (extra)": case(
            lambda: F.batch_norm(a1, *stats, gamma, beta, training=True), "relu1"
        ),
    }
    return step, ops


def limit_blas_threads(threads: int) -> None:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        print("threadpoolctl is not installed: NumPy uses OPENBLAS_NUM_THREADS (or all cores).")
        return
    threadpool_limits(threads, user_api="blas")


# ----- main ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="interleaved repetitions")
    parser.add_argument("--iterations", type=int, default=5, help="calls per measurement")
    parser.add_argument("--threads", type=int, default=2, help="threads for BLAS and PyTorch")
    args = parser.parse_args()
    limit_blas_threads(args.threads)

    images, labels, arrays = make_data()
    ours = {"whole CNN fwd+bwd": glassnet_cnn(images, labels, arrays)[0]}
    ours.update(glassnet_op_cases(images, labels, arrays))
    theirs = {}
    try:
        import torch
    except ImportError:
        torch = None
        print("PyTorch is not installed: glassnet times only.")
    if torch is not None:
        torch.set_num_threads(args.threads)
        torch_step, torch_ops = torch_cases(torch, images, labels, arrays)
        theirs = {"whole CNN fwd+bwd": torch_step, **torch_ops}

    for fn in [*ours.values(), *theirs.values()]:
        fn()  # warm-up
    times = {name: ([], []) for name in ours}
    for _ in range(args.repeats):
        for name in ours:
            times[name][0].append(median_seconds(ours[name], args.iterations))
            if name in theirs:
                times[name][1].append(median_seconds(theirs[name], args.iterations))

    print(f"batch {BATCH}, float32, NumPy {np.__version__}", end="")
    print(f", PyTorch {torch.__version__}" if torch is not None else "", end="")
    print(f", {args.threads} thread(s)")
    print(f"{'':20} {'glassnet ms':>12} {'PyTorch ms':>11} {'ratio':>6}  (range)")
    for name, (mine, reference) in times.items():
        line = f"{name:20} {1e3 * statistics.median(mine):12.2f}"
        if reference:
            ratios = [r / m for r, m in zip(reference, mine)]
            line += f" {1e3 * statistics.median(reference):11.2f}"
            line += f" {statistics.median(ratios):6.2f}  ({min(ratios):.2f}-{max(ratios):.2f})"
        print(line)
    whole = statistics.median(times["whole CNN fwd+bwd"][0])
    print(f"glassnet CNN fwd+bwd: {BATCH / whole:,.0f} samples/s")
    if theirs:
        torch_whole = statistics.median(times["whole CNN fwd+bwd"][1])
        print(f"PyTorch  CNN fwd+bwd: {BATCH / torch_whole:,.0f} samples/s")


if __name__ == "__main__":
    main()
