"""k-nearest neighbours: memorize the training set, label a query by its k closest images.

Training is free (``fit`` only stores the data); all the work is at prediction time, where
each query is compared with every training example — the course's point that kNN is
"fast to train, slow to test". Queries are processed in chunks so that the (queries ×
training examples) distance matrix and the selection workspace stay within
``memory_budget_mb``, whatever the data size (10,000 × 60,000 distances in float32 alone
would be 2.4 GB).

Conventions (deterministic, as the course does it):
- Neighbours are ordered by distance; equal distances are ordered by training index, so
  the example stored first wins.
- The vote is a plain majority among the k neighbours; a tie between labels goes to the
  smallest label (``np.argmax`` over the vote counts picks the first maximum).
- L1 results are bit-identical for any chunk size. L2 distances come from a matrix
  product, which BLAS blocks by shape, so their last bit may vary with the chunk size.
"""

from typing import NamedTuple

import numpy as np

from glassnet.classic._validation import (
    check_choice,
    check_features,
    check_labels,
    check_number,
    check_positive_int,
)
from glassnet.classic.distance import METRICS, l1_distances, l2_distances, squared_norms
from glassnet.errors import ConfigError, NotFittedError, ShapeError


class Neighbors(NamedTuple):
    """The k nearest training examples of each query, nearest first."""

    indices: np.ndarray
    """(M, k) int64 rows of the training set."""
    distances: np.ndarray
    """(M, k) distances to them, in the training data's dtype."""


