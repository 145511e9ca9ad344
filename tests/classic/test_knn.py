"""k-nearest neighbours and its distances: hand-checked answers, loop-free == two loops,
chunking never changes a result, deterministic ties, and clear errors for bad input."""

import numpy as np
import pytest

from glassnet.classic import (
    KNearestNeighbors,
    l1_distances,
    l2_distances,
    majority_vote,
    pairwise_distances,
    pairwise_distances_naive,
)
from glassnet.errors import ConfigError, DTypeError, NotFittedError, ShapeError

# A hand-made set where L1 and L2 disagree. From the query (0, 0):
#   point    label   L1     L2
#   (3, 0)     0     3      3
#   (2, 2)     1     4      2.828
#   (-2.2,-2.2) 1    4.4    3.111
#   (0, 3.5)   2     3.5    3.5
#   (-3.2, 0)  0     3.2    3.2
#   (4, 4)     2     8      5.657
# and from (10, 10) both metrics rank (4,4), (2,2), (0,3.5), (3,0), (-3.2,0), (-2.2,-2.2).
TRAIN_X = np.array([[3, 0], [2, 2], [-2.2, -2.2], [0, 3.5], [-3.2, 0], [4, 4]])
TRAIN_Y = np.array([0, 1, 1, 2, 0, 2])
QUERIES = np.array([[0.0, 0.0], [10.0, 10.0]])


@pytest.mark.parametrize(
    ("metric", "k", "expected"),
    [
        ("l1", 1, [0, 2]),  # (3,0) / (4,4)
        ("l1", 3, [0, 2]),  # 0,0,2 / 2,1,2
        ("l1", 5, [0, 0]),  # 0,0,2,1,1 and 2,1,2,0,0: two-way ties go to the smaller label
        ("l2", 1, [1, 2]),  # (2,2) / (4,4)
        ("l2", 3, [1, 2]),  # 1,0,1 / 2,1,2
        ("l2", 5, [0, 0]),  # 1,0,1,0,2 and 2,1,2,0,0: ties again
    ],
)
def test_knn_predicts_the_hand_checked_labels(metric, k, expected):
    knn = KNearestNeighbors(k, metric).fit(TRAIN_X, TRAIN_Y)
    np.testing.assert_array_equal(knn.predict(QUERIES), expected)


def test_kneighbors_returns_nearest_first_with_true_distances():
    l1 = KNearestNeighbors(metric="l1").fit(TRAIN_X, TRAIN_Y).kneighbors(QUERIES[:1], k=3)
    np.testing.assert_array_equal(l1.indices, [[0, 4, 3]])
    np.testing.assert_allclose(l1.distances, [[3.0, 3.2, 3.5]], rtol=1e-12)
    l2 = KNearestNeighbors(metric="l2").fit(TRAIN_X, TRAIN_Y).kneighbors(QUERIES[:1], k=3)
    np.testing.assert_array_equal(l2.indices, [[1, 0, 2]])
    np.testing.assert_allclose(l2.distances, [[np.sqrt(8), 3.0, np.sqrt(2 * 2.2**2)]], rtol=1e-12)


def test_equal_distances_are_ordered_by_training_index_and_label_ties_by_smallest_label():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])  # all at 1 from origin
    y = np.array([3, 2, 1, 0])
    origin = np.zeros((1, 2))
    for metric in ("l1", "l2"):
        knn = KNearestNeighbors(1, metric).fit(X, y)
        np.testing.assert_array_equal(knn.kneighbors(origin, k=2).indices, [[0, 1]])
        assert knn.predict(origin)[0] == 3  # the first stored of the tied neighbours
        assert KNearestNeighbors(4, metric).fit(X, y).predict(origin)[0] == 0  # 4-way vote tie


