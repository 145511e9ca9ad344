"""Boundary checks shared by the classic classifiers: features, labels and their lengths.

Inner code trusts what these return: a floating 2-D feature matrix and a 1-D int64 label
vector of the same length.
"""

import numpy as np

from glassnet.errors import ConfigError, DTypeError, ShapeError


def check_features(where: str, X, *, dtype=None) -> np.ndarray:
    """Return ``X`` as a floating (N, D) array, flattening trailing axes (images → rows).

    Integer data (such as uint8 pixels) becomes float32, which holds it exactly; floating
    data keeps its dtype unless ``dtype`` is given. NaN or Inf is an error.
    """
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise DTypeError(
            f"{where}: expected numeric features, but got an array of dtype {X.dtype}. "
            "Convert it first, e.g. np.asarray(X, dtype=np.float32)."
        )
    if X.ndim < 2:
        raise ShapeError(
            f"{where}: expected features of shape (N, D) or (N, H, W, ...), but got shape "
            f"{X.shape}. Add the sample axis, e.g. X.reshape(1, -1) for a single example."
        )
    if dtype is None:
        dtype = X.dtype if X.dtype.kind == "f" else np.float32
    X = X.reshape(len(X), int(np.prod(X.shape[1:]))).astype(dtype, copy=False)
    if not np.isfinite(X).all():
        raise ValueError(
            f"{where}: expected finite features, but got {int(np.count_nonzero(~np.isfinite(X)))}"
            " NaN or Inf values. Clean or impute the data before fitting."
        )
    return X


def check_labels(where: str, y, n_samples: int, num_classes: int | None = None) -> np.ndarray:
    """Return ``y`` as a 1-D int64 array of ``n_samples`` labels in [0, num_classes)."""
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise DTypeError(
            f"{where}: expected integer class labels, but got dtype {y.dtype}. "
            "Labels are class indices 0..C-1; convert them, e.g. y.astype(np.int64)."
        )
    if y.ndim != 1:
        raise ShapeError(
            f"{where}: expected labels of shape (N,), but got shape {y.shape}. "
            "Pass class indices, not one-hot rows (use y.argmax(axis=1) to convert)."
        )
    if len(y) != n_samples:
        raise ShapeError(
            f"{where}: expected one label per example ({n_samples}), but got {len(y)} labels. "
            "X and y must have the same length."
        )
    if y.size:
        low, high = int(y.min()), int(y.max())
        if low < 0 or (num_classes is not None and high >= num_classes):
            valid = "non-negative" if num_classes is None else f"in [0, {num_classes - 1}]"
            raise ValueError(
                f"{where}: expected labels {valid}, but got min {low} and max {high}. "
                "Map the labels to class indices 0..C-1 first."
            )
    return y.astype(np.int64, copy=False)


def check_choice(where: str, name: str, value, choices: tuple) -> None:
    if value not in choices:
        raise ConfigError(
            f"{where}: expected {name} to be one of {', '.join(map(repr, choices))}, "
            f"but got {value!r}."
        )


def check_positive_int(where: str, name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ConfigError(f"{where}: expected {name} to be a positive integer, but got {value!r}.")
    return int(value)


def check_number(where: str, name: str, value, *, positive: bool) -> float:
    """A finite number, > 0 when ``positive`` else ≥ 0."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if ok:
        value = float(value)
        ok = np.isfinite(value) and (value > 0 if positive else value >= 0)
    if not ok:
        bound = "a positive" if positive else "a non-negative"
        raise ConfigError(f"{where}: expected {name} to be {bound} number, but got {value!r}.")
    return value
