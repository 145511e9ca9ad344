"""Data-parallel training on MPI, measured: throughput, all-reduce cost, a scaling model to
many machines, and synchronous against asynchronous SGD.

    uv run python benchmarks/distributed.py throughput --reps 3     # 1, 2, 4 processes
    uv run python benchmarks/distributed.py sync-vs-async --epochs 3

``throughput``: PERF.md's reference MLP and CNN (Fashion-MNIST, global batch 128, Adam,
float32) trained by ``DataParallel`` on 1 process (2 BLAS threads, and 1), 2 and 4
processes (1 thread each; 4 processes share the 2 cores), each started by mpiexec;
interleaved repetitions. Per configuration: the median time per step, samples/s, and the
median time each step spends in its all-reduce (waiting for the slowest process included).
Then the compute time of one step at batch sizes 128/n (one process) and the predicted
speed-up on 8, 32 and 128 machines over 10 GbE, with the arithmetic printed.

``sync-vs-async``: ``glassnet train --distributed sync`` on 1, 2 and 4 processes and
``--distributed async`` with 1, 2 and 4 workers (2, 3 and 5 processes), the reference MLP,
batch 128 per update; the loss against steps and against wall time (one figure), and the
final test accuracy, staleness and time (one table).
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
BATCH = 128
WARMUP, TIMED = 5, 40
CONFIGS = ((1, 2), (1, 1), (2, 1), (4, 1))  # (processes, BLAS threads per process)
PARAMS = {"mlp": 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10,
          "cnn": 9 * 32 + 32 + 9 * 32 * 64 + 64 + 3136 * 128 + 128 + 128 * 10 + 10}
# 10 GbE: 1.25 GB/s on the wire, ~1.17 GB/s of TCP payload; MPI over TCP latency per
# message ~50 µs (measured figures for 10 GbE NICs with a switch lie between 20 and 60 µs).
BANDWIDTH, LATENCY = 1.17e9, 50e-6


def mpiexec(n: int) -> list:
    flags = ["--oversubscribe"] + (["--allow-run-as-root"] if os.geteuid() == 0 else [])
    return ["mpiexec", *flags, "-n", str(n)]


def environment(threads: int) -> dict:
    return dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
                PYTHONPATH=str(REPOSITORY / "src"))


def load_average() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


# ----- throughput -----------------------------------------------------------------------------


def worker(model_name: str, out: str) -> None:
    """Under mpiexec: train WARMUP + TIMED steps with DataParallel; rank 0 writes timings."""
    from glassnet import optim
    from glassnet.distributed import DataParallel, MPICommunicator
    from glassnet.nn import CrossEntropyLoss
    from glassnet.train.config import TrainConfig
    from glassnet.train.run import build_model, prepare_data
    from glassnet.train.trainer import Trainer

    comm = MPICommunicator()
    config = TrainConfig(model=model_name, train_limit=int(BATCH * (WARMUP + TIMED) / 0.9) + 1)
    data = prepare_data(config, np.random.default_rng(0))
    model = build_model(config, data.train[0].shape[1:], 10, np.random.default_rng(0))
    parallel = DataParallel(comm)

    class Timer:
        def __init__(self):
            self.times, self.allreduce = [], []

        def on_batch_end(self, state):
            self.times.append(time.perf_counter())
            self.allreduce.append(parallel.allreduce_seconds)

    timer = Timer()
    trainer = Trainer(model, CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-3),
                      callbacks=[parallel, timer], generator=np.random.default_rng(0))
    trainer.fit(data.train, epochs=1, batch_size=BATCH)
    pure = []  # the same all-reduce with every process already waiting: transfer alone
    for _ in range(20):
        comm.barrier()
        started = time.perf_counter()
        comm.allreduce(parallel.vector)
        pure.append(time.perf_counter() - started)
    if comm.rank == 0:
        steps = np.diff(timer.times)[WARMUP - 1:]
        Path(out).write_text(json.dumps({
            "step_seconds": float(np.median(steps)),
            "allreduce_seconds": float(np.median(timer.allreduce[WARMUP:])),
            "allreduce_alone_seconds": float(np.median(pure)),
            "steps": len(steps),
        }))


def compute_times(model_name: str, batches, threads: int) -> dict:
    """One process: median seconds of a training step at each batch size (no MPI)."""
    code = f"""
import json, time, numpy as np
from glassnet import optim
from glassnet.nn import CrossEntropyLoss
from glassnet.train.config import TrainConfig
from glassnet.train.run import build_model, prepare_data
from glassnet.train.trainer import Trainer
config = TrainConfig(model={model_name!r}, train_limit=60000)
data = prepare_data(config, np.random.default_rng(0))
result = {{}}
for batch in {list(batches)!r}:
    model = build_model(config, data.train[0].shape[1:], 10, np.random.default_rng(0))
    times = []
    class Timer:
        def on_batch_end(self, state):
            times.append(time.perf_counter())
            if len(times) > 45:
                state.stop("enough")
    trainer = Trainer(model, CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-3),
                      callbacks=[Timer()], generator=np.random.default_rng(0))
    trainer.fit((data.train[0][:batch * 60], data.train[1][:batch * 60]), epochs=1,
                batch_size=batch)
    result[batch] = float(np.median(np.diff(times)[5:]))
