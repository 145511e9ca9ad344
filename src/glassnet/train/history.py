"""``History``: every step and epoch as a JSON line, and the epochs as CSV, in the run folder.

``metrics.jsonl`` gets one record per logged step (``{"kind": "step", ...}``) and one per
epoch (``{"kind": "epoch", ...}``), appended and flushed as they happen, so a crash loses at
most the line being written (``read_jsonl`` skips a torn last line with a warning).
``metrics.csv`` holds the epoch records for spreadsheets and plots. On resume, records
past the checkpoint's step are dropped first, so the files read as one uninterrupted run;
a damaged line is dropped too, with a warning: the history never blocks a resume (the
checkpoint, not this file, is what training continues from).
"""

import csv
import json
import math
import os
import warnings
from pathlib import Path

from glassnet.atomic_write import atomic_write


class History:
    """Write the run's metrics to ``folder``/metrics.jsonl and metrics.csv.

    Args:
        folder: the run folder.
        every: log a step record every ``every`` optimizer steps (1 = every step).
    """

    def __init__(self, folder, *, every: int = 1):
        self.folder = Path(folder)
        self.every = every
        self.jsonl_path = self.folder / "metrics.jsonl"
        self.csv_path = self.folder / "metrics.csv"
        self._file = None

    def on_train_begin(self, state) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if state.step > 0:
            self._drop_records_after(state.step)
        else:
            for path in (self.jsonl_path, self.csv_path):
                path.unlink(missing_ok=True)
        self._file = open(self.jsonl_path, "a", encoding="utf-8")  # noqa: SIM115 - open all run

    def on_batch_end(self, state) -> None:
        if state.step % self.every == 0:
            self._append({"kind": "step", "epoch": state.epoch + 1, "step": state.step,
                          "loss": state.batch_loss,
                          "lr": state.trainer.optimizer.current_lr()})

    def on_epoch_end(self, state) -> None:
        self._append({"kind": "epoch", "step": state.step, **state.metrics})
        self._write_csv(state.history)

    def on_train_end(self, state) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _append(self, record: dict) -> None:
        self._file.write(json.dumps(_json_safe(record)) + "\n")
        self._file.flush()

    def _write_csv(self, epochs: list) -> None:
        columns = list(dict.fromkeys(key for record in epochs for key in record))
        with open(self.csv_path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(epochs)

    def _drop_records_after(self, step: int) -> None:
        if not self.jsonl_path.exists():
            return
        kept = [r for r in read_jsonl(self.jsonl_path, skip_damaged=True)
                if isinstance(r, dict) and isinstance(r.get("step", 0), (int, float))
                and r.get("step", 0) <= step]
        atomic_write(self.jsonl_path, "".join(json.dumps(r) + "\n" for r in kept))


def read_jsonl(path, *, skip_damaged: bool = False) -> list:
    """The records of a JSONL file; a torn (unparseable) last line is skipped with a warning.

    Args:
        skip_damaged: skip any unparseable line (not only the last) with a warning naming
            it, instead of raising.

    Raises:
        ValueError: a line other than the last is not valid JSON (the file is corrupt), and
            ``skip_damaged`` is False.
    """
    lines = Path(path).read_bytes().decode("utf-8", errors="replace").splitlines()
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            if number == len(lines):
                warnings.warn(f"{os.fspath(path)}: skipping a torn last line (the run was "
                              "interrupted while writing it).", stacklevel=2)
            elif skip_damaged:
                warnings.warn(f"{os.fspath(path)}:{number}: skipping a damaged line (not a "
                              f"JSON record): {line[:40]!r}.", stacklevel=2)
            else:
                raise ValueError(
                    f"{os.fspath(path)}:{number}: not a JSON record: {line[:80]!r}"
                ) from None
    return records


def _json_safe(record: dict) -> dict:
    """JSON has no NaN or Infinity: write them as null."""
    return {k: None if isinstance(v, float) and not math.isfinite(v) else v
            for k, v in record.items()}