class KNearestNeighbors:
    """The k-nearest-neighbour classifier with L1 or L2 distance.

    Args:
        k: how many neighbours vote (1 ≤ k ≤ number of training examples).
        metric: "l2" (Euclidean) or "l1" (Manhattan).
        memory_budget_mb: bound on the distance matrix and selection workspace of one
            chunk of queries, in MiB; the chunk size is derived from it.

    Shape:
        - X: (N, D) or (N, *image_shape) numbers (flattened to rows; integer pixels become
          float32, floating data keeps its dtype). Queries are cast to the training dtype.
        - y: (N,) integer labels ≥ 0.

    Example:
        >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 5.0], [6.0, 5.0]])
        >>> y = np.array([0, 0, 1, 1])
        >>> knn = KNearestNeighbors(k=1).fit(X, y)
        >>> knn.predict(np.array([[0.2, 0.1], [5.5, 4.0]]))
        array([0, 1])
        >>> knn.kneighbors(np.array([[0.0, 0.4]]), k=2).indices
        array([[0, 1]])
    """

    def __init__(self, k: int = 1, metric: str = "l2", *, memory_budget_mb: float = 256.0):
        self.k = check_positive_int("KNearestNeighbors", "k", k)
        check_choice("KNearestNeighbors", "metric", metric, METRICS)
        self.metric = metric
        self.memory_budget_mb = check_number(
            "KNearestNeighbors", "memory_budget_mb", memory_budget_mb, positive=True
        )
        self.train_features = None
        self.train_labels = None
        self.classes = None
        self._train_squared_norms = None

    def fit(self, X, y) -> "KNearestNeighbors":
        """Memorize the training set (a float matrix is kept without a copy). Returns ``self``."""
        X = check_features("KNearestNeighbors.fit", X)
        y = check_labels("KNearestNeighbors.fit", y, len(X))
        self._check_k("KNearestNeighbors.fit", self.k, len(X))
        self.train_features = X
        self.classes, self.train_labels = np.unique(y, return_inverse=True)
        self._train_squared_norms = squared_norms(X) if self.metric == "l2" else None
        return self

    def kneighbors(self, X, k: int | None = None) -> Neighbors:
        """The ``k`` (default: ``self.k``) nearest training examples of each row of ``X``."""
        X = self._check_query("KNearestNeighbors.kneighbors", X)
        k = self.k if k is None else check_positive_int("KNearestNeighbors.kneighbors", "k", k)
        self._check_k("KNearestNeighbors.kneighbors", k, len(self.train_features))
        indices = np.empty((len(X), k), dtype=np.int64)
        distances = np.empty((len(X), k), dtype=self.train_features.dtype)
        for rows in self._query_chunks(len(X)):
            indices[rows], distances[rows] = k_smallest(self._distances(X[rows]), k)
        if self.metric == "l2":
            np.sqrt(distances, out=distances)  # ranking used squared distances
        return Neighbors(indices, distances)

    def predict(self, X) -> np.ndarray:
        """The majority label among the k nearest neighbours of each row of ``X``."""
        neighbors = self.kneighbors(X)
        return self.classes[majority_vote(self.train_labels[neighbors.indices], len(self.classes))]

    def score(self, X, y) -> float:
        """Accuracy of ``predict(X)`` against ``y`` (0.0 for an empty X)."""
        X = self._check_query("KNearestNeighbors.score", X)
        y = check_labels("KNearestNeighbors.score", y, len(X))  # before the costly part
        return float(np.mean(self.predict(X) == y)) if len(y) else 0.0

    def __repr__(self) -> str:
        return f"KNearestNeighbors(k={self.k}, metric={self.metric!r})"

    # ----- internals ------------------------------------------------------------------------

    def _check_query(self, where: str, X) -> np.ndarray:
        if self.train_features is None:
            raise NotFittedError(
                f"{where}: the classifier is not fitted yet. Call fit(X, y) first."
            )
        X = check_features(where, X, dtype=self.train_features.dtype)
        if X.shape[1] != self.train_features.shape[1]:
            raise ShapeError(
                f"{where}: expected {self.train_features.shape[1]} features per example (as in "
                f"fit), but got {X.shape[1]}. Preprocess queries like the training data."
            )
        return X

    @staticmethod
    def _check_k(where: str, k: int, n_train: int) -> None:
        if k > n_train:
            raise ConfigError(
                f"{where}: expected k ≤ the number of training examples ({n_train}), but got "
                f"k={k}. Use a smaller k or more training data."
            )

    def _query_chunks(self, n_queries: int):
        """Slices of queries whose distance matrix and workspace fit the memory budget."""
        n_train = len(self.train_features)
        # Per query row: its distances, argpartition's int64 indices and a boolean mask.
        bytes_per_row = n_train * (self.train_features.dtype.itemsize + 8 + 1)
        chunk = max(1, int(self.memory_budget_mb * 2**20) // bytes_per_row)
        for start in range(0, n_queries, chunk):
            yield slice(start, start + chunk)

    def _distances(self, queries: np.ndarray) -> np.ndarray:
        if self.metric == "l2":
            return l2_distances(
                queries, self.train_features, squared=True,
                B_squared_norms=self._train_squared_norms,
            )
        return l1_distances(queries, self.train_features)


def k_smallest(distances: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Column indices and values of the ``k`` smallest entries of each row, in order.

    Rows are ordered by value, and equal values by column, so the result does not depend
    on how the selection algorithm happens to break ties.

    Example:
        >>> k_smallest(np.array([[3.0, 1.0, 2.0, 1.0]]), 3)
        (array([[1, 3, 2]]), array([[1., 1., 2.]]))
    """
    n = distances.shape[1]
    if k < n:
        candidates = np.argpartition(distances, k - 1, axis=1)[:, :k]
        values = np.take_along_axis(distances, candidates, axis=1)
        # NOTE: argpartition picks arbitrarily among entries equal to the k-th smallest. Rows
        # with such a tie are redone with a stable sort, which keeps the smaller columns.
        kth = values.max(axis=1, keepdims=True)
        tied = np.flatnonzero(np.count_nonzero(distances <= kth, axis=1) > k)
        for row in tied:
            candidates[row] = np.argsort(distances[row], kind="stable")[:k]
            values[row] = distances[row, candidates[row]]
    else:
        candidates = np.broadcast_to(np.arange(n), distances.shape)
        values = distances
    order = np.lexsort((candidates, values), axis=1)
    return np.take_along_axis(candidates, order, 1), np.take_along_axis(values, order, 1)


def majority_vote(neighbor_labels: np.ndarray, num_classes: int) -> np.ndarray:
    """The most frequent label in each row of ``neighbor_labels``; ties → smallest label.

    Args:
        neighbor_labels: (M, k) class indices in [0, num_classes).
        num_classes: the number of classes C.

    Returns:
        (M,) int64 winning class index per row.

    Example:
        >>> majority_vote(np.array([[2, 1, 2], [1, 2, 0]]), 3)
        array([2, 0])
    """
    M = len(neighbor_labels)
    # Offset row r's labels by r·C so one bincount counts every row's votes at once.
    offsets = (np.arange(M, dtype=np.int64) * num_classes)[:, None]
    counts = np.bincount((neighbor_labels + offsets).ravel(), minlength=M * num_classes)
    return counts.reshape(M, num_classes).argmax(axis=1)
