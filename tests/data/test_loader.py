"""DataLoader: every example once per epoch, reproducible under a seed, resumable mid-epoch."""

import json
import threading

import numpy as np
import pytest

import glassnet as gn
from glassnet.data import DataLoader
from glassnet.errors import ConfigError, ShapeError


def _dataset(n=103):
    X = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    return X, np.arange(n)  # y is the example's index, so batches can be traced


def _epoch(loader):
    return [tuple(array.copy() for array in batch) for batch in loader]


@pytest.mark.parametrize("shuffle", [False, True])
def test_each_epoch_visits_every_example_exactly_once(shuffle):
    X, y = _dataset()
    generator = np.random.default_rng(0)
    loader = DataLoader((X, y), batch_size=10, shuffle=shuffle, generator=generator)
    orders = []
    for _ in range(3):
        batches = _epoch(loader)
        assert [len(yb) for _, yb in batches] == [10] * 10 + [3]
        seen = np.concatenate([yb for _, yb in batches])
        np.testing.assert_array_equal(np.sort(seen), y)
        for Xb, yb in batches:  # X and y stay aligned
            np.testing.assert_array_equal(Xb, X[yb])
        orders.append(seen)
    if shuffle:
        assert not np.array_equal(orders[0], orders[1])
    else:
        np.testing.assert_array_equal(orders[0], y)


def test_len_counts_batches_with_and_without_drop_last():
    data = _dataset(103)
    assert len(DataLoader(data, batch_size=10)) == 11
    assert len(DataLoader(data, batch_size=10, drop_last=True)) == 10
    assert len(DataLoader(_dataset(100), batch_size=10)) == 10
    assert len(DataLoader(data, batch_size=500)) == 1
    assert len(DataLoader(data, batch_size=500, drop_last=True)) == 0


def test_drop_last_yields_only_full_batches_of_distinct_examples():
    loader = DataLoader(_dataset(103), batch_size=10, shuffle=True, drop_last=True)
    batches = _epoch(loader)
    assert len(batches) == len(loader) == 10
    seen = np.concatenate([yb for _, yb in batches])
    assert len(seen) == 100 and len(np.unique(seen)) == 100


def test_same_seed_gives_the_same_batches_and_another_seed_does_not():
    def run(seed):
        loader = _shuffled_loader(seed, batch_size=8)
        return np.concatenate([yb for _ in range(2) for _, yb in loader])

    np.testing.assert_array_equal(run(0), run(0))
    assert not np.array_equal(run(0), run(1))


def test_default_generator_follows_manual_seed():
    def run():
        return np.concatenate([yb for _, yb in DataLoader(_dataset(), batch_size=8, shuffle=True)])

    gn.manual_seed(3)
    first = run()
    gn.manual_seed(3)
    np.testing.assert_array_equal(run(), first)


def test_with_replacement_draws_n_indices_per_epoch_with_repeats():
    X, y = _dataset(100)
    generator = np.random.default_rng(0)
    loader = DataLoader((X, y), batch_size=10, sampler="with_replacement", generator=generator)
    seen = np.concatenate([yb for _, yb in loader])
    assert len(seen) == 100 and seen.min() >= 0 and seen.max() < 100
    # 100 draws from 100 without a repeat has probability 100!/100^100 ≈ 1e-42.
    assert len(np.unique(seen)) < 100


def _shuffled_loader(seed, batch_size=10):
    generator = np.random.default_rng(seed)
    return DataLoader(_dataset(), batch_size=batch_size, shuffle=True, generator=generator)


def _uninterrupted(seed, epochs=3):
    loader = _shuffled_loader(seed)
    return [yb for _ in range(epochs) for _, yb in loader]


