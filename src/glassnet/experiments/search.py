"""``search(base_config, space, ...)``: hyperparameter search on Optuna, from one process on a
laptop to many workers on many machines sharing a PostgreSQL database.

One command starts it, and the same command continues it after a crash or on another
machine (``--storage`` and ``--study`` the same): the study lives in storage, every trial is
an ordinary run folder, and the trial count is exact (``study.claim_trial``). The course's
coarse-to-fine search is ``refine``: after a round, the next samples from ranges narrowed
around the best trials (``space.narrow``), each round its own study.

Example (a tiny search: 3 trials of one epoch on 300 images)::

    from glassnet.experiments import parse_space, search
    from glassnet.train.config import TrainConfig

    base = TrainConfig(model="mlp", hidden=[32], train_limit=300)
    summary = search(base, parse_space(["lr=log:1e-3:1e-1"]), trials=3, epochs_per_trial=1)
    print(summary.best["params"], summary.folder / "leaderboard.csv")
"""

import dataclasses
import math
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from glassnet.errors import ConfigError
from glassnet.experiments.leaderboard import (
    leaderboard_rows,
    write_best_config,
    write_leaderboard,
)
from glassnet.experiments.plan import PLAN_FILE, SearchPlan
from glassnet.experiments.search_report import write_search_report
from glassnet.experiments.space import grid_values, narrow
from glassnet.experiments.storage import choose_storage, load_optuna
from glassnet.experiments.study import (
    create_or_load,
    differences,
    finished_count,
    worker_is_lost,
)
from glassnet.experiments.threads import cores, worker_environment
from glassnet.i18n import check_language
from glassnet.train.config import TrainConfig

# The share of a round's complete trials whose ranges the next round keeps (at least 3).
REFINE_TOP_SHARE = 0.2
POLL_SECONDS = 1.0


@dataclass
class SearchSummary:
    """What a search found: its folder, the leaderboard rows (best first), the best row, the
    counts of each outcome, and the report (report.html)."""

    folder: Path
    rows: list
    best: dict | None
    counts: dict
    report: Path


def search(base_config: TrainConfig, space, *, trials: int = 20, sampler: str = "random",
           workers: int = 1, epochs_per_trial: int = 2, refine: int = 0, prune: bool = True,
           storage: str | None = None, study: str | None = None, seed: int | None = None,
           lang: str = "en", stream=None) -> SearchSummary:
    """Search ``space`` (from ``space.parse_space``) around ``base_config``.

    Args:
        trials: finished trials per round, exactly, over all workers and machines.
        sampler: "random" (log-uniform where the space says log), "grid" (every parameter a
            choice; trials capped at the grid's size) or "tpe".
        workers: local worker processes (BLAS threads divided so workers × threads ≤ cores).
        epochs_per_trial: epochs each trial trains.
        refine: coarse-to-fine rounds after the first.
        prune: stop trials below the median of earlier ones at the same epoch.
        storage: a database URL shared by machines (postgresql://…); default: a file in the
            search folder.
        study: the study's name (default: from the searched options); the search folder is
            ``<base_config.out>/search-<study>``.
        seed: the study seed (default: ``base_config.seed``).
        lang: the report's language, "en" or "fa".
        stream: where progress lines go (default: standard output).

    Returns:
        The SearchSummary; ``leaderboard.csv``, ``best.toml``, ``report.md``,
        ``report.html`` and ``figures/`` are in its folder.
    """
    optuna = load_optuna()

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    stream = stream or sys.stdout
    check_language(lang)
    if not isinstance(workers, int) or workers < 1:
        raise ConfigError(f"search: expected workers to be a positive integer, but got "
                          f"{workers!r}.")
    study = study or "-".join(param.name for param in space)
    folder = Path(base_config.out) / f"search-{study}"
    plan = _plan(folder, base_config, space, sampler=sampler, trials=trials, workers=workers,
                 epochs_per_trial=epochs_per_trial, refine=refine, prune=prune,
                 storage=storage, study=study, seed=base_config.seed if seed is None else seed)
    for round_index in range(plan.refine + 1):
        if round_index == len(plan.spaces):
            plan.spaces.append(_narrowed_specs(plan, round_index - 1))
            plan.write()
        _run_round(plan, round_index, workers, stream)
    rows = leaderboard_rows(plan)
    write_leaderboard(plan.folder / "leaderboard.csv", rows)
    best = next((row for row in rows if row["state"] == "complete"), None)
    if best is not None:
        write_best_config(plan.folder / "best.toml", plan, best)
    files = write_search_report(plan, rows, lang=lang)
    counts = {state: sum(row["state"] == state for row in rows)
              for state in ("complete", "pruned", "diverged", "failed")}
    return SearchSummary(plan.folder, rows, best, counts, files.html)