def test_kneighbors_matches_a_stable_sort_on_data_full_of_ties():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 3, size=(200, 3)).astype(np.float64)  # 27 distinct points: many ties
    queries = rng.integers(0, 3, size=(40, 3)).astype(np.float64)
    for metric in ("l1", "l2"):
        reference = np.argsort(pairwise_distances_naive(queries, X, metric), axis=1, kind="stable")
        knn = KNearestNeighbors(metric=metric).fit(X, np.zeros(200, dtype=np.int64))
        for k in (1, 7, 200):
            np.testing.assert_array_equal(knn.kneighbors(queries, k).indices, reference[:, :k])


def test_majority_vote_counts_per_row_and_breaks_ties_to_the_smallest_label():
    labels = np.array([[2, 2, 1], [0, 1, 1], [3, 1, 2], [4, 4, 4]])
    np.testing.assert_array_equal(majority_vote(labels, 5), [2, 1, 1, 4])


@pytest.mark.parametrize("metric", ["l1", "l2"])
def test_vectorized_distances_equal_the_two_loop_version(metric):
    rng = np.random.default_rng(1)
    A, B = rng.standard_normal((7, 5)), rng.standard_normal((11, 5))
    np.testing.assert_allclose(
        pairwise_distances(A, B, metric), pairwise_distances_naive(A, B, metric), rtol=1e-12
    )


def test_l2_distances_match_torch_cdist():
    torch = pytest.importorskip("torch", reason="torch is the optional reference")
    rng = np.random.default_rng(2)
    A, B = rng.standard_normal((9, 6)), rng.standard_normal((4, 6))
    expected = torch.cdist(torch.from_numpy(A), torch.from_numpy(B)).numpy()
    np.testing.assert_allclose(l2_distances(A, B), expected, rtol=1e-10)
    expected_l1 = torch.cdist(torch.from_numpy(A), torch.from_numpy(B), p=1).numpy()
    np.testing.assert_allclose(l1_distances(A, B), expected_l1, rtol=1e-12)


def test_l2_distance_of_a_row_to_itself_is_clamped_not_nan():
    # Large, nearly equal rows: ‖a‖² + ‖b‖² − 2ab can round below zero in float32.
    rng = np.random.default_rng(3)
    A = (1000.0 + rng.random((50, 40))).astype(np.float32)
    squared = l2_distances(A, A, squared=True)
    assert squared.min() >= 0.0
    assert np.isfinite(l2_distances(A, A)).all()


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5, 64])
def test_l1_chunking_gives_bit_identical_distances(chunk_size):
    rng = np.random.default_rng(4)
    A = rng.random((13, 37), dtype=np.float32)
    B = rng.random((29, 37), dtype=np.float32)
    whole = l1_distances(A, B, chunk_size=100)
    np.testing.assert_array_equal(l1_distances(A, B, chunk_size=chunk_size), whole)


@pytest.mark.parametrize("metric", ["l1", "l2"])
def test_memory_budget_changes_the_chunks_but_not_the_neighbours(metric):
    rng = np.random.default_rng(5)
    X = rng.random((300, 20), dtype=np.float32)
    queries = rng.random((50, 20), dtype=np.float32)
    y = rng.integers(0, 4, 300)
    big = KNearestNeighbors(5, metric, memory_budget_mb=256).fit(X, y)
    tiny = KNearestNeighbors(5, metric, memory_budget_mb=0.01).fit(X, y)  # ~2 queries a chunk
    assert len(list(tiny._query_chunks(len(queries)))) > 10
    expected, got = big.kneighbors(queries), tiny.kneighbors(queries)
    np.testing.assert_array_equal(got.indices, expected.indices)
    if metric == "l1":
        np.testing.assert_array_equal(got.distances, expected.distances)
    else:  # BLAS blocks a matrix product by its shape: the last float32 bit may differ
        np.testing.assert_allclose(got.distances, expected.distances, rtol=2e-6)
    np.testing.assert_array_equal(tiny.predict(queries), big.predict(queries))