@pytest.mark.parametrize("stop_after", [0, 1, 4, 11, 12, 15, 22])
def test_resuming_from_state_dict_gives_the_batches_of_an_uninterrupted_run(stop_after):
    # 11 batches per epoch, 3 epochs; "kill" the run after `stop_after` batches.
    expected = _uninterrupted(seed=7)
    loader = _shuffled_loader(seed=7)
    got, state = [], loader.state_dict()
    for _ in range(3):
        for _, yb in loader:
            if len(got) == stop_after:
                break
            got.append(yb)
            state = json.loads(json.dumps(loader.state_dict()))  # what a checkpoint stores
        if len(got) == stop_after:
            break
    # A new process: fresh loader, unrelated generator, restored state.
    resumed = _shuffled_loader(seed=99)
    resumed.load_state_dict(state)
    while len(got) < len(expected):
        got.extend(yb for _, yb in resumed)
    assert len(got) == len(expected)
    for mine, theirs in zip(got, expected, strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_state_dict_tracks_epoch_and_batches_done():
    loader = DataLoader(_dataset(), batch_size=10, shuffle=True)
    assert loader.state_dict()["epoch"] == 0 and loader.state_dict()["batches_done"] == 0
    iterator = iter(loader)
    next(iterator), next(iterator)
    assert (loader.state_dict()["epoch"], loader.state_dict()["batches_done"]) == (0, 2)
    list(iterator)
    assert (loader.state_dict()["epoch"], loader.state_dict()["batches_done"]) == (1, 0)


def test_an_abandoned_epoch_counts_and_the_next_loop_starts_a_new_one():
    loader = DataLoader(_dataset(), batch_size=10)
    for _ in loader:
        break
    assert len(_epoch(loader)) == 11
    assert loader.epoch == 2


def test_batches_are_copies_that_do_not_alias_the_dataset():
    X, y = _dataset(10)
    for Xb, _ in DataLoader((X, y), batch_size=5):
        Xb[:] = -1
    assert X.min() >= 0


def test_empty_dataset_gives_no_batches():
    loader = DataLoader((np.zeros((0, 3)), np.zeros(0)), batch_size=4, shuffle=True)
    assert len(loader) == 0 and _epoch(loader) == []
    loader = DataLoader((np.zeros((0, 3)),), batch_size=4, sampler="with_replacement")
    assert _epoch(loader) == []


def test_a_single_array_dataset_yields_one_tuples():
    (batch,) = list(DataLoader((np.arange(4),), batch_size=4))
    assert isinstance(batch, tuple) and len(batch) == 1


def test_iterating_starts_no_threads():
    before = threading.active_count()
    for _ in range(3):
        _epoch(DataLoader(_dataset(), batch_size=16, shuffle=True))
    assert threading.active_count() == before


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"dataset": (np.zeros((3, 2)), np.zeros(4))}, ShapeError, r"\(3, 2\), \(4,\)"),
        ({"dataset": (np.zeros((3, 2)), np.float64(1.0))}, ShapeError, "same number of examples"),
        ({"dataset": np.zeros((3, 2))}, ConfigError, r"Wrap a single array as \(X,\)"),
        ({"dataset": ()}, ConfigError, "tuple of arrays"),
        ({"batch_size": 0}, ConfigError, "batch_size ≥ 1"),
        ({"batch_size": 2.5}, ConfigError, "positive integer"),
        ({"batch_size": True}, ConfigError, "positive integer"),
        ({"sampler": "bootstrap"}, ConfigError, r"\['epoch', 'with_replacement'\]"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, error, words):
    arguments = {"dataset": _dataset(5), "batch_size": 2, **kwargs}
    with pytest.raises(error, match=words):
        DataLoader(**arguments)


def test_load_state_dict_rejects_incomplete_or_foreign_state():
    loader = DataLoader(_dataset(), batch_size=4)
    with pytest.raises(ConfigError, match=r"\['batches_done'\] are missing"):
        loader.load_state_dict({"epoch": 0, "generator_state": {}})
    foreign = np.random.Generator(np.random.MT19937(0)).bit_generator.state
    with pytest.raises(ConfigError, match="expected a PCG64 generator state, but got 'MT19937'"):
        loader.load_state_dict({"epoch": 0, "batches_done": 0, "generator_state": foreign})
