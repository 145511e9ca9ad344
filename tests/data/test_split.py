"""train_val_split and kfold: partitions, sizes, reproducibility, bad input."""

import numpy as np
import pytest

from glassnet.data import kfold, train_val_split
from glassnet.errors import ConfigError, ShapeError


def test_train_val_split_partitions_the_examples_and_keeps_pairs_aligned():
    X = np.arange(50).reshape(25, 2)
    y = np.arange(25)
    (X_tr, y_tr), (X_val, y_val) = train_val_split(X, y, 0.2, generator=np.random.default_rng(0))
    assert len(y_val) == 5 and len(y_tr) == 20
    np.testing.assert_array_equal(np.sort(np.concatenate([y_tr, y_val])), y)
    np.testing.assert_array_equal(X_tr, X[y_tr])
    np.testing.assert_array_equal(X_val, X[y_val])
    assert not np.array_equal(y_tr, np.arange(5, 25))  # shuffled, not the last 20


def test_train_val_split_is_reproducible_under_a_seed():
    X, y = np.arange(40).reshape(20, 2), np.arange(20)
    a = train_val_split(X, y, 0.25, generator=np.random.default_rng(5))[1][1]
    b = train_val_split(X, y, 0.25, generator=np.random.default_rng(5))[1][1]
    c = train_val_split(X, y, 0.25, generator=np.random.default_rng(6))[1][1]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize(
    ("X", "y", "fraction", "error", "words"),
    [
        (np.zeros((5, 2)), np.zeros(4), 0.2, ShapeError, r"X.shape=\(5, 2\) and y.shape=\(4,\)"),
        (np.zeros((5, 2)), np.zeros(5), 0.0, ConfigError, "strictly between 0 and 1"),
        (np.zeros((5, 2)), np.zeros(5), 1.0, ConfigError, "strictly between 0 and 1"),
        (np.zeros((5, 2)), np.zeros(5), 0.05, ConfigError, "gives 0 for validation"),
        (np.zeros((2, 2)), np.zeros(2), 0.8, ConfigError, "leaves one set empty"),
    ],
)
def test_train_val_split_rejects_bad_input(X, y, fraction, error, words):
    with pytest.raises(error, match=words):
        train_val_split(X, y, fraction)


@pytest.mark.parametrize(("n", "k"), [(10, 2), (11, 3), (7, 7), (100, 10)])
def test_kfold_validation_folds_partition_the_indices_with_sizes_within_one(n, k):
    folds = list(kfold(n, k, generator=np.random.default_rng(0)))
    assert len(folds) == k
    all_val = np.concatenate([val for _, val in folds])
    np.testing.assert_array_equal(np.sort(all_val), np.arange(n))
    sizes = [len(val) for _, val in folds]
    assert max(sizes) - min(sizes) <= 1
    for train, val in folds:
        assert len(np.intersect1d(train, val)) == 0
        np.testing.assert_array_equal(np.sort(np.concatenate([train, val])), np.arange(n))


def test_kfold_without_shuffle_cuts_consecutive_blocks():
    assert [val.tolist() for _, val in kfold(7, 3, shuffle=False)] == [[0, 1, 2], [3, 4], [5, 6]]


def test_kfold_is_reproducible_under_a_seed():
    a = [val for _, val in kfold(20, 4, generator=np.random.default_rng(1))]
    b = [val for _, val in kfold(20, 4, generator=np.random.default_rng(1))]
    for fold_a, fold_b in zip(a, b, strict=True):
        np.testing.assert_array_equal(fold_a, fold_b)


@pytest.mark.parametrize(
    ("n", "k", "words"),
    [(5, 6, "k ≤ n"), (5, 1, "k to be an integer ≥ 2"), (0, 2, "n to be an integer ≥ 1"),
     (5.0, 2, "n to be an integer"), (5, True, "k to be an integer")],
)
def test_kfold_rejects_bad_sizes_when_called(n, k, words):
    with pytest.raises(ConfigError, match=words):
        kfold(n, k)  # raised at the call, not on first iteration
