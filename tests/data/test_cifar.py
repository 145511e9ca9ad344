"""CIFAR-10 readers: binary and python batches, archives, corrupt files, malicious pickles."""

import io
import pickle
import re

import numpy as np
import pytest

from glassnet.data import NumpyOnlyUnpickler, find_cifar10, read_cifar_binary, read_cifar_python
from glassnet.data.datasets.cifar import read_cifar10_archive
from glassnet.data.datasets.safe_unpickle import RefusedGlobalError
from glassnet.errors import DatasetError
from tests.data.files import (
    cifar_batches,
    cifar_binary_bytes,
    cifar_like,
    cifar_python_bytes,
    write_cifar_folder,
    write_tar_gz,
)


def test_read_cifar_binary_returns_nchw_images_and_labels(tmp_path):
    images, labels = cifar_like(4)
    path = tmp_path / "data_batch_1.bin"
    path.write_bytes(cifar_binary_bytes(images, labels))
    X, y = read_cifar_binary(path)
    assert X.shape == (4, 3, 32, 32) and X.dtype == np.uint8 and y.dtype == np.int64
    np.testing.assert_array_equal(y, labels)
    # Record layout: 1024 red bytes, then green, then blue, each row-major.
    np.testing.assert_array_equal(X[2, 1, 0, :], images[2, 1024 : 1024 + 32])
    np.testing.assert_array_equal(X[3, 2, 31, 31], images[3, 3071])


def test_read_cifar_python_reads_a_python2_style_batch(tmp_path):
    images, labels = cifar_like(5)
    path = tmp_path / "data_batch_1"
    path.write_bytes(cifar_python_bytes(images, labels))
    X, y = read_cifar_python(path)
    assert X.shape == (5, 3, 32, 32) and X.dtype == np.uint8 and y.dtype == np.int64
    np.testing.assert_array_equal(X.reshape(5, -1), images)
    np.testing.assert_array_equal(y, labels)
    X[0, 0, 0, 0] = 7  # writable


@pytest.mark.parametrize("protocol", [3, 4, 5])
def test_read_cifar_python_reads_a_batch_pickled_by_current_python_and_numpy(tmp_path, protocol):
    images, labels = cifar_like(3)
    batch = {b"data": images, b"labels": labels.tolist(), b"batch_label": b"x"}
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps(batch, protocol=protocol))
    X, y = read_cifar_python(path)
    np.testing.assert_array_equal(X.reshape(3, -1), images)
    np.testing.assert_array_equal(y, labels)


class _RunsCode:
    """Unpickling this with plain pickle would execute ``exec(code)``."""

    def __init__(self, code: str):
        self.code = code

    def __reduce__(self):
        return (exec, (self.code,))


def _touch_code(marker) -> str:
    return f"open({str(marker)!r}, 'w').close()"


@pytest.mark.parametrize("where", ["top level", "inside the data key"])
def test_malicious_pickle_is_refused_and_runs_nothing(tmp_path, where):
    marker = tmp_path / "marker"
    payload = _RunsCode(_touch_code(marker))
    obj = payload if where == "top level" else {"data": payload, "labels": [0]}
    path = tmp_path / "test_batch"
    path.write_bytes(pickle.dumps(obj))
    with pytest.raises(DatasetError, match=r"refusing to load global builtins\.exec"):
        read_cifar_python(path)
    assert not marker.exists()


def test_the_malicious_payload_really_runs_code_under_plain_pickle(tmp_path):
    # The canary is real: the same payload does create the marker with an unrestricted load.
    marker = tmp_path / "marker"
    pickle.loads(pickle.dumps(_RunsCode(_touch_code(marker))))
    assert marker.exists()


@pytest.mark.parametrize(
    "global_name",
    [b"os\nsystem", b"posix\nsystem", b"numpy\nload", b"builtins\neval", b"numpy\nfromfile"],
)
def test_unpickler_refuses_every_global_outside_the_allowlist(global_name):
    payload = b"\x80\x02c" + global_name + b"\n."
    with pytest.raises(RefusedGlobalError, match="refusing to load global"):
        NumpyOnlyUnpickler(io.BytesIO(payload)).load()


def _write(tmp_path, obj_bytes):
    path = tmp_path / "data_batch_1"
    path.write_bytes(obj_bytes)
    return path


@pytest.mark.parametrize(
    ("batch", "words"),
    [
        ([1, 2, 3], "expected a pickled dict"),
        ({"labels": [1]}, "'data' to be a uint8 array"),
        ({"data": np.zeros((2, 3072), np.float32), "labels": [0, 1]}, "dtype float32"),
        ({"data": np.zeros((2, 1024), np.uint8), "labels": [0, 1]}, r"\(N, 3072\)"),
        ({"data": np.zeros((2, 3072), np.uint8), "labels": (0, 1)}, "list of ints"),
        ({"data": np.zeros((2, 3072), np.uint8), "labels": [0, 1, 2]}, "3 labels for 2 images"),
        ({"data": np.zeros((2, 3072), np.uint8), "labels": [0, 10]}, "labels in 0..9"),
    ],
)
def test_python_batch_with_wrong_schema_raises_dataset_error(tmp_path, batch, words):
    # C8: not a dict, wrong shapes, wrong types, labels out of range.
    path = _write(tmp_path, pickle.dumps(batch, protocol=4))
    with pytest.raises(DatasetError, match=words):
        read_cifar_python(path)


