"""Image files → arrays laid out like a dataset's images, for the commands that classify or
search single images (``glassnet predict``, ``glassnet serve``).

The result is what the model's training images looked like before preprocessing: uint8,
(H, W) for grayscale models, (C, H, W) for colour ones. PNG and JPEG (any format Pillow
reads) are decoded with Pillow (the optional extra ``images``) and converted to grey or RGB as
the model needs; NumPy ``.npy`` files are read without pickle and must already have the
dataset's layout.

Every problem with the *content* (empty, truncated, corrupt, not an image at all, too many
pixels to decode safely, the wrong size) is an :class:`~glassnet.errors.ImageError`, a
``ValueError``, with a message that names the image and says what to do. A server can map
that one type to HTTP 400; nothing Pillow or NumPy raise on bad bytes escapes. Only a path
that cannot be read at all (missing, a folder, no permission) raises ``OSError``.

Example:
    >>> import numpy as np
    >>> read_image(b"", (1, 28, 28))
    Traceback (most recent call last):
    ...
    glassnet.errors.ImageError: image: the file is empty (0 bytes). Pass a PNG, JPEG or NPY image.
"""

import io
import math
from pathlib import Path

import numpy as np

from glassnet.errors import ImageError
from glassnet.extras import require_extra

# NOTE: Pillow only warns above 89 million pixels and refuses above twice that; a PNG of
# 20000×20000 zeros is a few hundred kilobytes but decodes to 400 MB. glassnet's images are
# tiny, so it refuses far earlier: 40 million pixels is a large phone photo (8000×5000).
MAX_PIXELS = 40_000_000
NPY_MAGIC = b"\x93NUMPY"
# 16-bit greyscale modes: Pillow's convert("L") would clip them at 255, so they are scaled.
_SIXTEEN_BIT_MODES = ("I;16", "I;16B", "I;16L", "I;16N")


def read_image(source, input_shape, *, resize: bool = False) -> np.ndarray:
    """One image, as stored in the dataset the model was trained on.

    Args:
        source: a path (PNG, JPEG, any format Pillow reads, or NPY), or the bytes of such a
            file (an NPY file's bytes are recognised by their magic number).
        input_shape: the model's (channels, height, width), as recorded in a checkpoint's
            preprocessing.
        resize: scale a decoded image of another size to (height, width); without it, a
            wrong size is an error. NPY arrays are never resized.

    Returns:
        uint8 (height, width) for one channel, (channels, height, width) otherwise; an NPY
        array keeps its dtype (see :func:`check_pixels`).

    Raises:
        ImageError: the content is empty, truncated, corrupt, not an image, larger than
            ``MAX_PIXELS``, or of the wrong shape (a ``ValueError``; the message names the
            image and the expected shape).
        OSError: the path cannot be read (missing, a folder, permission denied).
        MissingDependencyError: a PNG/JPEG needs Pillow, which is not installed (an
            ``ImportError`` naming the extra that brings it).
    """
    channels, *size = input_shape
    name = "image" if isinstance(source, (bytes, bytearray, memoryview)) else str(source)
    data = bytes(source) if name == "image" else Path(source).read_bytes()
    if not data:
        raise ImageError(f"{name}: the file is empty (0 bytes). Pass a PNG, JPEG or NPY image.")
    expected = tuple(size) if channels == 1 else (channels, *size)
    if data.startswith(NPY_MAGIC):
        image = _read_npy(data, name)
    elif name != "image" and Path(name).suffix.lower() == ".npy":
        raise ImageError(
            f"{name}: expected a NumPy array file (.npy, starting with the bytes \\x93NUMPY), "
            f"but the file starts with {data[:8]!r}. It is not a NumPy array file: save the "
            "image with numpy.save, or pass a PNG or JPEG."
        )
    else:
        image = _decode(data, name, channels, size if resize else None)
    if image.shape != expected:
        hint = " or pass resize=True" if image.ndim == len(expected) else ""
        raise ImageError(
            f"{name}: expected an image of shape {expected} (the size the model was trained "
            f"on), but got {image.shape}. Scale or crop it to that size{hint}."
        )
    return image