print(json.dumps(result))
"""
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               env=environment(threads), check=True)
    return {int(k): v for k, v in json.loads(completed.stdout).items()}


def allreduce_model(n: int, size_bytes: float) -> float:
    """Rabenseifner's all-reduce (reduce-scatter, then all-gather, by recursive halving and
    doubling), what MPI libraries use for large messages: 2·log2(n) messages of latency α
    and 2·(n−1)/n·S bytes through each machine's link of bandwidth β."""
    if n == 1:
        return 0.0
    return 2 * math.log2(n) * LATENCY + 2 * (n - 1) / n * size_bytes / BANDWIDTH


def throughput(args) -> None:
    print(f"started: {load_average()}")
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for rep in range(args.reps):
            for model_name in args.models:
                order = CONFIGS if rep % 2 == 0 else tuple(reversed(CONFIGS))
                for processes, threads in order:
                    out = Path(scratch) / "timing.json"
                    subprocess.run([*mpiexec(processes), sys.executable, __file__, "worker",
                                    model_name, str(out)], env=environment(threads),
                                   check=True, capture_output=True)
                    timing = json.loads(out.read_text())
                    results.setdefault((model_name, processes, threads), []).append(timing)
        print(f"after the MPI runs: {load_average()}")
        print("\nmodel  processes x threads  ms/step  samples/s  all-reduce ms/step  "
              "all-reduce alone ms  (medians over reps)")
        summary = {}
        for (model_name, processes, threads), runs in results.items():
            step = statistics.median(r["step_seconds"] for r in runs)
            allreduce = statistics.median(r["allreduce_seconds"] for r in runs)
            alone = statistics.median(r["allreduce_alone_seconds"] for r in runs)
            summary[f"{model_name} {processes}x{threads}"] = {
                "step_ms": step * 1e3, "samples_per_s": BATCH / step,
                "allreduce_ms": allreduce * 1e3, "allreduce_alone_ms": alone * 1e3,
                "reps": len(runs)}
            print(f"{model_name:5s}  {processes} x {threads}{'':15s}{step * 1e3:7.1f}  "
                  f"{BATCH / step:9,.0f}  {allreduce * 1e3:18.2f}  {alone * 1e3:19.2f}")
        print(f"\nscaling model (no overlap of communication and backward), {load_average()}")
        scaling = {}
        for model_name in args.models:
            scaling[model_name] = scaling_model(model_name)
        output = {"throughput": summary, "scaling": scaling, "load": load_average()}
        if args.out:
            Path(args.out).write_text(json.dumps(output, indent=2))


