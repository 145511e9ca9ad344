"""``compare``: runs that differ in one factor (or a grid of factors), over several seeds,
as ordinary run folders, then results.csv and a report.

    compare(TrainConfig(model="mlp"), vary={"activation": ["relu", "tanh"]}, seeds=[0, 1, 2])

writes ``<base.out>/compare-<name>/``:

    comparison.json                  the plan: base config, factors, seeds, run names
    activation=relu,seed=0/ ...      one ordinary run folder per variant × seed
    results.csv                      one row per run
    report.md, report.html, figures/ the report (glassnet.experiments.report)

Fair by construction: a run's seed alone decides its data split, preprocessing, initial
weights and batch order (``glassnet.train.run`` draws them from independent streams of the
seed), so variants that share a seed differ only in the factor — and every run records
hashes of those (fingerprint.json), which the report checks instead of promising.

Runs go ``jobs`` at a time, each in its own process with BLAS threads divided so that
jobs × threads ≤ cores (``jobs=1`` trains in this process). Running the same comparison
again continues it: finished runs (complete, stopped early or diverged) are kept,
unfinished ones resume from their last checkpoint, failed ones are retried. Ctrl-C stops
every run at its next batch with its position saved.
"""

import contextlib
import dataclasses
import json
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from glassnet.atomic_write import atomic_write
from glassnet.errors import ConfigError, GlassnetError
from glassnet.experiments.factors import check_vary, format_value
from glassnet.experiments.progress import Board
from glassnet.experiments.report import ReportFiles, write_comparison
from glassnet.experiments.runs import FINISHED, RunRecord, load_run
from glassnet.experiments.threads import cores as available_cores
from glassnet.experiments.threads import current_threads, worker_environment
from glassnet.experiments.worker import ERROR_FILE, EXIT_USER_ERROR, execute
from glassnet.train.config import TrainConfig

PLAN_FILE = "comparison.json"
# Options that say where or how a run is shown or found, not what it computes: they may
# change between sessions of one comparison.
_SESSION_OPTIONS = ("out", "name", "progress", "data_dir", "download", "seed")
# The worker's command (not ``-m glassnet.experiments.worker``: the package imports that
# module already, and runpy would warn about running a module twice).
_WORKER = "import sys; from glassnet.experiments.worker import main; sys.exit(main())"

@dataclass
class PlannedRun:
    """One variant × seed: its folder name, factor values, seed and full config."""

    name: str
    factors: dict
    seed: int
    config: TrainConfig


@dataclass
class Comparison:
    """What ``compare`` did.

    Attributes:
        folder: the comparison folder.
        records: every run's RunRecord, in plan order.
        report: the report's files (None when interrupted before the report).
        seconds: wall time of this session.
        kept: runs found finished from an earlier session and kept.
        interrupted: a signal stopped the comparison; ``signal`` is its number.
    """

    folder: Path
    records: list = field(default_factory=list)
    report: ReportFiles | None = None
    seconds: float = 0.0
    kept: int = 0
    interrupted: bool = False
    signal: int | None = None


