import io
import struct
import time
import zlib

import numpy as np
import pytest

from glassnet.data.images import read_image
from glassnet.errors import ImageError

Image = pytest.importorskip("PIL.Image", reason="Pillow (the 'images' extra) decodes PNG")


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def test_read_image_decodes_png_bytes_to_the_dataset_layout():
    grey = np.arange(28 * 28, dtype=np.uint8).reshape(28, 28)
    np.testing.assert_array_equal(read_image(png_bytes(grey), (1, 28, 28)), grey)


def test_read_image_converts_colour_to_grey_and_resizes_when_asked():
    colour = np.full((56, 40, 3), 200, dtype=np.uint8)
    image = read_image(png_bytes(colour), (1, 28, 28), resize=True)
    assert image.shape == (28, 28) and image.dtype == np.uint8
    assert np.all(image == 200)


def test_read_image_gives_colour_models_channels_first():
    colour = np.zeros((32, 32, 3), dtype=np.uint8)
    colour[..., 2] = 255
    image = read_image(png_bytes(colour), (3, 32, 32))
    assert image.shape == (3, 32, 32)
    assert image[2].min() == 255 and image[0].max() == 0


def test_read_image_rejects_a_wrong_size_without_resize():
    with pytest.raises(ValueError, match=r"expected an image of shape \(28, 28\)"):
        read_image(png_bytes(np.zeros((30, 30), dtype=np.uint8)), (1, 28, 28))


def huge_png_header(width: int, height: int) -> bytes:
    """A PNG that declares width×height pixels but holds almost no data: what a
    decompression bomb looks like before it is decoded."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def flipped(data: bytes, position: int) -> bytes:
    return data[:position] + bytes([data[position] ^ 0xFF]) + data[position + 1 :]


NOISE = np.random.default_rng(0).integers(0, 256, (28, 28), dtype=np.uint8)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"hello, this is not an image at all", "not an image: no image format"),
        (png_bytes(NOISE)[:300], "not a readable image"),  # truncated inside the pixel data
        (flipped(png_bytes(NOISE), 120), "not a readable image"),  # a flipped byte in IDAT
        (huge_png_header(20000, 20000), "decompression bomb.*400000000 pixels"),
    ],
    ids=["empty", "garbage", "truncated", "corrupt", "bomb"],
)
def test_read_image_turns_every_bad_upload_into_an_image_error(data, words):
    with pytest.raises(ImageError, match=words) as info:
        read_image(data, (1, 28, 28))
    assert isinstance(info.value, ValueError)  # documented: servers map it to HTTP 400


def test_read_image_refuses_a_bomb_by_its_header_before_decoding_it():
    start = time.perf_counter()
    with pytest.raises(ImageError, match="decompression bomb"):
        read_image(huge_png_header(8000, 8000), (1, 28, 28), resize=True)
    assert time.perf_counter() - start < 0.5  # 64 million pixels were never decoded


def test_read_image_scales_sixteen_bit_grey_instead_of_clipping_it():
    deep = (np.arange(28 * 28, dtype=np.uint16).reshape(28, 28) * 80)  # up to 62640
    image = read_image(png_bytes(deep), (1, 28, 28))
    np.testing.assert_array_equal(image, np.round(deep / 257.0).astype(np.uint8))


def test_read_image_reports_a_missing_path_as_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_image(tmp_path / "nowhere.png", (1, 28, 28))