def test_truncated_python_batch_raises_dataset_error_naming_the_file(tmp_path):
    path = _write(tmp_path, cifar_python_bytes(*cifar_like(2))[:-100])
    with pytest.raises(DatasetError, match=re.escape(str(path)) + ".*corrupt or truncated"):
        read_cifar_python(path)


@pytest.mark.parametrize("size", [0, 3073 * 2 - 1, 3073 + 5])
def test_binary_batch_that_is_not_whole_records_raises_dataset_error(tmp_path, size):
    path = tmp_path / "test_batch.bin"
    path.write_bytes(bytes(size))
    with pytest.raises(DatasetError, match=re.escape(str(path)) + ".*3073-byte"):
        read_cifar_binary(path)


def test_binary_batch_with_label_out_of_range_raises_dataset_error(tmp_path):
    path = tmp_path / "test_batch.bin"
    path.write_bytes(cifar_binary_bytes(np.zeros((2, 3072), np.uint8), [3, 200]))
    with pytest.raises(DatasetError, match="values from 3 to 200"):
        read_cifar_binary(path)


@pytest.mark.parametrize("kind", ["bin", "py"])
@pytest.mark.parametrize("split", ["train", "test"])
def test_find_cifar10_reads_an_extracted_folder(tmp_path, kind, split):
    expected = write_cifar_folder(tmp_path, kind)
    X, y = find_cifar10(tmp_path, split)()
    np.testing.assert_array_equal(X, expected[split][0])
    np.testing.assert_array_equal(y, expected[split][1])


def _archive_members(kind: str, split: str, n: int = 2):
    folder, suffix = "cifar-10-batches-" + kind, ".bin" if kind == "bin" else ""
    encode = cifar_binary_bytes if kind == "bin" else cifar_python_bytes
    members, parts = {}, []
    for seed, name in enumerate(cifar_batches(split)):
        images, labels = cifar_like(n, seed)
        body = encode(images, labels)
        members[f"{folder}/{name}{suffix}"] = body
        parts.append((images.reshape(-1, 3, 32, 32), labels))
    expected = tuple(np.concatenate(arrays) for arrays in zip(*parts))
    return members, expected


@pytest.mark.parametrize(
    ("kind", "archive"), [("bin", "cifar-10-binary.tar.gz"), ("py", "cifar-10-python.tar.gz")]
)
def test_find_cifar10_reads_the_official_archive_in_place(tmp_path, kind, archive):
    members, expected = _archive_members(kind, "train")
    members["cifar-10-batches-bin/../../escape.txt"] = b"never extracted"
    write_tar_gz(tmp_path / archive, members)
    X, y = find_cifar10(tmp_path, "train")()
    np.testing.assert_array_equal(X, expected[0])
    np.testing.assert_array_equal(y, expected[1])
    assert sorted(p.name for p in tmp_path.iterdir()) == [archive]  # nothing extracted


def test_truncated_archive_raises_dataset_error_naming_it(tmp_path):
    members, _ = _archive_members("bin", "train")
    archive = write_tar_gz(tmp_path / "cifar-10-binary.tar.gz", members)
    archive.write_bytes(archive.read_bytes()[:-2000])
    with pytest.raises(DatasetError, match=re.escape(str(archive)) + ".*corrupt or truncated"):
        read_cifar10_archive(archive, "train")


def test_archive_missing_a_batch_raises_dataset_error_listing_it(tmp_path):
    members, _ = _archive_members("bin", "train")
    del members["cifar-10-batches-bin/data_batch_3.bin"]
    archive = write_tar_gz(tmp_path / "cifar-10-binary.tar.gz", members)
    with pytest.raises(DatasetError, match="data_batch_3.bin are missing"):
        read_cifar10_archive(archive, "train")


def test_find_cifar10_returns_none_for_an_incomplete_folder(tmp_path):
    write_cifar_folder(tmp_path, "bin")
    (tmp_path / "cifar-10-batches-bin" / "data_batch_5.bin").unlink()
    assert find_cifar10(tmp_path, "train") is None
    assert find_cifar10(tmp_path, "test") is not None


def test_batch_far_larger_than_cifar_is_rejected_without_reading_it(tmp_path, monkeypatch):
    from glassnet.data.datasets import cifar

    monkeypatch.setattr(cifar, "MAX_BATCH_BYTES", 3073)
    path = tmp_path / "data_batch_1.bin"
    path.write_bytes(bytes(3073 * 2))
    with pytest.raises(DatasetError, match="larger than"):
        read_cifar_binary(path)
