"""The results of a set of runs as data: one row per run (results.csv), and the runs grouped
into variants (the runs that differ only in their seed) with mean and spread per metric.

Example:
    >>> mean, std, n = mean_std([0.85, 0.87, None])
    >>> round(mean, 4), round(std, 4), n
    (0.86, 0.0141, 2)
"""

import csv
import io
import math
from dataclasses import dataclass, field

from glassnet.atomic_write import atomic_write
from glassnet.experiments.factors import format_value, variant_label
from glassnet.experiments.runs import RunRecord

SUCCEEDED = ("complete", "early_stopped")
# The columns of results.csv after the run name, the factors and the seed.
SUMMARY_COLUMNS = ("status", "epochs", "loss", "train_accuracy", "val_loss", "val_accuracy",
                   "best_val_accuracy", "best_epoch", "test_loss", "test_accuracy", "seconds",
                   "last_finite_loss", "last_step")


@dataclass
class Variant:
    """The runs of one combination of factor values, one per seed."""

    label: str
    factors: dict
    runs: list = field(default_factory=list)

    def values(self, key: str) -> list:
        """``key`` of every run's summary, in seed order; None for a run that has none or
        did not succeed (diverged, failed, unfinished), so that means and spreads are over
        the runs that trained to the end."""
        return [run.summary()[key] if run.status in SUCCEEDED else None for run in self.runs]

    def stats(self, key: str) -> tuple:
        """(mean, std, n) of ``key`` over the runs that have it; see ``mean_std``."""
        return mean_std(self.values(key))

    def count(self, status: str) -> int:
        return sum(run.status == status for run in self.runs)


def group_variants(records, factors) -> list:
    """``records`` grouped by their values of ``factors`` (config keys), in first-seen order;
    within a variant the runs are sorted by seed."""
    variants = {}
    for record in records:
        values = {key: record.config.get(key) for key in factors}
        label = variant_label(values) if factors else "runs"
        variants.setdefault(label, Variant(label, values)).runs.append(record)
    for variant in variants.values():
        variant.runs.sort(key=lambda run: run.config.get("seed", 0))
    return list(variants.values())


def results_rows(records, factors) -> list:
    """One dict per run: run (folder name), each factor, seed, then ``SUMMARY_COLUMNS``."""
    rows = []
    for record in records:
        row = {"run": record.name}
        row.update({key: format_value(record.config.get(key)) for key in factors})
        row["seed"] = record.config.get("seed")
        row.update(record.summary())
        rows.append(row)
    return rows


def write_results_csv(rows, path) -> None:
    """Write ``rows`` as CSV (empty cells for None), atomically."""
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
    atomic_write(path, buffer.getvalue())


def mean_std(values) -> tuple:
    """(mean, sample std, n) of the finite numbers in ``values``; std is None for n < 2 and
    mean is None for n = 0."""
    numbers = [float(v) for v in values if v is not None and math.isfinite(v)]
    n = len(numbers)
    if n == 0:
        return None, None, 0
    mean = sum(numbers) / n
    if n < 2:
        return mean, None, n
    return mean, math.sqrt(sum((v - mean) ** 2 for v in numbers) / (n - 1)), n


def format_mean_std(values, digits: int = 4) -> str:
    """"0.8530 ± 0.0040" (or the one value, or "—" when there is none).

    Example:
        >>> format_mean_std([0.85, 0.86]), format_mean_std([0.85]), format_mean_std([None])
        ('0.8550 ± 0.0071', '0.8500', '—')
    """
    mean, std, _ = mean_std(values)
    if mean is None:
        return "—"
    return f"{mean:.{digits}f}" if std is None else f"{mean:.{digits}f} ± {std:.{digits}f}"


def records_in(records: list[RunRecord], status: str) -> list:
    return [record for record in records if record.status == status]
