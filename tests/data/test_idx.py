"""IDX reader: valid files (gzip and raw) and every corrupt case of RELIABILITY.md §C."""

import gzip
import re
import time

import numpy as np
import pytest

from glassnet.data import read_idx, read_idx_images, read_idx_labels
from glassnet.data.datasets.idx import read_mnist_split
from glassnet.errors import DatasetError
from tests.data.files import idx_bytes, mnist_like, write_idx


@pytest.mark.parametrize("name", ["images-idx3-ubyte.gz", "images-idx3-ubyte"])
def test_read_idx_images_returns_the_written_array_from_gzip_and_raw_files(tmp_path, name):
    images, _ = mnist_like(7)
    X = read_idx_images(write_idx(tmp_path / name, images))
    assert X.dtype == np.uint8 and X.shape == (7, 28, 28)
    np.testing.assert_array_equal(X, images)
    X[0, 0, 0] = 1  # the result is an ordinary writable array


def test_read_idx_labels_returns_the_written_labels(tmp_path):
    labels = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
    np.testing.assert_array_equal(read_idx_labels(write_idx(tmp_path / "l.gz", labels)), labels)


def test_read_idx_accepts_an_empty_but_well_formed_file(tmp_path):
    X = read_idx(write_idx(tmp_path / "e.gz", np.zeros((0, 28, 28), np.uint8)), ndim=3)
    assert X.shape == (0, 28, 28)


def _gz(raw: bytes) -> bytes:
    return gzip.compress(raw, mtime=0)


def _valid_images_raw() -> bytes:
    return idx_bytes(mnist_like(5)[0])


def _flip_inside_deflate_stream(data: bytes) -> bytes:
    corrupted = bytearray(data)
    corrupted[len(data) // 2] ^= 0xFF
    return bytes(corrupted)


# (case id, file name, file bytes, words the message must contain) — RELIABILITY.md §C1-C6.
CORRUPT_CASES = [
    ("C1 truncated gzip", "x.gz", _gz(_valid_images_raw())[:-300], "truncated"),
    ("C1 gzip cut mid-header", "x.gz", _gz(_valid_images_raw())[:5], "truncated"),
    ("C2 bit flip in gzip", "x.gz", _flip_inside_deflate_stream(_gz(_valid_images_raw())), "gzip"),
    ("C3 not gzip at all", "x.gz", b"this is plain text, not gzip" * 10, "gzip"),
    ("C4 wrong magic", "x", b"\x01\x00" + _valid_images_raw()[2:], "00 00"),
    ("C4 wrong type byte", "x", idx_bytes(mnist_like(2)[0], type_byte=0x0D), "0x0d"),
    ("C4 labels file read as images", "x", idx_bytes(np.arange(5)), "3 dimension"),
    ("C4 empty file", "x", b"", "IDX"),
    ("C4 cut inside the magic number", "x", _valid_images_raw()[:3], "truncated: an IDX file"),
    ("C4 header cut inside the sizes", "x", _valid_images_raw()[:9], "header is truncated"),
    ("C5 payload shorter than the header says", "x", _valid_images_raw()[:-1], "truncated"),
    ("C5 gzip payload shorter", "x.gz", _gz(_valid_images_raw()[:-10]), "truncated"),
    ("C5 trailing bytes", "x", _valid_images_raw() + b"\x00", "trailing bytes"),
    ("C5 gzip trailing bytes", "x.gz", _gz(_valid_images_raw() + b"\x00\x00"), "trailing"),
]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [case[1:] for case in CORRUPT_CASES],
    ids=[case[0] for case in CORRUPT_CASES],
)
def test_corrupt_idx_file_raises_dataset_error_naming_the_file(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=re.escape(str(path))) as info:
        read_idx_images(path)
    assert words in str(info.value)


@pytest.mark.parametrize("name", ["huge", "huge.gz"])
def test_absurd_declared_size_is_rejected_before_allocating(tmp_path, name):
    # C6: 2**31 images of 28x28 would need 1.6 TB; the check must come before any read.
    header = bytes([0, 0, 8, 3]) + (2**31).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
    content = header + bytes(784)
    path = tmp_path / name
    path.write_bytes(_gz(content) if name.endswith(".gz") else content)
    start = time.perf_counter()
    with pytest.raises(DatasetError, match="header declares shape"):
        read_idx_images(path)
    assert time.perf_counter() - start < 1.0


def test_missing_file_and_directory_raise_dataset_error_naming_the_path(tmp_path):
    with pytest.raises(DatasetError, match=re.escape(str(tmp_path / "absent.gz"))):
        read_idx(tmp_path / "absent.gz")
    with pytest.raises(DatasetError, match="could not read"):
        read_idx(tmp_path)


def test_read_mnist_split_rejects_count_mismatch_between_images_and_labels(tmp_path):
    # C7: 5 images but 4 labels.
    images = write_idx(tmp_path / "i.gz", mnist_like(5)[0])
    labels = write_idx(tmp_path / "l.gz", np.arange(4))
    with pytest.raises(DatasetError, match=r"l\.gz: expected one label per image .* got 4"):
        read_mnist_split(images, labels)


def test_read_mnist_split_rejects_labels_outside_0_to_9(tmp_path):
    # C7: a label of 10.
    images = write_idx(tmp_path / "i.gz", mnist_like(3)[0])
    labels = write_idx(tmp_path / "l.gz", np.array([0, 10, 2]))
    with pytest.raises(DatasetError, match="labels in 0..9, but got a maximum of 10"):
        read_mnist_split(images, labels)


def test_read_mnist_split_rejects_images_that_are_not_28_by_28(tmp_path):
    images = write_idx(tmp_path / "i.gz", np.zeros((3, 32, 32), np.uint8))
    labels = write_idx(tmp_path / "l.gz", np.arange(3))
    with pytest.raises(DatasetError, match=r"expected 28×28 images.*\(32, 32\)"):
        read_mnist_split(images, labels)


def test_read_mnist_split_returns_int64_labels(tmp_path):
    images, labels = mnist_like(4)
    X, y = read_mnist_split(write_idx(tmp_path / "i", images), write_idx(tmp_path / "l", labels))
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y, labels)
    np.testing.assert_array_equal(X, images)


def test_permission_denied_is_a_dataset_error_naming_the_file(tmp_path, monkeypatch):
    # C9: chmod does not stop root, so the refusal is simulated where the file is opened.
    path = write_idx(tmp_path / "labels.gz", np.arange(3))

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(gzip, "open", refuse)
    with pytest.raises(DatasetError, match=re.escape(str(path)) + ".*Permission denied"):
        read_idx_labels(path)


def test_header_whose_size_overflows_int64_is_rejected(tmp_path):
    # Three dimensions of 2**32 - 1: a product beyond int64, which must not wrap around.
    path = tmp_path / "overflow"
    path.write_bytes(bytes([0, 0, 8, 3]) + b"\xff\xff\xff\xff" * 3 + bytes(10))
    with pytest.raises(DatasetError, match="header declares shape"):
        read_idx_images(path)
