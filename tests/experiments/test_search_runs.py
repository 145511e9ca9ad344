"""Searches run for real: worker processes, storages (SQLite, the journal file, PostgreSQL),
exact trial counts, workers killed mid-trial, and resuming with the same command."""

import csv
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from tests.ci import import_in_ci, real_fashion_mnist, require_in_ci

optuna = import_in_ci("optuna", "Optuna (the 'search' extra) holds the study")
sqlalchemy = import_in_ci("sqlalchemy", "Optuna's SQL storages run on SQLAlchemy")
POSTGRES_URL = os.environ.get("GLASSNET_TEST_POSTGRES_URL")
# Small trials on a slice of Fashion-MNIST: about a tenth of a second per epoch.
TRAIN = ["--model", "mlp", "--hidden", "48", "--train-limit", "1200"]


def search_command(out: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "glassnet.cli.main", "search",
            "--param", "lr=log:1e-3:3e-2", "--param", "weight_decay=log:1e-6:1e-3",
            *TRAIN, "--data-dir", str(real_fashion_mnist()), "--out", str(out), *options]


def run_search(out: Path, *options: str, timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run(search_command(out, *options), capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


def load_trials(storage, study: str):
    return optuna.load_study(study_name=study, storage=storage).get_trials(deepcopy=False)


def assert_exact(trials, count: int) -> None:
    numbers = [trial.number for trial in trials]
    assert len(trials) == count and sorted(numbers) == list(range(count))
    assert all(trial.state.is_finished() for trial in trials)
    for trial in trials:  # every trial is an ordinary run folder
        assert (Path(trial.user_attrs["run_folder"]) / "config.json").exists()


def a_trial_mid_run(storage, study: str, *, timeout: float = 60):
    """A trial that has finished an epoch but not the trial, as soon as there is one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            trials = load_trials(storage, study)
        except (KeyError, sqlalchemy.exc.OperationalError):  # no study or no database yet
            trials = []
        for trial in trials:
            worker = trial.user_attrs.get("worker")
            if (trial.state == optuna.trial.TrialState.RUNNING and worker and
                    trial.intermediate_values and worker["pid"] != os.getpid()):
                return trial
        time.sleep(0.02)
    pytest.fail("no trial was caught mid-run")


def kill_a_worker_mid_trial(storage, study: str) -> int:
    """SIGKILL the worker of a trial mid-run; return the trial's number."""
    trial = a_trial_mid_run(storage, study)
    os.kill(trial.user_attrs["worker"]["pid"], signal.SIGKILL)
    return trial.number


def assert_resumed_to_the_end(trials, number: int, folder: Path, epochs: int) -> None:
    """Trial ``number`` was adopted, continued from its checkpoint and completed."""
    assert trials[number].user_attrs["adopted"]["resumed"] is True  # not started over
    assert trials[number].state == optuna.trial.TrialState.COMPLETE
    assert sorted(trials[number].intermediate_values) == list(range(1, epochs + 1))
    assert "resumed from its checkpoint" in (folder / "leaderboard.csv").read_text()


def test_local_workers_share_a_journal_and_finish_exactly_the_trials_asked(tmp_path):
    result = run_search(tmp_path, "--trials", "7", "--workers", "3", "--epochs-per-trial", "1")
    folder = tmp_path / "search-lr-weight_decay"
    assert (folder / "journal.log").exists() and not (folder / "study.db").exists()
    storage = optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(str(folder / "journal.log")))
    trials = load_trials(storage, "lr-weight_decay")
    assert_exact(trials, 7)
    hosts_and_pids = {(t.user_attrs["worker"]["host"], t.user_attrs["worker"]["pid"])
                      for t in trials}
    assert len(hosts_and_pids) > 1  # the trials were shared between processes
    seeds = {t.user_attrs["worker"]["pid"]: t.user_attrs["sampler_seed"] for t in trials}
    assert len(set(seeds.values())) == len(seeds)  # each worker drew from its own seed
    assert len({tuple(t.params.values()) for t in trials}) == 7  # no two drew the same
    with open(folder / "leaderboard.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 7 and rows[0]["rank"] == "1"
    best = max(t.value for t in trials if t.value is not None)
    assert float(rows[0]["val_accuracy"]) == pytest.approx(best)
    assert result.stdout.splitlines()[-1] == f"report: {folder / 'report.html'}"
    assert "| rank | round | trial |" in (folder / "report.md").read_text()


def test_a_grid_from_a_space_file_is_searched_whole_then_refined(tmp_path):
    space = tmp_path / "space.toml"
    space.write_text('lr = [0.003, 0.01]\nhidden = ["16", "48"]\n')
    result = subprocess.run(
        [sys.executable, "-m", "glassnet.cli.main", "search", "--space", str(space),
         "--sampler", "grid", "--trials", "9", "--refine", "1", "--epochs-per-trial", "1",
         "--study", "grid", *TRAIN, "--data-dir", str(real_fashion_mnist()),
         "--out", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    storage = f"sqlite:///{tmp_path / 'search-grid' / 'study.db'}"
    grid = load_trials(storage, "grid")
    assert_exact(grid, 4)  # --trials 9 is capped at the grid's 2 x 2 points
    assert {(t.params["lr"], t.params["hidden"]) for t in grid} == {
        (lr, hidden) for lr in ("0.003", "0.01") for hidden in ("16", "48")}  # as written
    refined = load_trials(storage, "grid-refine1")  # the next round: its own study
    assert len(refined) == 4 and all(t.state.is_finished() for t in refined)
    rounds = {row["round"] for row in csv.DictReader(
        (tmp_path / "search-grid" / "leaderboard.csv").open())}
    assert rounds == {"0", "1"}


def test_a_search_joined_with_other_settings_is_refused_naming_them(tmp_path):
    run_search(tmp_path, "--trials", "1", "--epochs-per-trial", "1", "--study", "s")
    other = subprocess.run(
        search_command(tmp_path, "--trials", "1", "--epochs-per-trial", "2", "--study", "s"),
        capture_output=True, text=True, timeout=120)
    assert other.returncode == 2 and "Traceback" not in other.stderr
    assert "holds a search with other settings (they differ in: epochs_per_trial)" in \
        other.stderr


def test_best_config_trains_with_glassnet_train(tmp_path):
    run_search(tmp_path, "--trials", "2", "--epochs-per-trial", "1", "--epochs", "1")
    best = tmp_path / "search-lr-weight_decay" / "best.toml"
    values = tomllib.loads(best.read_text())
    assert values["hidden"] == [48] and values["epochs"] == 1
    result = subprocess.run([sys.executable, "-m", "glassnet.cli.main", "train", "--config",
                             str(best), "--out", str(tmp_path / "final"), "--no-progress"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("test accuracy:")


def test_sqlite_search_killed_mid_trial_resumes_with_the_same_command(tmp_path):
    # Five epochs a trial leave a wide window to catch one mid-run, even on a loaded machine.
    command = search_command(tmp_path, "--trials", "3", "--epochs-per-trial", "5")
    search = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    storage = f"sqlite:///{tmp_path / 'search-lr-weight_decay' / 'study.db'}"
    try:
        killed = kill_a_worker_mid_trial(storage, "lr-weight_decay")
    finally:
        os.killpg(search.pid, signal.SIGKILL)  # the laptop "sleeps": everything dies
        search.wait()
    result = run_search(tmp_path, "--trials", "3", "--epochs-per-trial", "5")
    trials = load_trials(storage, "lr-weight_decay")
    assert_exact(trials, 3)
    assert_resumed_to_the_end(trials, killed, tmp_path / "search-lr-weight_decay", epochs=5)
    assert "3 of 3" not in result.stdout.splitlines()[0]  # it did continue the search


@pytest.mark.parametrize("stop", ["ctrl-c", "sigterm to the worker"])
def test_an_interrupted_trial_resumes_with_the_same_command(stop, tmp_path):
    # A trial takes ~0.1 s an epoch on an idle machine: 20 epochs leave time for the signal
    # to land mid-trial after the test sees the trial's first epoch.
    options = ["--trials", "2", "--epochs-per-trial", "20"]
    command = search_command(tmp_path, *options)
    search = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, start_new_session=True)
    storage = f"sqlite:///{tmp_path / 'search-lr-weight_decay' / 'study.db'}"
    try:
        trial = a_trial_mid_run(storage, "lr-weight_decay")
        if stop == "ctrl-c":  # the terminal signals every process of the search
            os.killpg(search.pid, signal.SIGINT)
        else:  # a scheduler stops the worker alone; it saves its checkpoint and exits
            os.kill(trial.user_attrs["worker"]["pid"], signal.SIGTERM)
        stdout, stderr = search.communicate(timeout=60)
    finally:
        if search.poll() is None:
            os.killpg(search.pid, signal.SIGKILL)
            search.wait()
    assert "Traceback" not in stderr and "bug in glassnet" not in stderr
    if stop == "ctrl-c":
        assert search.returncode == 130, stderr
        assert "run the same command again to continue" in stderr
    else:
        assert "taken over when the search runs again" in stdout
    interrupted = trial.number
    run_search(tmp_path, *options)
    trials = load_trials(storage, "lr-weight_decay")
    assert_exact(trials, 2)
    assert_resumed_to_the_end(trials, interrupted, tmp_path / "search-lr-weight_decay",
                              epochs=20)


def test_three_machines_on_postgresql_finish_exactly_12_trials_despite_a_killed_worker(
        tmp_path):
    if POSTGRES_URL is None:
        require_in_ci("no PostgreSQL: GLASSNET_TEST_POSTGRES_URL is unset "
                      "(.ci/services/postgres.sh starts one)")
    study = f"pg-{os.getpid()}-{time.monotonic_ns()}"
    options = ("--trials", "12", "--epochs-per-trial", "2", "--storage", POSTGRES_URL,
               "--study", study)
    # Three "machines" start at once on a fresh study: it must be created exactly once.
    machines = [subprocess.Popen(search_command(tmp_path / f"machine{index}", *options),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for index in range(3)]
    storage = POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://")
    killed = kill_a_worker_mid_trial(storage, study)
    outputs = [machine.communicate(timeout=180) for machine in machines]
    for machine, (stdout, stderr) in zip(machines, outputs):
        assert machine.returncode == 0 and "Traceback" not in stderr, stdout + stderr
    trials = load_trials(storage, study)
    assert_exact(trials, 12)
    assert "adopted" in trials[killed].user_attrs  # another worker finished it
    # Running the command again finds the study complete and adds nothing.
    run_search(tmp_path / "machine0", *options)
    assert_exact(load_trials(storage, study), 12)