def _plan(folder: Path, base_config: TrainConfig, space, *, workers: int, storage, **settings):
    """The folder's plan when continuing a search (it must be the same search; more refine
    rounds may be asked for), else a new one; written to ``search.json``."""
    specs = [param.spec for param in space]
    if settings["sampler"] == "grid":
        size = math.prod(len(choices) for choices in grid_values(space).values())
        settings["trials"] = min(settings["trials"], size)
    base = dict(base_config.to_json(), name=None)
    if not (folder / PLAN_FILE).exists():
        choice = choose_storage(folder, storage, workers=workers)
        plan = SearchPlan(folder, base=base, spaces=[specs], storage=choice, **settings)
    else:
        plan = SearchPlan.read(folder / PLAN_FILE)
        asked = SearchPlan(folder, base=base, spaces=[specs], storage=plan.storage, **settings)
        if asked.description(0) != plan.description(0):
            raise ConfigError(
                f"search: {folder} holds a search with other settings (they differ in: "
                f"{differences(plan.description(0), asked.description(0))}). Repeat its "
                f"command to continue it (see {folder / PLAN_FILE}), or pass another --study "
                "name or --out folder."
            )
        if storage is not None and choose_storage(folder, storage, workers=workers) != \
                plan.storage:
            raise ConfigError(f"search: {folder} keeps its study in "
                              f"{plan.storage.describe()}; leave --storage out or pass that.")
        choose_storage(folder, None, workers=workers, recorded=dataclasses.asdict(plan.storage))
        plan.refine, plan.trials = max(plan.refine, asked.refine), asked.trials
    folder.mkdir(parents=True, exist_ok=True)
    plan.write()
    return plan


def _run_round(plan: SearchPlan, round_index: int, workers: int, stream) -> None:
    study = create_or_load(plan.storage, plan.folder, plan.study_name(round_index),
                           plan.description(round_index))
    already = finished_count(study)
    print(f"search round {round_index}: {already} of {plan.trials} trials finished; study "
          f"{study.study_name!r} in {plan.storage.describe()}", file=stream, flush=True)
    if already < plan.trials:
        _run_workers(plan, round_index, workers, study, stream)
    _wait_for_other_machines(study, stream)


def _run_workers(plan: SearchPlan, round_index: int, workers: int, study, stream) -> None:
    """Start ``workers`` worker processes on this machine and report trials as they finish."""
    environment = worker_environment(max(1, cores() // workers))
    logs = plan.folder / "workers"
    logs.mkdir(exist_ok=True)
    processes = []
    for index in range(workers):
        log = open(logs / f"round{round_index}-worker{index}.log", "ab")  # noqa: SIM115
        command = [sys.executable, "-m", "glassnet.experiments.search_worker",
                   str(plan.folder / PLAN_FILE), str(round_index), str(index)]
        processes.append((subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                           env=environment), log))
    reported = {t.number for t in study.get_trials(deepcopy=False) if t.state.is_finished()}
    try:
        while any(process.poll() is None for process, _ in processes):
            time.sleep(POLL_SECONDS)
            reported |= _report_finished(study, reported, plan.trials, stream)
    except KeyboardInterrupt:
        for process, _ in processes:
            process.send_signal(signal.SIGTERM)  # each saves its trial's checkpoint
        for process, _ in processes:
            process.wait()
        raise
    finally:
        for _, log in processes:
            log.close()
    _report_finished(study, reported, plan.trials, stream)
    crashed = [index for index, (process, _) in enumerate(processes) if process.returncode]
    if crashed:
        print(f"search: worker(s) {crashed} stopped with an error; see {logs}. Their trials "
              "are taken over when the search runs again.", file=stream, flush=True)


def _report_finished(study, reported: set, target: int, stream) -> set:
    """Print one line per newly finished trial; return their numbers."""
    new = set()
    trials = study.get_trials(deepcopy=False)
    done = len(reported)
    for trial in trials:
        if trial.state.is_finished() and trial.number not in reported:
            done += 1
            outcome = trial.user_attrs.get("outcome", trial.state.name.lower())
            value = f", val_accuracy {trial.value:.4f}" if trial.value is not None else ""
            params = ", ".join(f"{name}={value}" for name, value in trial.params.items())
            print(f"[{done}/{target}] trial {trial.number}: {outcome}{value} ({params})",
                  file=stream, flush=True)
            new.add(trial.number)
    return new


def _wait_for_other_machines(study, stream) -> None:
    """Wait until no live worker anywhere still runs a trial of ``study`` (workers on other
    machines may be finishing theirs), so every machine sees the same finished round."""
    optuna = load_optuna()

    announced = False
    while True:
        running = [trial for trial in study.get_trials(deepcopy=False)
                   if trial.state == optuna.trial.TrialState.RUNNING
                   and not worker_is_lost(trial.user_attrs.get("worker"))]
        if not running:
            return
        if not announced:
            print(f"search: waiting for {len(running)} trial(s) running on other workers",
                  file=stream, flush=True)
            announced = True
        time.sleep(POLL_SECONDS * 5)


def _narrowed_specs(plan: SearchPlan, round_index: int) -> list:
    """The next round's space: round ``round_index``'s ranges narrowed to its best trials."""
    optuna = load_optuna()

    study = optuna.load_study(study_name=plan.study_name(round_index),
                              storage=plan.open_storage())
    complete = sorted((t for t in study.get_trials(deepcopy=False)
                       if t.state == optuna.trial.TrialState.COMPLETE),
                      key=lambda t: t.value, reverse=True)
    if not complete:
        raise ConfigError(f"search: round {round_index} has no complete trial to refine "
                          "around (every trial was pruned, diverged or failed). Widen the "
                          "ranges or lower the learning rate.")
    top = complete[: max(3, math.ceil(REFINE_TOP_SHARE * len(complete)))]
    return [param.spec for param in narrow(plan.space(round_index), [t.params for t in top])]