def scaling_model(model_name: str) -> dict:
    size = 4 * PARAMS[model_name]
    workers = (1, 8, 32, 128)
    strong_batches = sorted({max(BATCH // n, 1) for n in workers}, reverse=True)
    # One BLAS thread: on a shared 2-core machine two OpenBLAS threads spin against other
    # processes and small-batch timings become noise; a "machine" below is one such worker.
    measured = compute_times(model_name, strong_batches, threads=1)
    base = measured[BATCH]
    print(f"\n{model_name}: {PARAMS[model_name]:,} parameters, S = {size / 1e6:.2f} MB of "
          f"float32 gradients; T(b) = one process's measured step time at batch b "
          f"(1 thread): " + ", ".join(f"T({b}) = {t * 1e3:.1f} ms" for b, t in measured.items()))
    print(f"  all-reduce A(n) = 2·log2(n)·α + 2·(n−1)/n·S/β, α = {LATENCY * 1e6:.0f} µs, "
          f"β = {BANDWIDTH / 1e9:.2f} GB/s")
    rows = {}
    for n in workers[1:]:
        a = allreduce_model(n, size)
        weak = n * base / (base + a)  # every machine keeps batch 128: global batch 128·n
        b = max(BATCH // n, 1)
        strong = base / (measured[b] + a)  # 128 examples per step, in T(b) + A
        rows[n] = {"allreduce_ms": a * 1e3, "weak_speedup": weak, "strong_speedup": strong,
                   "strong_batch": b}
        print(f"  n = {n:3d}: A = 2·{math.log2(n):.0f}·{LATENCY * 1e6:.0f} µs + "
              f"2·{n - 1}/{n}·{size / 1e6:.2f} MB / {BANDWIDTH / 1e9:.2f} GB/s = "
              f"{a * 1e3:.2f} ms;  weak (batch 128 each): {n}·T(128)/(T(128)+A) = "
              f"{n}·{base * 1e3:.1f}/({base * 1e3:.1f}+{a * 1e3:.2f}) = {weak:.1f}×;  "
              f"strong (global 128, {b} each): T(128)/(T({b})+A) = "
              f"{base * 1e3:.1f}/({measured[b] * 1e3:.2f}+{a * 1e3:.2f}) = {strong:.1f}×")
    return {"measured_step_ms": {b: t * 1e3 for b, t in measured.items()}, "rows": rows}


# ----- sync against async ---------------------------------------------------------------------


def sync_vs_async(args) -> None:
    print(f"started: {load_average()}")
    out = Path(args.runs)
    runs = [("sync", k, k) for k in (1, 2, 4)] + [("async", k, k + 1) for k in (1, 2, 4)]
    for mode, workers, processes in runs:
        name = f"{mode}-{workers}"
        threads = 2 if processes == 1 else 1
        command = [*mpiexec(processes), sys.executable, "-m", "glassnet.cli.main", "train",
                   "--distributed", mode, "--model", "mlp", "--epochs", str(args.epochs),
                   "--batch-size", str(BATCH), "--no-progress", "--out", str(out),
                   "--name", name, "--seed", "0"]
        started = time.perf_counter()
        subprocess.run(command, env=environment(threads), check=True, capture_output=True)
        print(f"{name}: {time.perf_counter() - started:.1f} s, {load_average()}")
    table = {}
    curves = {}
    for mode, workers, _ in runs:
        folder = out / f"{mode}-{workers}"
        steps = [json.loads(line) for line in (folder / "distributed.jsonl").read_text()
                 .splitlines()]
        applied = [r for r in steps if "loss" in r and r.get("applied", True)]
        summary = json.loads((folder / "distributed.json").read_text())
        test = json.loads((folder / "test_metrics.json").read_text())
        curves[(mode, workers)] = ([r["step"] for r in applied], [r["time"] for r in applied],
                                   [r["loss"] for r in applied])
        table[f"{mode} {workers}"] = {
            "test_accuracy": test["accuracy"], "steps": len(applied),
            "train_seconds": applied[-1]["time"],
            "mean_staleness": summary.get("staleness", {}).get("mean", 0.0)}
    print("\nmode   workers  steps  train s  steps/s  mean staleness  test accuracy")
    for key, row in table.items():
        mode, workers = key.split()
        print(f"{mode:6s} {workers:>7s}  {row['steps']:5d}  {row['train_seconds']:7.1f}  "
              f"{row['steps'] / row['train_seconds']:7.1f}  {row['mean_staleness']:14.2f}  "
              f"{row['test_accuracy']:13.4f}")
    figure_path = Path(args.figure)
    draw(curves, figure_path)
    print(f"figure: {figure_path}")
    if args.out:
        Path(args.out).write_text(json.dumps({"table": table, "load": load_average()},
                                             indent=2))


def smooth(values, window: int = 25) -> np.ndarray:
    values = np.asarray(values, float)
    kernel = np.ones(min(window, len(values))) / min(window, len(values))
    return np.convolve(values, kernel, mode="valid")


def draw(curves: dict, path: Path) -> None:
    from glassnet.plot.figure import new_figure, save_png

    figure = new_figure(11, 4.2)
    by_steps, by_time = figure.subplots(1, 2)
    colours = {1: "tab:blue", 2: "tab:orange", 4: "tab:green"}
    for (mode, workers), (steps, times, losses) in curves.items():
        style = "-" if mode == "sync" else "--"
        label = f"{mode}, {workers} worker{'s' if workers > 1 else ''}"
        trimmed = len(steps) - len(smooth(losses)) + 1
        by_steps.plot(steps[trimmed - 1:], smooth(losses), style, color=colours[workers],
                      label=label, linewidth=1.3)
        by_time.plot(times[trimmed - 1:], smooth(losses), style, color=colours[workers],
                     label=label, linewidth=1.3)
    for axes, xlabel in ((by_steps, "optimizer steps (updates of batch 128)"),
                         (by_time, "wall time (s), 2 cores shared by all processes")):
        axes.set_xlabel(xlabel)
        axes.set_ylabel("training loss (moving average of 25 steps)")
        axes.set_yscale("log")
        axes.grid(True, alpha=0.3)
    by_steps.legend(fontsize=8)
    figure.suptitle("Fashion-MNIST MLP: synchronous vs asynchronous SGD on MPI (Adam, lr 1e-3)")
    save_png(figure, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    speed = commands.add_parser("throughput")
    speed.add_argument("--reps", type=int, default=3)
    speed.add_argument("--models", nargs="+", default=["mlp", "cnn"])
    speed.add_argument("--out", help="write the numbers to this JSON file")
    versus = commands.add_parser("sync-vs-async")
    versus.add_argument("--epochs", type=int, default=3)
    versus.add_argument("--runs", default=str(Path(tempfile.gettempdir()) / "glassnet-sync-async"))
    versus.add_argument("--figure", default=str(HERE / "figures" / "sync_vs_async.png"))
    versus.add_argument("--out", help="write the table to this JSON file")
    work = commands.add_parser("worker")
    work.add_argument("model")
    work.add_argument("out")
    args = parser.parse_args()
    if args.command == "worker":
        worker(args.model, args.out)
    elif args.command == "throughput":
        throughput(args)
    else:
        sync_vs_async(args)


if __name__ == "__main__":
    main()
