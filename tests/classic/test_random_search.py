"""random_search: keeps the best of its random guesses, reproducibly, and beats chance."""

import numpy as np
import pytest

from glassnet.classic import random_search, softmax_loss, svm_loss
from glassnet.data import blobs
from glassnet.errors import ConfigError


def data():
    return blobs(100, 3, generator=np.random.default_rng(0))


@pytest.mark.parametrize(("loss", "loss_fn"), [("svm", svm_loss), ("softmax", softmax_loss)])
def test_random_search_keeps_the_guess_with_the_lowest_training_loss(loss, loss_fn):
    X, y = data()
    result = random_search(X, y, trials=40, loss=loss, generator=np.random.default_rng(1))
    assert result.losses.shape == (40,)
    assert result.best_loss == result.losses.min()
    recomputed, _, _ = loss_fn(result.model.weight, result.model.bias, X, y)
    assert recomputed == pytest.approx(result.best_loss, rel=1e-5)
    np.testing.assert_array_equal(result.model.bias, np.zeros(3))


def test_random_search_replays_the_same_guesses_under_the_same_seed():
    X, y = data()
    first = random_search(X, y, trials=10, generator=np.random.default_rng(5))
    second = random_search(X, y, trials=10, generator=np.random.default_rng(5))
    np.testing.assert_array_equal(first.losses, second.losses)
    rng = np.random.default_rng(5)
    guesses = [1e-4 * rng.standard_normal((3, 2)) for _ in range(10)]
    expected = guesses[int(np.argmin(first.losses))].astype(np.float32)
    np.testing.assert_array_equal(first.model.weight, expected)


def test_the_best_random_guess_beats_chance_on_blobs():
    X, y = data()
    result = random_search(X, y, trials=200, generator=np.random.default_rng(2))
    assert result.model.score(X, y) > 0.6  # chance is 1/3
    assert result.best_loss < np.median(result.losses)


def test_random_search_rejects_bad_options():
    X, y = data()
    with pytest.raises(ConfigError, match="trials to be a positive integer"):
        random_search(X, y, trials=0)
    with pytest.raises(ConfigError, match="loss to be one of 'svm', 'softmax'"):
        random_search(X, y, loss="mse")
    with pytest.raises(ConfigError, match="scale to be a positive number"):
        random_search(X, y, scale=0)
    with pytest.raises(ValueError, match=r"labels in \[0, 1\]"):
        random_search(X, y, num_classes=2)
