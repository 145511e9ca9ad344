"""Choosing k for kNN by k-fold cross-validation, the course's procedure.

The training set is split into ``folds`` parts; for each part in turn, a kNN classifier
memorizes the other parts and is scored on this one. Every k is scored on the same
splits, and the k with the best mean accuracy wins. The test set is never touched.

Speed: one fold's neighbours are found once, for the largest k; since they come sorted
(nearest first, ties by index), the vote for any smaller k is over the first k of them.
"""

from dataclasses import dataclass

import numpy as np

from glassnet.classic._validation import check_features, check_labels, check_positive_int
from glassnet.classic.knn import KNearestNeighbors, majority_vote
from glassnet.data import kfold
from glassnet.errors import ConfigError


@dataclass(frozen=True)
class CrossValidationResult:
    """Accuracy of each candidate k on each fold, ready to print or plot.

    Attributes:
        ks: the candidate k values, in the order given.
        accuracies: (len(ks), folds) validation accuracy of each k on each fold.

    Plot as the course does: ``plt.scatter(*result.points())`` for the folds and
    ``plt.errorbar(result.ks, result.mean, yerr=result.std)`` for the trend.
    """

    ks: tuple
    accuracies: np.ndarray

    @property
    def mean(self) -> np.ndarray:
        """(len(ks),) mean accuracy over the folds."""
        return self.accuracies.mean(axis=1)

    @property
    def std(self) -> np.ndarray:
        """(len(ks),) standard deviation of the accuracy over the folds."""
        return self.accuracies.std(axis=1)

    @property
    def best_k(self) -> int:
        """The k with the highest mean accuracy (the smallest such k on a tie)."""
        best = self.mean.max()
        return min(k for k, m in zip(self.ks, self.mean) if m == best)

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """(k, accuracy) of every fold of every k, flat: the scatter plot's x and y."""
        folds = self.accuracies.shape[1]
        return np.repeat(np.asarray(self.ks), folds), self.accuracies.ravel()

    def to_dict(self) -> dict:
        """Plain Python values (for JSON)."""
        return {
            "ks": list(self.ks),
            "accuracies": self.accuracies.tolist(),
            "mean": self.mean.tolist(),
            "std": self.std.tolist(),
            "best_k": self.best_k,
        }

    def __str__(self) -> str:
        lines = [f"k = {k:4d}: accuracy {m:.4f} ± {s:.4f}" for k, m, s in zip(
            self.ks, self.mean, self.std)]
        return "\n".join([*lines, f"best k = {self.best_k}"])


def cross_validate_k(
    X,
    y,
    ks=(1, 3, 5, 8, 10, 12, 15, 20, 50, 100),
    folds: int = 5,
    *,
    metric: str = "l2",
    memory_budget_mb: float = 256.0,
    generator: np.random.Generator | None = None,
) -> CrossValidationResult:
    """Score kNN with every k in ``ks`` by ``folds``-fold cross-validation on (X, y).

    Args:
        X: (N, D) or (N, *image_shape) training examples.
        y: (N,) integer labels.
        ks: candidate k values (the default is the course's list).
        folds: number of folds (2 ≤ folds ≤ N).
        metric: "l2" or "l1".
        memory_budget_mb: passed to ``KNearestNeighbors``.
        generator: shuffles the examples before they are cut into folds
            (``glassnet.data.kfold``).

    Returns:
        A ``CrossValidationResult``.

    Raises:
        ConfigError: no ks, a k < 1, a k larger than a fold's training part, or folds out
            of range.

    Example:
        >>> from glassnet.data import blobs
        >>> X, y = blobs(20, 2, generator=np.random.default_rng(0))
        >>> result = cross_validate_k(X, y, ks=[1, 3], folds=4)
        >>> result.accuracies.shape, result.best_k in (1, 3)
        ((2, 4), True)
    """
    where = "cross_validate_k"
    ks = tuple(check_positive_int(where, "every k", k) for k in np.atleast_1d(ks).tolist())
    if not ks:
        raise ConfigError(f"{where}: expected at least one candidate k, but got none.")
    X = check_features(where, X)
    y = check_labels(where, y, len(X))
    folds = check_positive_int(where, "folds", folds)
    if not 2 <= folds <= len(X):
        raise ConfigError(
            f"{where}: expected 2 ≤ folds ≤ the number of examples ({len(X)}), but got "
            f"folds={folds}. Use fewer folds or more data."
        )
    accuracies = np.empty((len(ks), folds))
    for fold, (train_index, val_index) in enumerate(kfold(len(X), folds, generator=generator)):
        knn = KNearestNeighbors(max(ks), metric, memory_budget_mb=memory_budget_mb)
        knn.fit(X[train_index], y[train_index])
        neighbor_labels = knn.train_labels[knn.kneighbors(X[val_index]).indices]
        for row, k in enumerate(ks):
            votes = majority_vote(neighbor_labels[:, :k], len(knn.classes))
            accuracies[row, fold] = np.mean(knn.classes[votes] == y[val_index])
    return CrossValidationResult(ks, accuracies)