def compare(base: TrainConfig, vary: dict, seeds=(0, 1, 2), *, jobs: int = 1,
            name: str | None = None, lang: str = "en", stream=None,
            callbacks=None) -> Comparison:
    """Train every combination of ``vary``'s values once per seed, then report.

    Args:
        base: the config every run starts from (as ``glassnet train`` builds it); its
            ``out`` is where the comparison folder goes, its seed is replaced by ``seeds``.
        vary: factor → values, e.g. ``{"activation": ["relu", "tanh"]}``; several factors
            make a grid. Each needs two or more different values.
        seeds: the seeds every variant is trained with.
        jobs: runs at a time (each in its own process when > 1), at most the CPU cores.
        name: the folder is ``compare-<name>``; default: ``base.name``, else the factors
            joined by "-".
        lang: the report's language, "en" or "fa".
        stream: where progress goes (default: standard output).
        callbacks: ``callbacks(config) -> list`` of extra Trainer callbacks for each run
            (only with ``jobs=1``: they cannot cross into other processes).

    Returns:
        A Comparison.

    Raises:
        ConfigError: a bad factor, seed list or jobs count, or a folder that holds a
            different comparison.
        GlassnetError: a run failed for a reason every run would share (e.g. the dataset
            is missing); the message names the run.
    """
    vary = check_vary(vary, base)
    seeds = _check_seeds(seeds)
    cores = available_cores()
    if not isinstance(jobs, int) or not 1 <= jobs <= cores:
        raise ConfigError(
            f"compare: expected jobs between 1 and {cores} (the CPU cores here), but got "
            f"{jobs!r}. More jobs than cores would only slow every run down."
        )
    if callbacks is not None and jobs > 1:
        raise ConfigError("compare: callbacks work only with jobs=1 (they cannot be sent to "
                          "other processes).")
    folder = Path(base.out) / f"compare-{_folder_name(name or base.name or '-'.join(vary))}"
    planned = plan_runs(base, vary, seeds, folder)
    _write_or_check_plan(folder, base, vary, seeds, planned)
    started = time.perf_counter()
    threads = max(1, cores // jobs) if jobs > 1 else None
    board = Board(len(planned), sum(p.config.epochs for p in planned), stream=stream)
    board.line(f"compare: {len(planned)} runs ({_shape(vary, seeds)}) in {folder}, "
               f"{jobs} at a time" + (f" with {threads} BLAS thread(s) each" if threads else ""))
    todo, kept = [], 0
    for run in planned:
        record = _record_or_none(folder / run.name)
        if record is not None and record.status in FINISHED:
            kept += 1
            board.run_finished(run.name, record, kept=True)
        else:
            todo.append(run)
    if kept:
        board.line(f"compare: kept {kept} finished run(s) from an earlier session")
    try:
        if jobs == 1:
            stopped = _run_here(todo, board, callbacks)
        else:
            stopped = _run_in_processes(todo, board, jobs, threads)
    finally:
        board.close()
    records = [_record_or_none(folder / run.name) or _not_started(folder, run) for run in planned]
    comparison = Comparison(folder, records, seconds=time.perf_counter() - started, kept=kept)
    if stopped is not None:
        comparison.interrupted, comparison.signal = True, stopped
        return comparison
    context = {"jobs": jobs, "threads": threads or current_threads(),
               "seconds": comparison.seconds}
    comparison.report = write_comparison(comparison.records, list(vary), folder, lang=lang,
                                         context=context)
    return comparison


def plan_runs(base: TrainConfig, vary: dict, seeds, folder) -> list:
    """Every combination of the factor values (the first factor varies slowest) × seeds."""
    combinations = [{}]
    for key, values in vary.items():
        combinations = [{**combo, key: value} for combo in combinations for value in values]
    planned = []
    for combo in combinations:
        label = ",".join(f"{key}={format_value(value)}" for key, value in combo.items())
        for seed in seeds:
            name = _folder_name(f"{label},seed={seed}")
            config = dataclasses.replace(base, **combo, seed=seed, out=str(folder), name=name,
                                         progress=False)
            planned.append(PlannedRun(name, combo, seed, config))
    return planned


# --- running -------------------------------------------------------------------------------

def _run_here(todo, board, callbacks):
    """Train the runs one after another in this process; the signal that stopped them, or
    None."""
    for run in todo:
        extra = list(callbacks(run.config)) if callbacks is not None else []
        outcome = execute(run.config, callbacks=[board.epoch_ticker(), *extra],
                          raise_user_errors=True)
        board.run_finished(run.name, load_run(Path(run.config.out) / run.name))
        if outcome.signal is not None:
            return outcome.signal
    return None


def _run_in_processes(todo, board, jobs: int, threads: int):
    """Train the runs ``jobs`` at a time, each in a worker process with ``threads`` BLAS
    threads; the signal that stopped them, or None."""
    env = worker_environment(threads)
    queue, running, stopped, user_error = list(todo), {}, None, None
    previous = _on_sigterm_raise()
    try:
        while queue or running:
            while queue and len(running) < jobs and stopped is None and user_error is None:
                run = queue.pop(0)
                running[run.name] = (run, _start_worker(run, env))
            time.sleep(0.2)
            board.poll(_epochs_done(r for r, _ in running.values()))
            for name, (run, process) in list(running.items()):
                code = process.poll()
                if code is None:
                    continue
                del running[name]
                folder = Path(run.config.out) / run.name
                if code < 0:  # killed from outside (e.g. out of memory): this run failed
                    atomic_write(folder / ERROR_FILE, f"the worker process was killed by "
                                 f"{signal.Signals(-code).name} (out of memory?)\n")
                    board.run_finished(name, load_run(folder))
                    continue
                board.run_finished(name, load_run(folder))
                if code == EXIT_USER_ERROR and user_error is None:
                    user_error = f"{name}: {(folder / ERROR_FILE).read_text().strip()}"
                    _signal_all(running, signal.SIGINT)
                elif code >= 128 and stopped is None:
                    stopped = code - 128
    except KeyboardInterrupt as interrupt:
        stopped = getattr(interrupt, "signal", signal.SIGINT)
        _signal_all(running, stopped)
        for run, process in running.values():
            process.wait()
            board.run_finished(run.name, load_run(Path(run.config.out) / run.name))
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if user_error is not None:
        raise GlassnetError(f"compare: {user_error}")
    return stopped


def _start_worker(run: PlannedRun, env: dict) -> subprocess.Popen:
    folder = Path(run.config.out) / run.name
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(folder / "config.json", json.dumps(run.config.to_json(), indent=2) + "\n")
    log = open(folder / "train.log", "a", encoding="utf-8")  # noqa: SIM115 - the child's
    try:
        # A session of its own: Ctrl-C reaches only this process, which passes exactly one
        # SIGINT on (a second one would make the worker quit without saving its position).
        return subprocess.Popen([sys.executable, "-c", _WORKER, str(folder)], stdout=log,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)
    finally:
        log.close()


def _signal_all(running: dict, signum: int) -> None:
    for _, process in running.values():
        if process.poll() is None:
            process.send_signal(signum)


def _on_sigterm_raise():
    """While workers run, SIGTERM interrupts like Ctrl-C (and is passed on to them)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        interrupt = KeyboardInterrupt()
        interrupt.signal = signum
        raise interrupt

    return signal.signal(signal.SIGTERM, handler)


def _epochs_done(runs) -> int:
    """Epochs finished so far by ``runs`` (lines of their metrics.csv, minus the header)."""
    done = 0
    for run in runs:
        path = Path(run.config.out) / run.name / "metrics.csv"
        with contextlib.suppress(OSError):  # not written yet
            done += max(0, len(path.read_text(encoding="utf-8").splitlines()) - 1)
    return done


# --- the plan --------------------------------------------------------------------------------

def _write_or_check_plan(folder: Path, base, vary, seeds, planned) -> None:
    plan = {"base": {k: v for k, v in base.to_json().items() if k not in _SESSION_OPTIONS},
            "vary": vary, "seeds": list(seeds), "runs": [run.name for run in planned]}
    path = folder / PLAN_FILE
    if path.exists():
        old = json.loads(path.read_text(encoding="utf-8"))
        differs = [key for key in ("vary", "seeds") if old.get(key) != plan[key]]
        differs += [f"base {key}" for key in sorted(set(old.get("base", {})) | set(plan["base"]))
                    if old.get("base", {}).get(key) != plan["base"].get(key)]
        if differs:
            raise ConfigError(
                f"compare: {folder} holds a different comparison ({', '.join(differs)} "
                "differ). Run the same command to continue that one, or give this one "
                "another --name."
            )
        return
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(plan, indent=2) + "\n")


def _record_or_none(folder: Path):
    return load_run(folder) if (folder / "config.json").exists() else None


def _not_started(folder: Path, run: PlannedRun) -> RunRecord:
    """The record of a planned run that never started (the comparison was stopped first)."""
    return RunRecord(folder / run.name, run.config.to_json(), status="unfinished")


def _check_seeds(seeds) -> list:
    seeds = list(seeds)
    if not seeds or any(isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in seeds):
        raise ConfigError(
            f"compare: expected seeds as non-negative integers such as [0, 1, 2], but got "
            f"{seeds!r}."
        )
    if len(set(seeds)) != len(seeds):
        raise ConfigError(f"compare: expected different seeds, but got {seeds!r}.")
    return seeds


def _folder_name(name: str) -> str:
    if not name or "/" in name or "\\" in name or name in (".", ".."):
        raise ConfigError(
            f"compare: expected a name usable as a folder name, but got {name!r}. Use letters, "
            "digits, '-' or '_'."
        )
    return name


def _shape(vary: dict, seeds) -> str:
    sizes = " × ".join(f"{len(values)} {key}" for key, values in vary.items())
    return f"{sizes} × {len(seeds)} seed{'s' if len(seeds) > 1 else ''}"
