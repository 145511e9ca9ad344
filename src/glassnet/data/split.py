"""Hold-out validation split and k-fold cross-validation indices.

Both shuffle with an explicit generator (default: glassnet's), so a seed fixes the split.
"""

from collections.abc import Iterator

import numpy as np

from glassnet.errors import ConfigError, ShapeError
from glassnet.random import resolve_generator


def train_val_split(X, y, val_fraction: float, *, generator=None):
    """Shuffle ``(X, y)`` and hold out a fraction of the examples for validation.

    The validation set has ``round(val_fraction * N)`` examples; every example lands in exactly
    one of the two sets.

    Args:
        X: array of N examples (any shape (N, ...)).
        y: array of N labels or targets.
        val_fraction: the share for validation, strictly between 0 and 1.
        generator: the ``np.random.Generator`` that shuffles (default: glassnet's).

    Returns:
        ``((X_train, y_train), (X_val, y_val))`` — each pair ready for ``DataLoader``.

    Raises:
        ShapeError: ``X`` and ``y`` differ in length.
        ConfigError: ``val_fraction`` is not in (0, 1), or leaves a set empty.

    Example:
        >>> import numpy as np
        >>> X, y = np.arange(20).reshape(10, 2), np.arange(10)
        >>> rng = np.random.default_rng(0)
        >>> (X_tr, y_tr), (X_val, y_val) = train_val_split(X, y, 0.2, generator=rng)
        >>> X_tr.shape, X_val.shape, sorted(np.concatenate([y_tr, y_val]).tolist())
        ((8, 2), (2, 2), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ShapeError(
            f"train_val_split: expected X and y with the same number of examples, but got "
            f"X.shape={X.shape} and y.shape={y.shape}."
        )
    if not isinstance(val_fraction, (float, int)) or not 0 < val_fraction < 1:
        raise ConfigError(
            f"train_val_split: expected val_fraction strictly between 0 and 1, but got "
            f"{val_fraction!r}. Use e.g. 0.1 to hold out 10%."
        )
    n = len(X)
    n_val = round(val_fraction * n)
    if not 0 < n_val < n:
        raise ConfigError(
            f"train_val_split: val_fraction={val_fraction} of {n} examples gives {n_val} for "
            "validation, which leaves one set empty. Use more data or another fraction."
        )
    order = resolve_generator(generator).permutation(n)
    val, train = order[:n_val], order[n_val:]
    return (X[train], y[train]), (X[val], y[val])


def kfold(
    n: int, k: int, *, shuffle: bool = True, generator=None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(train_indices, val_indices)`` for each of ``k`` folds over ``n`` examples.

    The folds partition ``range(n)``: each index is in exactly one validation fold, and fold
    sizes differ by at most one (the first ``n % k`` folds get one extra example).

    Args:
        n: number of examples.
        k: number of folds, 2 ≤ k ≤ n.
        shuffle: shuffle the indices before cutting folds (else consecutive blocks).
        generator: the ``np.random.Generator`` that shuffles (default: glassnet's).

    Raises:
        ConfigError: ``n`` or ``k`` out of range.

    Example:
        >>> [val.tolist() for _, val in kfold(5, 2, shuffle=False)]
        [[0, 1, 2], [3, 4]]
    """
    for label, value, low in (("n", n, 1), ("k", k, 2)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ConfigError(
                f"kfold: expected {label} to be an integer ≥ {low}, but got {value!r}."
            )
    if k > n:
        raise ConfigError(f"kfold: expected k ≤ n, but got k={k} folds for n={n} examples.")
    order = resolve_generator(generator).permutation(n) if shuffle else np.arange(n)
    return _folds(order, k)


def _folds(order: np.ndarray, k: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    for val in np.array_split(order, k):
        in_train = np.ones(len(order), dtype=bool)
        in_train[val] = False
        yield np.flatnonzero(in_train), np.sort(val)
