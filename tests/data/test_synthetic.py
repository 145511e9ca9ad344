"""Synthetic sets: shapes, labels, the book's spiral construction, seeding."""

import numpy as np
import pytest

from glassnet.data import blobs, spiral, xor
from glassnet.errors import ConfigError


def test_spiral_has_n_per_class_points_on_the_books_radii():
    X, y = spiral(50, 4, generator=np.random.default_rng(0))
    assert X.shape == (200, 2) and X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [50] * 4)
    # Point j of each class sits at radius j / (N - 1), whatever the angle noise.
    radius = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radius, np.tile(np.linspace(0, 1, 50), 4), atol=1e-6)


def test_spiral_without_noise_follows_the_angle_formula():
    X, y = spiral(5, 3, noise=0.0)
    r = np.tile(np.linspace(0, 1, 5), 3)
    angle = 2.5 * 4 * (y + r)
    expected = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    np.testing.assert_allclose(X, expected, atol=1e-6)


@pytest.mark.parametrize("make", [spiral, xor, blobs])
def test_synthetic_sets_are_reproducible_under_a_seed(make):
    a = make(generator=np.random.default_rng(3))
    b = make(generator=np.random.default_rng(3))
    c = make(generator=np.random.default_rng(4))
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


def test_xor_labels_are_the_parity_of_the_nearest_corner():
    X, y = xor(400, noise=0.1, generator=np.random.default_rng(0))
    corners = np.rint(X).astype(int)
    np.testing.assert_array_equal(y, corners[:, 0] ^ corners[:, 1])
    assert np.bincount(y).min() > 150  # both classes, roughly balanced


def test_blobs_cluster_around_one_centre_per_class():
    X, y = blobs(200, 3, n_features=4, spread=0.1, generator=np.random.default_rng(0))
    assert X.shape == (600, 4)
    for label in range(3):
        assert X[y == label].std(axis=0).max() < 0.2


@pytest.mark.parametrize("make", [lambda: spiral(0), lambda: xor(-1), lambda: blobs(10, 2.5)])
def test_non_positive_sizes_are_config_errors(make):
    with pytest.raises(ConfigError, match="expected a positive integer"):
        make()
