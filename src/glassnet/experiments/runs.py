"""A run folder read back: its config, records, outcome and the numbers a comparison needs.

Any folder written by ``glassnet train`` (or ``glassnet.train.run``) can be read, so
comparisons and reports work on runs made by hand as well as on those ``compare`` made. The
outcome ("status") comes from the files the run left:

- ``complete``: test_metrics.json and every epoch of the config;
- ``early_stopped``: test_metrics.json but fewer epochs (early stopping);
- ``diverged``: diverged.safetensors (the divergence guard stopped it; newer than any
  test_metrics.json);
- ``failed``: error.txt (the process running it crashed; ``compare`` writes it);
- ``unfinished``: none of these (interrupted, or still running).
"""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from glassnet.errors import ConfigError
from glassnet.train.history import read_jsonl

FINISHED = ("complete", "early_stopped", "diverged")


@dataclass
class RunRecord:
    """What one run folder holds.

    Attributes:
        folder: the run folder.
        config: config.json as a dict.
        environment: environment.json (versions, BLAS, threads), {} if missing.
        fingerprint: fingerprint.json (hashes of data, initial weights, batch order), or None
            for runs made before glassnet wrote it.
        epochs: the epoch records of metrics.jsonl.
        steps: the step records of metrics.jsonl.
        test_metrics: test_metrics.json, or None.
        status: see the module docstring.
        error: the first line of error.txt for a failed run.
    """

    folder: Path
    config: dict
    environment: dict = field(default_factory=dict)
    fingerprint: dict | None = None
    epochs: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    test_metrics: dict | None = None
    status: str = "unfinished"
    error: str | None = None

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def summary(self) -> dict:
        """The run's numbers for a results table (None where a number does not exist).

        Keys: status, epochs, loss (final training loss), train_accuracy, val_loss,
        val_accuracy (final epoch), best_val_accuracy, best_epoch, test_loss,
        test_accuracy, seconds (training and validation time, summed over epochs),
        last_finite_loss and last_step (the last step loss that was a number, and its step:
        where a diverged run stood).
        """
        final = self.epochs[-1] if self.epochs else {}
        best = max(self.epochs, key=lambda r: _number(r.get("val_accuracy")) or -1.0,
                   default={})
        finite_steps = [s for s in self.steps if _number(s.get("loss")) is not None]
        test = self.test_metrics or {}
        seconds = [_number(r.get("seconds")) for r in self.epochs]
        return {
            "status": self.status,
            "epochs": len(self.epochs),
            "loss": _number(final.get("loss")),
            "train_accuracy": _number(final.get("train_accuracy")),
            "val_loss": _number(final.get("val_loss")),
            "val_accuracy": _number(final.get("val_accuracy")),
            "best_val_accuracy": _number(best.get("val_accuracy")),
            "best_epoch": best.get("epoch"),
            "test_loss": _number(test.get("loss")),
            "test_accuracy": _number(test.get("accuracy")),
            "seconds": sum(s for s in seconds if s is not None) if self.epochs else None,
            "last_finite_loss": _number(finite_steps[-1]["loss"]) if finite_steps else None,
            "last_step": self.steps[-1].get("step") if self.steps else None,
        }


def load_run(folder) -> RunRecord:
    """Read the run folder ``folder``.

    A torn last line of metrics.jsonl (a run killed while writing it) is skipped with a
    warning.

    Raises:
        ConfigError: ``folder`` is not a run folder (no config.json) or a file is not JSON.
    """
    folder = Path(folder)
    config = _read_json(folder / "config.json", required=True)
    records = read_jsonl(folder / "metrics.jsonl") if (folder / "metrics.jsonl").exists() else []
    test_metrics = _read_json(folder / "test_metrics.json")
    error = None
    if (folder / "error.txt").exists():
        lines = (folder / "error.txt").read_text(encoding="utf-8").strip().splitlines()
        error = lines[-1] if lines else "unknown error"
    record = RunRecord(
        folder=folder,
        config=config,
        environment=_read_json(folder / "environment.json") or {},
        fingerprint=_read_json(folder / "fingerprint.json"),
        epochs=[r for r in records if r.get("kind") == "epoch"],
        steps=[r for r in records if r.get("kind") == "step"],
        test_metrics=test_metrics,
        error=error,
    )
    record.status = _status(folder, record)
    return record


def _status(folder: Path, record: RunRecord) -> str:
    if record.error is not None:
        return "failed"
    diverged, tested = folder / "diverged.safetensors", folder / "test_metrics.json"
    if diverged.exists() and (not tested.exists()
                              or diverged.stat().st_mtime >= tested.stat().st_mtime):
        return "diverged"
    if record.test_metrics is not None:
        planned = record.config.get("epochs")
        return "early_stopped" if planned and len(record.epochs) < planned else "complete"
    return "unfinished"


def _read_json(path: Path, *, required: bool = False):
    if not path.exists():
        if required:
            raise ConfigError(
                f"run folder: expected {path.name} in {path.parent}, but it is not there. Pass "
                "folders written by glassnet train or glassnet compare."
            )
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}: not valid JSON ({error}). The file is damaged.") from None


def _number(value):
    if value is None or isinstance(value, bool):
        return None
    value = float(value)
    return value if math.isfinite(value) else None
