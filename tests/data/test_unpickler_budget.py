"""The restricted unpickler bounds the memory a pickle may ask for, not only the globals."""

import io
import pickle
import time

import numpy as np
import pytest
from numpy._core.multiarray import _reconstruct

from glassnet.data import NumpyOnlyUnpickler, read_cifar_python
from glassnet.data.datasets.safe_unpickle import ArrayTooLargeError
from glassnet.errors import DatasetError


class _Reconstructed:
    """Pickles as _reconstruct(ndarray, shape, uint8): an uninitialised array of any size."""

    def __init__(self, shape):
        self.shape = shape

    def __reduce__(self):
        return _reconstruct, (np.ndarray, self.shape, np.dtype(np.uint8))


class _NewArray(_Reconstructed):
    """Pickles as ndarray(shape, uint8)."""

    def __reduce__(self):
        return np.ndarray, (self.shape, np.dtype(np.uint8))


@pytest.mark.parametrize("builder", [_Reconstructed, _NewArray], ids=["reconstruct", "ndarray"])
def test_a_small_batch_asking_for_a_huge_array_is_refused_before_allocating(tmp_path, builder):
    # The reported attack: ~400 KB of pickle that builds a 614 MB "data" array, with a label
    # for every row, which passes every schema check once built.
    batch = {"data": builder((200_000, 3072)), "labels": [0] * 200_000}
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps(batch, protocol=2))
    assert path.stat().st_size < 500_000
    start = time.perf_counter()
    with pytest.raises(DatasetError, match=r"not a CIFAR-10 python batch.*at most 268,435,456"):
        read_cifar_python(path)
    assert time.perf_counter() - start < 1.0


def test_the_budget_counts_every_array_of_one_load():
    payload = pickle.dumps([_Reconstructed((600,)), _Reconstructed((600,))], protocol=2)
    NumpyOnlyUnpickler(io.BytesIO(payload), max_bytes=1200).load()  # exactly the budget
    with pytest.raises(ArrayTooLargeError, match="at most 1,100 bytes"):
        NumpyOnlyUnpickler(io.BytesIO(payload), max_bytes=1100).load()


def test_a_real_array_still_round_trips_under_the_budget():
    array = np.arange(3072, dtype=np.uint8).reshape(1, 3072)
    for protocol in (3, 5):  # _reconstruct + state, and _frombuffer
        loaded = NumpyOnlyUnpickler(io.BytesIO(pickle.dumps(array, protocol=protocol))).load()
        np.testing.assert_array_equal(loaded, array)