def check_pixels(image: np.ndarray, dtype, value_range, name: str = "image") -> np.ndarray:
    """``image`` as ``dtype``, after checking that its values are what training images held.

    A model trained on uint8 pixels 0..255 answers confidently, and wrongly, for an image
    scaled to 0..1 or multiplied by 1000, so such an image is refused rather than guessed
    at. The conversion is made only when it loses nothing: every value a whole number
    inside ``value_range`` for an integer ``dtype``, or any finite value inside it for a
    float one.

    Args:
        image: the array read by :func:`read_image`.
        dtype: the dtype of the training images (e.g. ``"uint8"``).
        value_range: ``(low, high)``, the range of the training images' values.
        name: names the image in errors.

    Raises:
        ImageError: the array is not numeric, holds NaN/Inf, non-whole numbers for an integer
            dtype, or values outside ``value_range``.

    Example:
        >>> check_pixels(np.array([[0.0, 255.0]]), "uint8", (0, 255))
        array([[  0, 255]], dtype=uint8)
        >>> check_pixels(np.array([[0.0, 0.5]]), "uint8", (0, 255))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        glassnet.errors.ImageError: image: expected uint8 pixels, ... It looks scaled to 0..1: ...
    """
    dtype = np.dtype(dtype)
    low, high = value_range
    kind = f"{dtype} pixels, " + (f"whole numbers in {low:g}..{high:g}" if dtype.kind in "iu"
                                  else f"values in [{low:g}, {high:g}]")
    expected = f"{name}: expected {kind} like the training images, but got"
    if image.dtype.kind not in "biuf":
        raise ImageError(f"{expected} an array of dtype {image.dtype}. Save numeric pixels.")
    if image.size == 0:
        return image.astype(dtype)
    values = image.astype(np.float64)
    if not np.isfinite(values).all():
        raise ImageError(f"{expected} NaN or Inf values. Replace them (e.g. np.nan_to_num).")
    smallest, largest = values.min(), values.max()
    described = f"{image.dtype} values from {smallest:g} to {largest:g}"
    if dtype.kind in "iu" and not np.array_equal(values, np.round(values)):
        hint = _scale_hint(smallest, largest, high)
        raise ImageError(f"{expected} {described} that are not whole numbers.{hint}")
    if smallest < low or largest > high:
        raise ImageError(
            f"{expected} {described}, outside that range.{_scale_hint(smallest, largest, high)}"
        )
    return values.astype(dtype) if image.dtype != dtype else image


def _scale_hint(smallest: float, largest: float, high: float) -> str:
    if high == 255 and smallest >= 0 and largest <= 1:
        return (" It looks scaled to 0..1: multiply by 255 and round, "
                "(x * 255).round().astype(np.uint8).")
    return f" Convert it to the training images' range (0..{high:g}) the way they were made."


def _read_npy(data: bytes, name: str) -> np.ndarray:
    """An NPY file's array, without pickle; every failure an ImageError."""
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        shape, fortran_order, dtype = read_header(stream)
    except (ValueError, SyntaxError, EOFError) as error:
        raise ImageError(
            f"{name}: the NumPy array file has a corrupt header ({error}). Save it again with "
            "numpy.save."
        ) from None
    if dtype.hasobject:
        raise ImageError(
            f"{name}: the NumPy array file holds Python objects (dtype {dtype}), not pixels. "
            "glassnet never loads such files; save a numeric array (e.g. uint8) instead."
        )
    # NOTE: checked before reading, so a header declaring a huge shape allocates nothing.
    declared, present = math.prod(shape) * dtype.itemsize, len(data) - stream.tell()
    if declared != present:
        raise ImageError(
            f"{name}: the NumPy array file is truncated or corrupt: its header declares shape "
            f"{shape} of {dtype} ({declared:,} bytes), but {present:,} bytes of data follow. "
            "Save it again with numpy.save."
        )
    array = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=stream.tell())
    return array.reshape(shape, order="F" if fortran_order else "C").copy()


def _decode(data: bytes, name: str, channels: int, size) -> np.ndarray:
    """A PNG/JPEG file's bytes → uint8 (H, W) or (C, H, W), resized to ``size`` if given."""
    Image = require_extra("PIL.Image", "images", "reading PNG/JPEG files (or pass .npy)")
    UnidentifiedImageError = Image.UnidentifiedImageError
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageError(
                    f"{name}: the image is {width}×{height} pixels ({width * height:,}), more "
                    f"than the {MAX_PIXELS:,} glassnet decodes (a decompression bomb, or a "
                    "huge picture). Scale it down first."
                )
            array = _pixels(image, name, channels, size)
    except ImageError:
        raise
    except UnidentifiedImageError:
        raise ImageError(
            f"{name}: not an image: no image format Pillow knows starts with the bytes "
            f"{data[:8]!r}. Pass a PNG, JPEG or NPY file."
        ) from None
    except Image.DecompressionBombError as error:
        raise ImageError(
            f"{name}: the image has too many pixels to decode safely, a decompression bomb or "
            f"a huge picture (Pillow says: {error}). Scale it down first."
        ) from None
    except Exception as error:  # bad bytes fail in many ways inside Pillow
        raise ImageError(
            f"{name}: not a readable image: the file is truncated, corrupt or not an image "
            f"format Pillow knows ({type(error).__name__}: {error}). Pass a PNG, JPEG or NPY "
            "file."
        ) from None
    return array if channels == 1 else array.transpose(2, 0, 1)


def _pixels(image, name: str, channels: int, size) -> np.ndarray:
    from PIL import Image

    if image.mode in _SIXTEEN_BIT_MODES:  # 0..65535 → 0..255 (convert("L") would clip)
        grey = np.round(np.asarray(image, dtype=np.float64) / 257.0).astype(np.uint8)
        image = Image.fromarray(grey)
    elif image.mode in ("I", "F"):
        raise ImageError(
            f"{name}: expected 8-bit or 16-bit pixels, but the image has 32-bit {image.mode!r} "
            "pixels. Save it as an 8-bit PNG."
        )
    converted = image.convert("L" if channels == 1 else "RGB")
    if size is not None:
        height, width = size
        converted = converted.resize((width, height), Image.Resampling.LANCZOS)
    return np.asarray(converted)
