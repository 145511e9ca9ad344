"""What Telemetry costs: the reference CNN's training step with and without
``Telemetry(every=10)`` (the issue's bound: ≤ 10% slower).

PERF.md's workload (Fashion-MNIST standardized, batch 128, Adam 1e-3), timed through the
Trainer as ``glassnet train`` runs it. The two variants alternate, repetition after
repetition, from the same weights and batch order; each run's time per step is the total
over its steps after a warm-up divided by their number (recorded and unrecorded steps
alike). Reported: the median per variant and the median of the per-repetition ratios.

    uv run python benchmarks/diagnose_overhead.py --repeats 5 --steps 60
    OPENBLAS_NUM_THREADS=1 uv run python benchmarks/diagnose_overhead.py
"""

import argparse
import json
import os
import statistics
import time

import numpy as np

from glassnet import models, optim
from glassnet.data import load_dataset
from glassnet.diagnose import Telemetry
from glassnet.nn import CrossEntropyLoss
from glassnet.train.trainer import Trainer

WARMUP = 10


class StepClock:
    def __init__(self):
        self.times = []

    def on_batch_end(self, state):
        self.times.append(time.perf_counter())


def one_run(X, y, initial, *, telemetry: bool, steps: int) -> float:
    model = models.cnn(generator=np.random.default_rng(0))
    model.load_state_dict(initial)
    clock = StepClock()
    callbacks = [Telemetry(every=10)] if telemetry else []
    trainer = Trainer(model, CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-3),
                      callbacks=[*callbacks, clock], generator=np.random.default_rng(0))
    n = (steps + WARMUP) * 128
    trainer.fit((X[:n], y[:n]), epochs=1, batch_size=128)
    times = clock.times[WARMUP:]
    return (times[-1] - times[0]) / (len(times) - 1)


def telemetry_share(X, y, initial, *, steps: int) -> dict:
    """One run with Telemetry under cProfile: the time spent in glassnet.diagnose's own code
    (hooks, statistics, callbacks) per step, against the whole step — a measure of the
    overhead that the machine's load does not blur."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    step = one_run(X, y, initial, telemetry=True, steps=steps)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    # Everything Telemetry does starts in one of these (its callbacks and its forward
    # hooks); their cumulative times include the NumPy work they call and never nest.
    entries = {"hook", "_keep_inputs", "on_train_begin", "on_before_step", "on_batch_end",
               "on_epoch_end", "on_train_end"}
    inside = sum(cumulative for (file, _, name), (_, _, _, cumulative, _) in stats.items()
                 if file.endswith("diagnose/telemetry.py") and name in entries)
    total_steps = steps + WARMUP
    return {"diagnose_ms_per_step": inside / total_steps * 1e3,
            "profiled_ms_per_step": step * 1e3,
            "share": inside / total_steps / step}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--out")
    args = parser.parse_args()
    X, y = load_dataset("fashion-mnist", split="train")
    X = ((X - X.mean()) / X.std()).astype(np.float32).reshape(-1, 1, 28, 28)
    initial = models.cnn(generator=np.random.default_rng(0)).state_dict()
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    plain, watched, ratios = [], [], []
    for repeat in range(args.repeats):
        a = one_run(X, y, initial, telemetry=False, steps=args.steps)
        b = one_run(X, y, initial, telemetry=True, steps=args.steps)
        plain.append(a)
        watched.append(b)
        ratios.append(b / a)
        print(f"repeat {repeat + 1}: {a * 1e3:.1f} ms/step without, {b * 1e3:.1f} ms/step with "
              f"Telemetry(every=10): ×{b / a:.3f}", flush=True)
    profiled = telemetry_share(X, y, initial, steps=args.steps)
    print(f"profiled: {profiled['diagnose_ms_per_step']:.2f} ms of each "
          f"{profiled['profiled_ms_per_step']:.1f} ms step is spent in glassnet.diagnose "
          f"({profiled['share']:.1%})")
    summary = {"ms_per_step_without": statistics.median(plain) * 1e3,
               "ms_per_step_with": statistics.median(watched) * 1e3,
               "median_ratio": statistics.median(ratios), "ratios": ratios,
               "profiled": profiled,
               "load_average_start": list(load), "load_average_end": list(os.getloadavg())}
    print(json.dumps(summary, indent=2))
    if args.out:
        with open(args.out, "w") as handle:
            json.dump(summary, handle, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
