"""NPY images and the pixel check: read without pickle, every bad file an ImageError."""

import io

import numpy as np
import pytest

from glassnet.data.images import check_pixels, read_image
from glassnet.errors import ImageError


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def test_read_image_reads_npy_files_and_npy_bytes(tmp_path):
    image = np.arange(28 * 28).reshape(28, 28).astype(np.uint8)
    np.save(tmp_path / "x.npy", image)
    np.testing.assert_array_equal(read_image(tmp_path / "x.npy", (1, 28, 28)), image)
    np.testing.assert_array_equal(read_image(npy_bytes(image), (1, 28, 28)), image)


def test_a_garbage_npy_is_not_a_numpy_file_and_unsafe_loading_is_never_suggested(tmp_path):
    path = tmp_path / "garbage.npy"
    path.write_bytes(b"\x80\x04garbage that np.load would call pickled data")
    with pytest.raises(ImageError, match="not a NumPy array file") as info:
        read_image(path, (1, 28, 28))
    assert "pickle" not in str(info.value) and "unsafe" not in str(info.value)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (npy_bytes(np.zeros((28, 28), np.uint8))[:-5], "truncated or corrupt"),
        (npy_bytes(np.array([None] * 4, dtype=object)), "Python objects"),
        (npy_bytes(np.zeros((28, 28), np.uint8)).replace(b"(28, 28)", b"(9999999999, 28)"),
         "truncated or corrupt"),  # a huge declared shape allocates nothing
        (b"\x93NUMPY\x01\x00\x05\x00{'de", "corrupt header"),
    ],
    ids=["truncated", "objects", "huge-shape", "bad-header"],
)
def test_bad_npy_content_is_an_image_error(data, words):
    with pytest.raises(ImageError, match=words) as info:
        read_image(data, (1, 28, 28))
    assert "allow_pickle" not in str(info.value)


def test_check_pixels_converts_only_what_loses_nothing():
    whole = np.full((2, 2), 200.0)
    converted = check_pixels(whole, "uint8", (0, 255))
    assert converted.dtype == np.uint8 and converted.max() == 200


@pytest.mark.parametrize(
    ("image", "words"),
    [
        (np.full((2, 2), 0.5, dtype=np.float32), r"float32 values from 0\.5 to 0\.5.*\* 255"),
        (np.full((2, 2), 255_000, dtype=np.int64), "outside that range"),
        (np.array([[np.nan, 1.0]]), "NaN or Inf"),
        (np.array([["a", "b"]]), "dtype <U1"),
    ],
    ids=["scaled-to-one", "times-1000", "nan", "strings"],
)
def test_check_pixels_refuses_images_unlike_the_training_images(image, words):
    with pytest.raises(ImageError, match=words):
        check_pixels(image, "uint8", (0, 255), "x.npy")
