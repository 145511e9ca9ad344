"""Pairwise distances between the rows of two matrices, the heart of k-nearest neighbours.

Two metrics, as in the course:

- L1 (Manhattan): d(a, b) = Σ_d |a_d − b_d|
- L2 (Euclidean): d(a, b) = sqrt(Σ_d (a_d − b_d)²)

``l2_distances`` needs no loop at all: expanding the square gives
‖a − b‖² = ‖a‖² + ‖b‖² − 2·a·b, so the whole (M, N) matrix is one matrix multiply plus two
broadcast additions. Rounding can make a tiny true distance come out slightly negative,
so the squares are clamped at 0 before the square root.

L1 has no such trick: ``l1_distances`` broadcasts ``|A[:, None, :] − B[None, :, :]|``
block by block, so the (rows, rows, D) temporary stays within a few MiB however large A
and B are. Each distance is summed over its own row of features in the same order
whatever the block size, so every block size gives bit-identical results.

``pairwise_distances_naive`` is the course's two-loop version, kept for teaching and as the
reference the vectorized versions are tested against.
"""

import math

import numpy as np

from glassnet.classic._validation import check_choice, check_positive_int

METRICS = ("l2", "l1")

# NOTE: 4 MiB blocks keep the L1 temporary in cache; larger blocks measured slower here.
L1_BLOCK_BYTES = 4 * 2**20


def l2_distances(
    A: np.ndarray, B: np.ndarray, *, squared: bool = False, B_squared_norms=None
) -> np.ndarray:
    """Euclidean distances between every row of ``A`` and every row of ``B``, loop-free.

    Args:
        A: (M, D) floating array.
        B: (N, D) floating array of the same dtype.
        squared: return ‖a − b‖² (enough for ranking neighbours; saves the square root).
        B_squared_norms: ‖b‖² of every row of ``B``, (N,), when the caller has them cached
            (kNN queries the same training set chunk after chunk).

    Returns:
        (M, N) array, entry (i, j) the distance between ``A[i]`` and ``B[j]``.

    Example:
        >>> A = np.array([[0.0, 0.0], [1.0, 1.0]])
        >>> B = np.array([[3.0, 4.0]])
        >>> l2_distances(A, B)
        array([[5.        ],
               [3.60555128]])
    """
    distances = A @ B.T
    distances *= -2.0
    if B_squared_norms is None:
        B_squared_norms = squared_norms(B)
    distances += squared_norms(A)[:, None]
    distances += B_squared_norms[None, :]
    np.maximum(distances, 0.0, out=distances)
    return distances if squared else np.sqrt(distances, out=distances)


def squared_norms(A: np.ndarray) -> np.ndarray:
    """‖a‖² of every row of ``A``, without a temporary copy of ``A * A``."""
    return np.einsum("ij,ij->i", A, A)


def l1_distances(A: np.ndarray, B: np.ndarray, *, chunk_size: int | None = None) -> np.ndarray:
    """Manhattan distances between every row of ``A`` and every row of ``B``, in blocks.

    Args:
        A: (M, D) floating array.
        B: (N, D) floating array of the same dtype.
        chunk_size: rows of ``A`` and of ``B`` per block; the temporary holds
            chunk_size² × D values. Default: the largest block within ``L1_BLOCK_BYTES``.

    Returns:
        (M, N) array, entry (i, j) = Σ_d |A[i, d] − B[j, d]|.

    Example:
        >>> A = np.array([[0.0, 0.0], [1.0, 1.0]])
        >>> B = np.array([[3.0, 4.0]])
        >>> l1_distances(A, B, chunk_size=1)
        array([[7.],
               [5.]])
    """
    dtype = np.result_type(A, B)
    if chunk_size is None:
        chunk_size = l1_chunk_size(A.shape[1], dtype.itemsize)
    chunk_size = check_positive_int("l1_distances", "chunk_size", chunk_size)
    distances = np.empty((len(A), len(B)), dtype=dtype)
    for i in range(0, len(A), chunk_size):
        block_a = A[i : i + chunk_size, None, :]
        for j in range(0, len(B), chunk_size):
            difference = block_a - B[None, j : j + chunk_size, :]
            np.abs(difference, out=difference)
            np.sum(difference, axis=2, out=distances[i : i + chunk_size, j : j + chunk_size])
    return distances


def l1_chunk_size(n_features: int, itemsize: int, budget: int = L1_BLOCK_BYTES) -> int:
    """The largest square block whose (rows, rows, n_features) temporary fits in ``budget``.

    Example:
        >>> l1_chunk_size(784, 4)  # Fashion-MNIST pixels in float32
        36
    """
    return max(1, math.isqrt(budget // max(1, n_features * itemsize)))


def pairwise_distances(
    A: np.ndarray, B: np.ndarray, metric: str = "l2", *, chunk_size: int | None = None
) -> np.ndarray:
    """Distances between the rows of ``A`` and ``B`` with ``metric`` ("l2" or "l1").

    ``chunk_size`` is passed to ``l1_distances`` (L2 needs no blocks).

    Example:
        >>> pairwise_distances(np.array([[0.0, 0.0]]), np.array([[3.0, 4.0]]), "l1")
        array([[7.]])
    """
    check_choice("pairwise_distances", "metric", metric, METRICS)
    if metric == "l2":
        return l2_distances(A, B)
    return l1_distances(A, B, chunk_size=chunk_size)


def pairwise_distances_naive(A: np.ndarray, B: np.ndarray, metric: str = "l2") -> np.ndarray:
    """The course's two-loop version: one distance at a time. Slow; for teaching and tests.

    Example:
        >>> pairwise_distances_naive(np.array([[0.0, 0.0]]), np.array([[3.0, 4.0]]))
        array([[5.]])
    """
    check_choice("pairwise_distances_naive", "metric", metric, METRICS)
    distances = np.empty((len(A), len(B)), dtype=np.result_type(A, B))
    for i in range(len(A)):
        for j in range(len(B)):
            difference = A[i] - B[j]
            if metric == "l2":
                distances[i, j] = np.sqrt(np.sum(difference * difference))
            else:
                distances[i, j] = np.sum(np.abs(difference))
    return distances
