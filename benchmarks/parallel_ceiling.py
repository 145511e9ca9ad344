"""How fast could a training step be on 2 cores by threading alone? The ceiling, beside PyTorch.

    uv run python benchmarks/parallel_ceiling.py [--repeats 3] [--workloads cnn-train,resnet-train]

The ceiling: two independent copies of the model each train on half of the batch, one per
thread, with single-threaded BLAS and nothing shared: no synchronization, no partial sums,
every core busy from the first op to the last. No way of splitting glassnet's work over the
cores can beat it, so if even the ceiling is slower than PyTorch, what is left is the work
done on one core, not the threading. (With batch norm each copy normalizes over its
half: the ceiling bounds the speed; it is not the same computation.)

Printed per workload (reference.py's, batch 128, 2 threads): glassnet's step as it is, the
ceiling, PyTorch's step, and PyTorch time / glassnet time for the first two, medians of
``--repeats`` interleaved measurements of the median of ``--iterations`` steps.
"""

import argparse
import statistics
from concurrent.futures import ThreadPoolExecutor

import threadpoolctl
from layers import median_seconds
from reference import WORKLOADS, glassnet_model, glassnet_step, load_batches, torch_step

from glassnet.ops import parallel


def halves(batches: list) -> tuple:
    """The first and second half of every batch, as two lists of batches."""
    return tuple([(x[part], y[part]) for x, y in batches]
                 for part in (slice(None, len(batches[0][0]) // 2),
                              slice(len(batches[0][0]) // 2, None)))


def ceiling_step(name: str, batches: list):
    """One step of two model copies on the two halves of a batch, on two threads."""
    workload = WORKLOADS[name]
    first, second = (glassnet_step(glassnet_model(workload.model), workload, half)
                     for half in halves(batches))
    pool = ThreadPoolExecutor(1)

    def step():
        other = pool.submit(second)
        first()
        other.result()

    return step


def measure(names: list, repeats: int, iterations: int) -> None:
    import torch

    torch.set_num_threads(2)
    print(f"2 cores, {repeats} interleaved repeats of the median of {iterations} steps; "
          "ratio = PyTorch time / glassnet time")
    print(f"{'workload':14} {'glassnet ms':>12} {'ceiling ms':>11} {'PyTorch ms':>11} "
          f"{'ratio':>6} {'ceiling ratio':>14}")
    for name in names:
        workload = WORKLOADS[name]
        batches = load_batches(workload)
        model = glassnet_model(workload.model)
        ours = glassnet_step(model, workload, batches)
        theirs = torch_step(torch, workload.model, model, workload, batches)
        ceiling = ceiling_step(name, batches)
        times = {"ours": [], "ceiling": [], "theirs": []}
        for _ in range(repeats):
            with threadpoolctl.threadpool_limits(2, user_api="blas"):
                parallel.set_num_threads(2)
                times["ours"].append(median_seconds(ours, iterations))
                times["theirs"].append(median_seconds(theirs, iterations))
            with threadpoolctl.threadpool_limits(1, user_api="blas"):
                parallel.set_num_threads(1)
                times["ceiling"].append(median_seconds(ceiling, iterations))
        ours_ms, ceiling_ms, theirs_ms = (1e3 * statistics.median(times[key])
                                          for key in ("ours", "ceiling", "theirs"))
        print(f"{name:14} {ours_ms:12.1f} {ceiling_ms:11.1f} {theirs_ms:11.1f} "
              f"{theirs_ms / ours_ms:6.2f} {theirs_ms / ceiling_ms:14.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="interleaved repetitions")
    parser.add_argument("--iterations", type=int, default=5, help="steps per measurement")
    trained = [name for name, workload in WORKLOADS.items() if workload.train]
    parser.add_argument("--workloads", default="cnn-train,cnn-bn-train,resnet-train",
                        help=f"comma-separated, from: {', '.join(trained)}")
    args = parser.parse_args()
    names = args.workloads.split(",")
    unknown = [name for name in names if name not in trained]
    if unknown:
        parser.error(f"unknown workloads {unknown}; choose from {', '.join(trained)}")
    measure(names, args.repeats, args.iterations)


if __name__ == "__main__":
    main()
