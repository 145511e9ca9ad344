"""Measurements of the data before training: scale, NaN, labels, class balance, leakage.

``measure_data`` returns plain numbers (``DataStats``) that ``rules.data`` judges. It looks
at the arrays only, never at the model, except for the number of outputs, which bounds the
class labels a classifier can take.
"""

import math
from dataclasses import asdict, dataclass, field

import numpy as np

# At most this many examples are scanned for statistics and duplicates: enough for stable
# numbers, and the preflight stays in seconds on 60,000 images.
MAX_EXAMPLES = 20_000


@dataclass
class DataStats:
    """What the data looks like (JSON-friendly numbers)."""

    n_train: int
    n_val: int
    input_shape: list
    task: str  # "classification" (integer labels) or "regression"
    nonfinite_inputs: int = 0
    nonfinite_targets: int = 0
    mean: float = 0.0
    std: float = 1.0
    min: float = 0.0
    max: float = 0.0
    feature_scale_ratio: float = 1.0  # largest / smallest per-feature std (non-constant)
    num_outputs: int | None = None
    label_min: float | None = None
    label_max: float | None = None
    class_counts: list = field(default_factory=list)
    imbalance_ratio: float = 1.0
    prior_loss: float | None = None  # cross-entropy of always predicting the class shares
    uniform_loss: float | None = None  # ln C
    target_min: float | None = None
    target_max: float | None = None
    target_std: float | None = None
    integer_targets: bool = False
    distinct_targets: int = 0
    val_duplicates: int = 0
    val_duplicate_share: float = 0.0

    def to_json(self) -> dict:
        return asdict(self)


def measure_data(train, val=None, *, num_outputs: int | None = None) -> DataStats:
    """Statistics of ``train = (X, y)`` (and ``val``), for the data rules.

    Args:
        train, val: (inputs, targets) arrays.
        num_outputs: the model's output width (C for a classifier), if known.
    """
    X, y = np.asarray(train[0]), np.asarray(train[1])
    task = "classification" if y.dtype.kind in "iu" else "regression"
    stats = DataStats(n_train=len(X), n_val=0 if val is None else len(val[0]),
                      input_shape=list(X.shape[1:]), task=task, num_outputs=num_outputs)
    sample = X[:MAX_EXAMPLES].reshape(min(len(X), MAX_EXAMPLES), -1).astype(np.float64)
    finite = np.isfinite(sample)
    stats.nonfinite_inputs = int(X.size - np.isfinite(X).sum()) if X.dtype.kind == "f" else 0
    values = sample[finite] if not finite.all() else sample
    if values.size:
        stats.mean, stats.std = float(values.mean()), float(values.std())
        stats.min, stats.max = float(values.min()), float(values.max())
    if finite.all() and sample.shape[1] > 1:
        feature_std = sample.std(axis=0)
        varying = feature_std[feature_std > 1e-12]
        if varying.size:
            stats.feature_scale_ratio = float(varying.max() / varying.min())
    if task == "classification":
        _measure_labels(stats, y)
    else:
        targets = y.astype(np.float64)
        stats.nonfinite_targets = int(targets.size - np.isfinite(targets).sum())
        finite_targets = targets[np.isfinite(targets)]
        if finite_targets.size:
            stats.target_min = float(finite_targets.min())
            stats.target_max = float(finite_targets.max())
            stats.target_std = float(finite_targets.std())
            stats.integer_targets = bool(np.all(finite_targets == np.round(finite_targets)))
            stats.distinct_targets = int(np.unique(finite_targets[:MAX_EXAMPLES]).size)
    if val is not None and len(val[0]):
        stats.val_duplicates = count_duplicates(X, np.asarray(val[0]))
        stats.val_duplicate_share = stats.val_duplicates / len(val[0])
    return stats


def _measure_labels(stats: DataStats, y: np.ndarray) -> None:
    stats.label_min, stats.label_max = int(y.min()), int(y.max())
    if stats.label_min < 0:
        return
    counts = np.bincount(y.ravel())
    present = counts[counts > 0]
    stats.class_counts = counts.tolist()
    stats.imbalance_ratio = float(present.max() / present.min())
    shares = present / present.sum()
    stats.prior_loss = float(-(shares * np.log(shares)).sum())
    classes = max(len(counts), stats.num_outputs or 0)
    stats.uniform_loss = math.log(classes) if classes > 1 else None


def count_duplicates(X: np.ndarray, X_val: np.ndarray) -> int:
    """How many rows of ``X_val`` appear byte for byte among the rows of ``X``."""
    train_rows = np.ascontiguousarray(X[: MAX_EXAMPLES * 3])
    seen = {row.tobytes() for row in train_rows.reshape(len(train_rows), -1)}
    val_rows = np.ascontiguousarray(X_val[:MAX_EXAMPLES], dtype=X.dtype)
    return int(sum(row.tobytes() in seen for row in val_rows.reshape(len(val_rows), -1)))
