"""Image files → arrays laid out like a dataset's images, for the commands that classify or
search single images (``glassnet predict``, ``glassnet serve``).

The result is what the model's training images looked like before preprocessing: uint8,
(H, W) for grayscale models, (C, H, W) for colour ones. PNG and JPEG are decoded with Pillow
(the optional extra ``images``) and converted to grey or RGB as the model needs; ``.npy``
files are read without pickle.
"""

import io
from pathlib import Path

import numpy as np


def read_image(source, input_shape, *, resize: bool = False) -> np.ndarray:
    """One image, as stored in the dataset the model was trained on.

    Args:
        source: a path (PNG, JPEG or NPY) or the bytes of a PNG/JPEG file.
        input_shape: the model's (channels, height, width), as recorded in a checkpoint's
            preprocessing.
        resize: scale a PNG/JPEG of another size to (height, width); without it, a wrong
            size is an error.

    Raises:
        ValueError: unreadable file or wrong size, naming the file and the expected shape.
        ImportError: Pillow is missing, naming the extra that brings it.
    """
    channels, *size = input_shape
    name = "image" if isinstance(source, bytes) else str(source)
    if not isinstance(source, bytes) and Path(source).suffix.lower() == ".npy":
        image = np.load(source, allow_pickle=False)
    else:
        image = _decode(source, channels, size if resize else None)
    expected = tuple(size) if channels == 1 else (channels, *size)
    if image.shape != expected:
        raise ValueError(f"{name}: expected an image of shape {expected}, but got {image.shape}.")
    return image


def _decode(source, channels: int, size) -> np.ndarray:
    """A PNG/JPEG file or its bytes → uint8 (H, W) or (C, H, W), resized to ``size`` if given."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(
            "reading PNG/JPEG files needs Pillow: pip install 'glassnet[images]' (or pass .npy)."
        ) from None
    with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image:
        converted = image.convert("L" if channels == 1 else "RGB")
        if size is not None:
            height, width = size
            converted = converted.resize((width, height), Image.Resampling.LANCZOS)
        array = np.asarray(converted)
    return array if channels == 1 else array.transpose(2, 0, 1)
