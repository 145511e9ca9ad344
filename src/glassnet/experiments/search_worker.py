"""A search worker: claim a trial, train it as an ordinary run folder, tell the study, repeat.

Each trial is a ``glassnet train`` run in ``<search>/trials/trial-NNNN/`` (config, metrics,
checkpoints, ``train.log``), so it can be evaluated, resumed or reported on its own. Its
validation accuracy is reported to Optuna after every epoch, for the pruner and as the
objective (the best epoch's value). Outcomes:

- complete: trained for every epoch;
- pruned: stopped by the pruner (its validation accuracy was below the median of earlier
  trials at the same epoch), or diverged (NaN/Inf loss, or loss above 3× its initial value:
  glassnet's DivergenceGuard) — the trial's ``outcome`` attribute tells which;
- failed: the run raised an error (its message is kept).

An interrupted trial (Ctrl-C, SIGTERM) is not told: it stays running in the study, its
checkpoint saved, and the next run of the same command adopts it and resumes it from there
(``study.claim_trial``), as it does for a worker that was killed.

Run as ``python -m glassnet.experiments.search_worker SEARCH_JSON ROUND INDEX`` by ``search`` for
``--workers K`` (K processes), or called in-process for one worker.
"""

import contextlib
import socket
import sys
import threading
import time
import zlib
from pathlib import Path

import numpy as np

from glassnet.errors import GlassnetError
from glassnet.experiments.plan import SearchPlan
from glassnet.experiments.space import apply_params
from glassnet.experiments.storage import load_optuna
from glassnet.experiments.study import HEARTBEAT_SECONDS, claim_trial, record_heartbeat


def work(plan: SearchPlan, round_index: int, worker_index: int) -> int:
    """Run trials of round ``round_index`` until the study has its count; return how many
    this worker finished."""
    optuna = load_optuna()

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.load_study(study_name=plan.study_name(round_index),
                              storage=plan.open_storage(), pruner=make_pruner(plan.prune))
    seed = sampler_seed(plan, round_index, worker_index, len(study.get_trials(deepcopy=False)))
    study.sampler = make_sampler(plan, round_index, seed)
    finished = 0
    while (claim := claim_trial(study, plan.storage, plan.folder, plan.trials)) is not None:
        claim.trial.set_user_attr("sampler_seed", seed)
        run_claimed_trial(plan, round_index, study, claim)
        finished += 1
    return finished


def sampler_seed(plan: SearchPlan, round_index: int, worker_index: int,
                 trials_so_far: int) -> int:
    """The seed of one worker's sampler, from the study seed and the worker's identity
    (machine, index, trials already in the study when it started), so that workers never
    draw the same sequence and a rerun of the same command draws the same one. Each trial
    records it (user attribute ``sampler_seed``)."""
    entropy = [plan.seed, round_index, zlib.crc32(socket.gethostname().encode()),
               worker_index, trials_so_far]
    return int(np.random.SeedSequence(entropy).generate_state(1)[0])


def make_sampler(plan: SearchPlan, round_index: int, seed: int):
    """The sampler of one worker (random, grid or TPE) seeded with ``seed``."""
    optuna = load_optuna()

    space = plan.space(round_index)
    if plan.sampler == "grid":
        from glassnet.experiments.space import grid_values

        return optuna.samplers.GridSampler(grid_values(space), seed=seed)
    if plan.sampler == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    return optuna.samplers.RandomSampler(seed=seed)


def make_pruner(prune: bool):
    """The median rule (prune a trial below the median of earlier trials at the same epoch,
    after 5 trials), or none with ``--no-prune``."""
    optuna = load_optuna()

    if not prune:
        return optuna.pruners.NopPruner()
    return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=0)


