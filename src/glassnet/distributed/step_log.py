"""``StepLog``: what the processes did at every step, in the run folder (rank 0 writes it).

``distributed.jsonl`` gets one record per step, appended and flushed as it happens:

- synchronous: ``{"step", "time", "loss", "allreduce_seconds"}`` — the global batch's loss
  and the seconds this step spent in its all-reduce (waiting for the slowest process
  included);
- asynchronous: ``{"step", "time", "worker", "staleness", "applied", "loss"}`` for every
  gradient that reached the parameter server: its staleness (how many updates the server
  applied between sending the worker its weights and receiving the gradient), and whether
  it was applied or dropped for exceeding ``--max-staleness``.

``time`` counts seconds from the start of training in this session. Each session (a first
start, then each ``--resume``) begins with a ``{"kind": "setup", ...}`` record saying how
it ran. ``distributed.json`` summarizes the whole file (``summarize``) at the end of every
epoch and of training. On resume, records past the checkpoint's step are dropped first, as
``metrics.jsonl`` does.
"""

import json
import time
from collections import Counter
from pathlib import Path

from glassnet.atomic_write import atomic_write
from glassnet.train.history import read_jsonl

LOG_NAME = "distributed.jsonl"
SUMMARY_NAME = "distributed.json"


class StepLog:
    """Append step records to ``folder``/distributed.jsonl and summarize them.

    Args:
        folder: the run folder.
        setup: what this session is (mode, world size, ...), the first record written.
    """

    def __init__(self, folder, setup: dict):
        self.folder = Path(folder)
        self.path = self.folder / LOG_NAME
        self.setup = setup
        self.started = time.perf_counter()
        self._file = None

    def open(self, step: int) -> None:
        """Start writing; ``step`` > 0 means resumed: records after it are dropped."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if step > 0 and self.path.exists():
            kept = [r for r in read_jsonl(self.path) if r.get("step", 0) <= step]
            atomic_write(self.path, "".join(json.dumps(r) + "\n" for r in kept))
        elif step == 0:
            self.path.unlink(missing_ok=True)
        self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - open all run
        self.started = time.perf_counter()
        self.append({"kind": "setup", "step": step, **self.setup})

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def append(self, record: dict) -> None:
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()

    def close(self) -> None:
        """Stop writing and put the summary of the whole log into distributed.json."""
        if self._file is None:
            return
        self._file.close()
        self._file = None
        self.write_summary()

    def write_summary(self) -> None:
        if self._file is not None:
            self._file.flush()
        summary = summarize(read_jsonl(self.path))
        atomic_write(self.folder / SUMMARY_NAME, json.dumps(summary, indent=2) + "\n")


def summarize(records: list) -> dict:
    """The numbers of a distributed.jsonl: steps, and all-reduce times or staleness.

    Example:
        >>> summarize([{"kind": "setup", "mode": "async", "world_size": 3},
        ...            {"step": 1, "staleness": 0, "applied": True},
        ...            {"step": 2, "staleness": 1, "applied": True},
        ...            {"step": 2, "staleness": 3, "applied": False}])["staleness"]
        {'mean': 0.5, 'max': 1, 'histogram': {'0': 1, '1': 1}, 'dropped': 1}
    """
    setups = [r for r in records if r.get("kind") == "setup"]
    steps = [r for r in records if r.get("kind") != "setup"]
    summary = {**{k: v for k, v in (setups[-1] if setups else {}).items() if k != "step"},
               "sessions": len(setups)}
    summary.pop("kind", None)
    timed = [r["allreduce_seconds"] for r in steps if "allreduce_seconds" in r]
    if timed:
        summary["steps"] = len(timed)
        summary["allreduce_seconds"] = {"mean": sum(timed) / len(timed),
                                        "median": sorted(timed)[len(timed) // 2]}
    staleness = [r for r in steps if "staleness" in r]
    if staleness:
        applied = [r["staleness"] for r in staleness if r["applied"]]
        counts = Counter(applied)
        summary["steps"] = len(applied)
        summary["staleness"] = {
            "mean": sum(applied) / len(applied) if applied else 0.0,
            "max": max(applied, default=0),
            "histogram": {str(k): counts[k] for k in sorted(counts)},
            "dropped": len(staleness) - len(applied),
        }
    return summary
