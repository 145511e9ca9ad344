"""What a hyperparameter search's storage costs per trial, beside what a trial costs to train.

For each storage (SQLite file, Optuna's journal file, PostgreSQL when a URL is given), run
the storage work of ``--trials`` trials exactly as a glassnet search worker does it, with no
training in between: take the study lock and claim a trial (adopting lost ones, counting,
``ask``), draw two parameters, record the heartbeat and the run folder, report
``--epochs`` validation accuracies (asking the pruner each time), and tell the result. The
median and range of the seconds per trial are printed, for comparison with a trial's
training time (the search's leaderboard.csv has those).

    uv run --extra search python benchmarks/search.py --trials 30
    uv run --extra search python benchmarks/search.py --postgres postgresql://me@127.0.0.1:5432/db
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import optuna

from glassnet.experiments.search_worker import make_pruner
from glassnet.experiments.space import parse_space
from glassnet.experiments.storage import choose_storage
from glassnet.experiments.study import claim_trial, create_or_load

SPACE = parse_space(["lr=log:1e-5:1e-1", "weight_decay=log:1e-6:1e-2"])


def storage_seconds_per_trial(choice, folder: Path, trials: int, epochs: int) -> list[float]:
    """The seconds of storage work of each of ``trials`` trials on ``choice``."""
    study = create_or_load(choice, folder, f"bench-{time.monotonic_ns()}", {"space": "bench"})
    study.sampler = optuna.samplers.RandomSampler(seed=0)
    study.pruner = make_pruner(True)
    seconds = []
    for _ in range(trials):
        started = time.perf_counter()
        trial = claim_trial(study, choice, folder, trials).trial
        values = {param.name: param.suggest(trial) for param in SPACE}
        trial.set_user_attr("run_folder", str(folder / f"trial-{trial.number:04d}"))
        for epoch in range(1, epochs + 1):
            trial.report(0.5 + 0.01 * epoch + values["lr"], epoch)
            trial.should_prune()
        study.tell(trial, 0.5 + values["lr"])
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--epochs", type=int, default=2, help="reports per trial")
    parser.add_argument("--postgres", help="a PostgreSQL URL to measure too")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with tempfile.TemporaryDirectory() as scratch:
        storages = {"sqlite": choose_storage(Path(scratch) / "sqlite", None, workers=1),
                    "journal": choose_storage(Path(scratch) / "journal", None, workers=2)}
        if args.postgres:
            storages["postgresql"] = choose_storage(Path(scratch), args.postgres, workers=2)
        print(f"storage work per trial ({args.trials} trials, {args.epochs} reports each):")
        for name, choice in storages.items():
            folder = Path(scratch) / name
            folder.mkdir(exist_ok=True)
            seconds = storage_seconds_per_trial(choice, folder, args.trials, args.epochs)
            print(f"  {name:<10} median {1000 * statistics.median(seconds):6.1f} ms "
                  f"(range {1000 * min(seconds):.1f}–{1000 * max(seconds):.1f} ms)")


if __name__ == "__main__":
    main()
