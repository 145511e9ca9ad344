"""The leaderboard of a search, and the best configuration as a file ``glassnet train`` reads.

One row per trial of every round: rank (complete trials by validation accuracy, best first;
the others after them, unranked), round, trial number, the parameters, the validation
accuracy, epochs run, state (complete, pruned, diverged, failed, running), seconds, host and
run folder.
"""

import csv
import io
import math

from glassnet.atomic_write import atomic_write
from glassnet.experiments.storage import load_optuna
from glassnet.train.config import TrainConfig

STATE_ORDER = ("complete", "pruned", "diverged", "failed", "running", "waiting")


def leaderboard_rows(plan) -> list[dict]:
    """The rows of every round of ``plan``'s search, best first."""
    optuna = load_optuna()

    rows = []
    for round_index in range(len(plan.spaces)):
        try:
            study = optuna.load_study(study_name=plan.study_name(round_index),
                                      storage=plan.open_storage())
        except KeyError:  # a round that has not started
            continue
        rows += [_row(trial, round_index) for trial in study.get_trials(deepcopy=False)]
    rows.sort(key=lambda row: (STATE_ORDER.index(row["state"]),
                               -(row["val_accuracy"] if row["state"] == "complete" else 0),
                               row["round"], row["trial"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank if row["state"] == "complete" else None
    return rows


def _row(trial, round_index: int) -> dict:
    attrs = trial.user_attrs
    state = attrs.get("outcome") if trial.state.is_finished() else trial.state.name.lower()
    intermediate = trial.intermediate_values
    value = trial.value if trial.value is not None else (
        max(intermediate.values()) if intermediate else math.nan)
    return {"rank": None, "round": round_index, "trial": trial.number, "params": trial.params,
            "val_accuracy": value, "epochs": attrs.get("epochs", len(intermediate)),
            "state": state or trial.state.name.lower(), "seconds": attrs.get("seconds"),
            "host": attrs.get("host", ""), "run_folder": attrs.get("run_folder", ""),
            "note": attrs.get("error", "") or _adoption_note(attrs.get("adopted"))}


def _adoption_note(adopted: dict | None) -> str:
    if not adopted:
        return ""
    how = "resumed from its checkpoint" if adopted.get("resumed") else "rerun from the start"
    return f"worker {adopted.get('pid')} on {adopted.get('host')} stopped mid-trial; {how}"


def write_leaderboard(path, rows: list[dict]) -> None:
    """``leaderboard.csv``: one column per searched parameter, written atomically."""
    names = sorted({name for row in rows for name in row["params"]})
    columns = ["rank", "round", "trial", *names, "val_accuracy", "epochs", "state", "seconds",
               "host", "run_folder", "note"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        record = {key: value for key, value in row.items() if key != "params"}
        writer.writerow({**record, **{name: row["params"].get(name, "") for name in names}})
    atomic_write(path, buffer.getvalue())


def write_best_config(path, plan, best: dict) -> None:
    """``best.toml``: the search's base options with the best trial's parameters, for
    ``glassnet train --config best.toml`` (epochs are the base config's, not the trial's)."""
    space = {param.name: param for param in plan.space(best["round"])}
    values = dict(plan.base, **{name: space[name].value(drawn)
                                for name, drawn in best["params"].items()})
    values.pop("name", None)
    TrainConfig(**values)  # what we write must be a valid config
    header = (f"# The best trial of the search in {plan.folder}: round {best['round']}, trial "
              f"{best['trial']}, validation accuracy {best['val_accuracy']:.4f} after "
              f"{best['epochs']} epoch(s).\n# Train the final model with: glassnet train "
              f"--config {path}\n")
    lines = [f"{key} = {_toml_value(value)}" for key, value in values.items()
             if value is not None]
    atomic_write(path, header + "\n".join(lines) + "\n")


def _toml_value(value) -> str:
    """A TOML literal for the values a TrainConfig holds: bool, int, float, str, list[int]."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
