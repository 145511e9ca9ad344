"""cross_validate_k: the course's k-fold procedure, scored per k and fold, plot-ready."""

import json

import numpy as np
import pytest

from glassnet.classic import KNearestNeighbors, cross_validate_k
from glassnet.data import kfold
from glassnet.errors import ConfigError


def small_class_far_away():
    """34 points of class 0 near the origin, 6 of class 1 tightly packed far away.

    With 5 folds of 8, a class-1 point keeps at most 5 class-1 points in training: k = 1
    labels everything right, k = 15 outvotes every class-1 point (accuracy 34/40).
    """
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.standard_normal((34, 2)), 100.0 + 0.1 * rng.standard_normal((6, 2))])
    return X, np.array([0] * 34 + [1] * 6)


def test_cross_validation_scores_each_k_on_each_fold():
    X, y = small_class_far_away()
    result = cross_validate_k(X, y, ks=[1, 15], folds=5, generator=np.random.default_rng(0))
    assert result.accuracies.shape == (2, 5)
    np.testing.assert_array_equal(result.accuracies[0], np.ones(5))
    assert result.mean[1] == pytest.approx(34 / 40)  # equal folds: mean of folds = overall
    assert result.std[0] == 0.0
    assert result.best_k == 1


def test_every_k_equals_a_separate_knn_fit_on_the_same_folds():
    # Integer features make many equal distances: the shared neighbour list must still give
    # each k exactly the answer of its own classifier.
    rng = np.random.default_rng(1)
    X = rng.integers(0, 4, size=(90, 3))
    y = rng.integers(0, 3, size=90)
    ks = [1, 2, 4, 9, 20]
    result = cross_validate_k(X, y, ks, folds=3, metric="l1", generator=np.random.default_rng(2))
    for fold, (train, val) in enumerate(kfold(90, 3, generator=np.random.default_rng(2))):
        for row, k in enumerate(ks):
            knn = KNearestNeighbors(k, "l1").fit(X[train], y[train])
            assert result.accuracies[row, fold] == knn.score(X[val], y[val])


def test_result_is_plot_ready_and_json_serializable():
    X, y = small_class_far_away()
    result = cross_validate_k(X, y, ks=[1, 3, 15], folds=4)
    k_points, accuracy_points = result.points()
    np.testing.assert_array_equal(k_points, np.repeat([1, 3, 15], 4))
    np.testing.assert_array_equal(accuracy_points, result.accuracies.ravel())
    record = json.loads(json.dumps(result.to_dict()))
    assert record["ks"] == [1, 3, 15] and record["best_k"] == result.best_k
    assert "best k = " in str(result)


def test_best_k_prefers_the_smallest_k_on_a_tie():
    X, y = small_class_far_away()
    result = cross_validate_k(X, y, ks=[5, 3, 1], folds=5)  # all three are perfect
    assert result.best_k == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"ks": []}, ConfigError, "at least one candidate k"),
        ({"ks": [1, 0]}, ConfigError, "every k to be a positive integer, but got 0"),
        ({"folds": 1}, ConfigError, r"2 ≤ folds ≤ the number of examples \(40\)"),
        ({"folds": 41}, ConfigError, "but got folds=41"),
        ({"ks": [33]}, ValueError, r"k ≤ the number of training examples \(32\)"),
        ({"metric": "l3"}, ConfigError, "metric to be one of"),
    ],
)
def test_cross_validation_rejects_bad_options(kwargs, error, match):
    X, y = small_class_far_away()
    with pytest.raises(error, match=match):
        cross_validate_k(X, y, **{"ks": [1], **kwargs})