def run_claimed_trial(plan: SearchPlan, round_index: int, study, claim) -> None:
    """Train the claimed trial and tell the study how it ended (an interrupted one is left
    running, for the next run to resume)."""
    optuna = load_optuna()

    from glassnet.train.run import run

    trial = claim.trial
    space = plan.space(round_index)
    values = {param.name: param.value(param.suggest(trial)) for param in space}
    folder = plan.trial_folder(round_index, trial.number)
    resume = "auto" if claim.adopted_from and (folder / "last.safetensors").exists() else None
    trial.set_user_attr("run_folder", str(folder))
    trial.set_user_attr("host", socket.gethostname())
    if claim.adopted_from:
        trial.set_user_attr("adopted", {**claim.adopted_from,
                                        "resumed": resume is not None})
    reporter = TrialReporter(trial, already_reported=claim.reported)
    started = time.perf_counter()
    try:
        config = apply_params(plan.base_config(), {
            **values, "epochs": plan.epochs_per_trial, "out": str(folder.parent),
            "name": folder.name, "progress": False,
        })
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "train.log", "a", encoding="utf-8") as log, _heartbeat(trial):
            result = run(config, resume=resume, stream=log, callbacks=[reporter])
    except (GlassnetError, OSError, MemoryError) as error:
        _tell(study, trial, optuna.trial.TrialState.FAIL, outcome="failed",
              error=str(error), seconds=time.perf_counter() - started)
        return
    seconds = time.perf_counter() - started
    history = result.history
    attrs = {"epochs": len(history), "seconds": seconds}
    if reporter.pruned:
        _tell(study, trial, optuna.trial.TrialState.PRUNED, outcome="pruned", **attrs)
    elif result.failed:
        losses = [record["loss"] for record in history if np.isfinite(record["loss"])]
        _tell(study, trial, optuna.trial.TrialState.PRUNED, outcome="diverged",
              error=result.stop_reason, last_finite_loss=losses[-1] if losses else None,
              **attrs)
    elif result.signal is not None:
        raise KeyboardInterrupt(result.stop_reason)
    else:
        best = max(record["val_accuracy"] for record in history)
        _tell(study, trial, optuna.trial.TrialState.COMPLETE, value=best, outcome="complete",
              **attrs)


class TrialReporter:
    """Trainer callback: report each epoch's validation accuracy to the trial, keep its
    heartbeat fresh, and stop the run when the pruner says so."""

    def __init__(self, trial, *, already_reported=()):
        self.trial = trial
        self.reported = set(already_reported)  # epochs a dead worker reported before
        self.pruned = False

    def on_train_begin(self, state) -> None:
        for record in state.history:  # a resumed run: epochs its dead worker did not report
            self._report(record)

    def on_epoch_end(self, state) -> None:
        self._report(state.metrics)
        if self.trial.should_prune():
            self.pruned = True
            state.stop(f"pruned after epoch {state.epoch}: validation accuracy "
                       f"{state.metrics['val_accuracy']:.4f} is below the median of earlier "
                       "trials at this epoch")

    def _report(self, record: dict) -> None:
        if record["epoch"] not in self.reported:
            self.trial.report(record["val_accuracy"], record["epoch"])
            self.reported.add(record["epoch"])


def _tell(study, trial, state, *, value=None, **attrs) -> None:
    for key, attr in attrs.items():
        trial.set_user_attr(key, attr)
    study.tell(trial, value, state=state)


@contextlib.contextmanager
def _heartbeat(trial):
    """Refresh the trial's heartbeat every HEARTBEAT_SECONDS while the block runs, so that
    workers on other machines can tell this one is alive."""
    done = threading.Event()

    def beat():
        while not done.wait(HEARTBEAT_SECONDS):
            record_heartbeat(trial)

    thread = threading.Thread(target=beat, name="glassnet-search-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def main(argv=None) -> int:
    """``python -m glassnet.experiments.search_worker SEARCH_JSON ROUND INDEX``."""
    argv = sys.argv[1:] if argv is None else argv
    plan = SearchPlan.read(Path(argv[0]))
    try:
        work(plan, int(argv[1]), int(argv[2]))
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
