"""The Optuna study behind a search: created once, claimed trial by trial, never overshooting.

Exact accounting: a worker takes the study's lock (``storage.study_lock``), then

1. adopts a trial whose worker is gone (RUNNING, its process killed or interrupted, or its
   heartbeat silent), so the trial is finished by someone — resumed from its run folder's
   checkpoint when that folder is on this machine, rerun from the start otherwise;
2. else creates a trial if fewer than ``target`` exist (``study.ask()``);
3. else stops.

Every trial ever created is therefore finished exactly once (complete, pruned — diverged
runs are pruned trials — or failed), and ``--trials 40`` with any number of workers on any
number of machines ends with exactly 40 finished trials. Optuna's own ``n_trials`` counts
per worker and ``MaxTrialsCallback`` overshoots (optuna issues #1883, #3518).
"""

import os
import socket
import time
from dataclasses import dataclass

from glassnet.errors import ConfigError
from glassnet.experiments.storage import load_optuna, open_storage, study_lock

DESCRIPTION_ATTR = "glassnet_search"
WORKER_ATTR = "worker"  # {"host", "pid", "heartbeat"} of the process running the trial
HEARTBEAT_SECONDS = 20
# A trial on another machine is taken as lost when its heartbeat is this old. Its clock and
# ours are assumed to agree within a minute (NTP); a trial on this machine is checked by pid.
STALE_AFTER_SECONDS = 300


@dataclass
class Claim:
    """A trial for this worker: ``adopted_from`` names the dead worker it came from."""

    trial: object  # optuna.trial.Trial
    adopted_from: dict | None = None
    reported: tuple = ()  # the epochs whose validation accuracy the dead worker reported


def create_or_load(choice, folder, name: str, description: dict):
    """The study ``name``, created with ``description`` (space, sampler, base config, …) if
    new; an existing study must have been created with the same description.

    Raises:
        ConfigError: the existing study describes another search, naming what differs.
    """
    optuna = load_optuna()

    with study_lock(choice, folder, name):
        storage = open_storage(choice)
        try:
            study = optuna.load_study(study_name=name, storage=storage)
        except KeyError:
            study = optuna.create_study(study_name=name, storage=storage, direction="maximize")
            study.set_user_attr(DESCRIPTION_ATTR, description)
    recorded = study.user_attrs.get(DESCRIPTION_ATTR)
    if recorded != description:
        raise ConfigError(
            f"search: the study {name!r} in {choice.describe()} was started with other "
            f"settings (they differ in: {differences(recorded, description)}). Repeat the "
            "original command to continue it, or choose another --study name."
        )
    return study


def differences(recorded: dict | None, asked: dict) -> str:
    """The keys in which two search descriptions differ, for an error message."""
    recorded = recorded or {}
    return ", ".join(sorted(key for key in set(asked) | set(recorded)
                            if recorded.get(key) != asked.get(key)))


def claim_trial(study, choice, folder, target: int) -> Claim | None:
    """The next trial for this worker, or None when ``target`` trials exist and none is
    lost (see the module docstring)."""
    optuna = load_optuna()

    with study_lock(choice, folder, study.study_name):
        trials = study.get_trials(deepcopy=False)
        lost = next((t for t in trials if t.state == optuna.trial.TrialState.RUNNING
                     and worker_is_lost(t.user_attrs.get(WORKER_ATTR))), None)
        if lost is not None:
            trial = optuna.trial.Trial(study, lost._trial_id)
            claim = Claim(trial, adopted_from=lost.user_attrs.get(WORKER_ATTR),
                          reported=tuple(lost.intermediate_values))
        elif len(trials) < target:
            claim = Claim(study.ask())
        else:
            return None
        record_heartbeat(claim.trial)
    return claim


def record_heartbeat(trial) -> None:
    """Mark ``trial`` as run by this process, now."""
    trial.set_user_attr(WORKER_ATTR, {"host": socket.gethostname(), "pid": os.getpid(),
                                      "heartbeat": time.time()})


def worker_is_lost(worker: dict | None, *, now: float | None = None) -> bool:
    """Whether the process that ran a RUNNING trial is gone: on this machine, its pid is dead;
    elsewhere, its heartbeat is older than STALE_AFTER_SECONDS. A trial claimed by no worker
    (created by ``ask`` in a process killed right after) counts as lost."""
    if not worker:
        return True
    if worker["host"] == socket.gethostname():
        return not process_alive(worker["pid"])
    return (now or time.time()) - worker["heartbeat"] > STALE_AFTER_SECONDS


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, killed but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:  # no /proc (macOS): trust kill(0)
        return True


def finished_count(study) -> int:
    """Complete, pruned and failed trials of ``study``."""
    return sum(trial.state.is_finished() for trial in study.get_trials(deepcopy=False))