def test_uint8_images_are_compared_without_wrapping_around():
    X = np.array([[[0]], [[200]]], dtype=np.uint8)  # (N, 1, 1) "images"
    knn = KNearestNeighbors(metric="l1").fit(X, [0, 1])
    query = np.array([[[255]]], dtype=np.uint8)
    assert knn.predict(query)[0] == 1  # in uint8, 255 - 200 wraps nowhere but 0 - 255 would
    np.testing.assert_array_equal(knn.kneighbors(query, k=2).distances, [[55.0, 255.0]])
    assert knn.kneighbors(query).distances.dtype == np.float32


def test_labels_keep_their_values_and_score_is_accuracy():
    knn = KNearestNeighbors(1).fit([[0.0], [10.0]], [7, 3])
    np.testing.assert_array_equal(knn.predict([[1.0], [9.0], [11.0]]), [7, 3, 3])
    assert knn.score([[1.0], [9.0], [11.0], [-4.0]], [7, 3, 7, 7]) == 0.75


def test_an_empty_query_batch_gives_empty_predictions():
    knn = KNearestNeighbors(1).fit(TRAIN_X, TRAIN_Y)
    assert knn.predict(np.zeros((0, 2))).shape == (0,)
    assert knn.kneighbors(np.zeros((0, 2)), k=2).indices.shape == (0, 2)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"k": 0}, "expected k to be a positive integer, but got 0"),
        ({"k": 2.5}, "expected k to be a positive integer"),
        ({"metric": "cosine"}, "metric to be one of 'l2', 'l1', but got 'cosine'"),
        ({"memory_budget_mb": 0}, "memory_budget_mb to be a positive number"),
    ],
)
def test_knn_rejects_bad_hyperparameters(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        KNearestNeighbors(**kwargs)


def test_k_larger_than_the_training_set_is_an_error_at_fit_and_query_time():
    with pytest.raises(ValueError, match=r"k ≤ the number of training examples \(6\), but got k=7"):
        KNearestNeighbors(7).fit(TRAIN_X, TRAIN_Y)
    knn = KNearestNeighbors(1).fit(TRAIN_X, TRAIN_Y)
    with pytest.raises(ValueError, match="got k=9"):
        knn.kneighbors(QUERIES, k=9)


@pytest.mark.parametrize(
    ("y", "error", "match"),
    [
        (np.array([0.0, 1, 1, 2, 0, 2]), DTypeError, "expected integer class labels"),
        (np.array([0, 1, -1, 2, 0, 2]), ValueError, "non-negative, but got min -1 and max 2"),
        (np.array([0, 1, 1]), ShapeError, r"one label per example \(6\), but got 3"),
        (np.array([[0, 1, 1, 2, 0, 2]]), ShapeError, r"labels of shape \(N,\)"),
    ],
)
def test_fit_rejects_bad_labels(y, error, match):
    with pytest.raises(error, match=match):
        KNearestNeighbors(1).fit(TRAIN_X, y)


def test_fit_rejects_nan_features_and_non_matrix_input():
    X = TRAIN_X.copy()
    X[2, 1] = np.nan
    with pytest.raises(ValueError, match="1 NaN or Inf values"):
        KNearestNeighbors(1).fit(X, TRAIN_Y)
    with pytest.raises(ShapeError, match=r"shape \(N, D\).*but got shape \(6,\)"):
        KNearestNeighbors(1).fit(TRAIN_Y, TRAIN_Y)
    with pytest.raises(DTypeError, match="numeric features"):
        KNearestNeighbors(1).fit(np.array([["a"], ["b"]]), [0, 1])


def test_queries_must_be_fitted_and_have_the_training_width():
    with pytest.raises(NotFittedError, match="not fitted yet. Call fit"):
        KNearestNeighbors(1).predict(QUERIES)
    knn = KNearestNeighbors(1).fit(TRAIN_X, TRAIN_Y)
    with pytest.raises(ShapeError, match="expected 2 features per example .* but got 3"):
        knn.predict(np.zeros((1, 3)))
    with pytest.raises(ShapeError, match=r"one label per example \(2\), but got 1"):
        knn.score(QUERIES, [0])
