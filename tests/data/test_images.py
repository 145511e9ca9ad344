import io

import numpy as np
import pytest

from glassnet.data.images import read_image

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
