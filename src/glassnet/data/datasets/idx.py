"""Reader for IDX files, the format of MNIST and Fashion-MNIST, gzip-compressed or raw.

An IDX file is a 4-byte magic number ``0x00 0x00 <type> <ndim>``, then ``ndim`` big-endian
uint32 sizes, then the values in C order. MNIST-style files use type ``0x08`` (unsigned
byte): images have ndim 3 (N, rows, cols), labels ndim 1 (N,).

Everything is checked before it is trusted: the magic number, the type byte, the number of
dimensions, a declared size that the file cannot possibly hold (so a corrupt header never
triggers a giant allocation), and the exact payload length (a short or over-long file is an
error, never a silently short or mis-shaped dataset). Every failure, including the ones the
gzip module raises in its own words (``EOFError``, ``zlib.error``, ``BadGzipFile``), becomes a
:class:`~glassnet.errors.DatasetError` naming the file.

Example:
    >>> import gzip, pathlib, tempfile
    >>> import numpy as np
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "labels-idx1-ubyte.gz"
    >>> header = bytes([0, 0, 0x08, 1]) + (3).to_bytes(4, "big")
    >>> _ = path.write_bytes(gzip.compress(header + bytes([7, 0, 9])))
    >>> read_idx(path)
    array([7, 0, 9], dtype=uint8)
"""

import gzip
import math
import os
import zlib
from pathlib import Path

import numpy as np

from glassnet.errors import DatasetError

UNSIGNED_BYTE = 0x08

# NOTE: deflate cannot compress better than about 1032:1, so a gzip file of M bytes never
# holds more than ~1032*M bytes; a header declaring more is corrupt. We allow 1100:1.
MAX_GZIP_RATIO = 1100

# The file names MNIST and Fashion-MNIST share, per split: (images, labels).
MNIST_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
MNIST_IMAGE_SIZE = (28, 28)
MNIST_CLASSES = 10


def read_idx(path, *, ndim: int | None = None) -> np.ndarray:
    """Read an unsigned-byte IDX file (``.gz`` is decompressed) into a uint8 array.

    Args:
        path: the file; a name ending in ``.gz`` must be gzip-compressed, any other name is
            read as raw IDX.
        ndim: the number of dimensions the file must declare (3 for images, 1 for labels),
            or None to accept any.

    Returns:
        A writable uint8 array with the shape the header declares.

    Raises:
        DatasetError: the file cannot be read, is not gzip although named ``.gz``, has a bad
            magic number, type byte or ndim, declares a size it cannot hold, or is truncated
            or longer than its header says. The message names the file.
    """
    path = Path(path)
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rb") as stream:
                return _read_idx_stream(stream, path, ndim, _gzip_size_limit(path))
        with open(path, "rb") as stream:
            return _read_idx_stream(stream, path, ndim, os.fstat(stream.fileno()).st_size)
    except EOFError as error:
        raise DatasetError(
            f"{path}: the gzip stream is truncated ({error}). The file is incomplete; "
            "delete it and download it again."
        ) from error
    except (gzip.BadGzipFile, zlib.error) as error:
        raise DatasetError(
            f"{path}: expected a valid gzip file, but decompression failed ({error}). The file "
            "is corrupt or not gzip-compressed; delete it and download it again."
        ) from error
    except OSError as error:
        raise DatasetError(f"{path}: could not read the file ({error}).") from error


def read_idx_images(path) -> np.ndarray:
    """Read an IDX image file: uint8 array of shape (N, rows, cols)."""
    return read_idx(path, ndim=3)


def read_idx_labels(path) -> np.ndarray:
    """Read an IDX label file: uint8 array of shape (N,)."""
    return read_idx(path, ndim=1)


def _read_idx_stream(stream, path: Path, ndim: int | None, size_limit: int) -> np.ndarray:
    shape = _read_header(stream, path, ndim)
    header_bytes = 4 + 4 * len(shape)
    n_values = math.prod(shape)  # exact: a corrupt header must not overflow it
    if header_bytes + n_values > size_limit:
        raise DatasetError(
            f"{path}: the header declares shape {shape} ({n_values} bytes of data), more than "
            f"a file of {path.stat().st_size} bytes can hold: the file is truncated or its "
            "header is corrupt. Delete it and download it again."
        )
    # Read one byte more than declared: getting it means trailing garbage.
    payload = stream.read(n_values + 1)
    if len(payload) < n_values:
        raise DatasetError(
            f"{path}: the file is truncated: its header declares shape {shape} "
            f"({n_values} data bytes) but only {len(payload)} follow. Delete it and download "
            "it again."
        )
    if len(payload) > n_values:
        raise DatasetError(
            f"{path}: expected exactly {n_values} data bytes for shape {shape}, but the file "
            "has trailing bytes after them. The header or the file is corrupt; delete it and "
            "download it again."
        )
    return np.frombuffer(payload, dtype=np.uint8).reshape(shape).copy()


def _read_header(stream, path: Path, ndim: int | None) -> tuple[int, ...]:
    magic = stream.read(4)
    if len(magic) < 4:
        raise DatasetError(
            f"{path}: the file is truncated: an IDX file starts with a 4-byte magic number, "
            f"but the file holds only {len(magic)} byte(s). Delete it and download it again."
        )
    if magic[0] != 0 or magic[1] != 0:
        raise DatasetError(
            f"{path}: expected an IDX file starting with bytes 00 00, but got {magic.hex(' ')!r}. "
            "This is not an IDX file (or it is compressed but not named .gz)."
        )
    if magic[2] != UNSIGNED_BYTE:
        raise DatasetError(
            f"{path}: expected IDX data type 0x08 (unsigned byte), but got 0x{magic[2]:02x}. "
            "Only unsigned-byte IDX files (MNIST, Fashion-MNIST) are supported."
        )
    if ndim is not None and magic[3] != ndim:
        raise DatasetError(
            f"{path}: expected an IDX file with {ndim} dimension(s), but the header declares "
            f"{magic[3]}. Check that image and label files are not swapped."
        )
    sizes = stream.read(4 * magic[3])
    if len(sizes) < 4 * magic[3]:
        raise DatasetError(f"{path}: the IDX header is truncated. Download the file again.")
    return tuple(int.from_bytes(sizes[i : i + 4], "big") for i in range(0, len(sizes), 4))


def _gzip_size_limit(path: Path) -> int:
    return MAX_GZIP_RATIO * path.stat().st_size


def find_mnist(folder, split: str):
    """Locate an MNIST-style split in ``folder``; return a function that reads it, or None.

    Each file may be gzip-compressed (``train-images-idx3-ubyte.gz``) or raw (the same name
    without ``.gz``); the compressed one is preferred.

    Example:
        >>> import tempfile
        >>> find_mnist(tempfile.mkdtemp(), "train") is None
        True
    """
    folder = Path(folder)
    paths = []
    for name in MNIST_FILES[split]:
        candidates = [folder / name, folder / name.removesuffix(".gz")]
        found = [path for path in candidates if path.is_file()]
        if not found:
            return None
        paths.append(found[0])
    return lambda: read_mnist_split(*paths)


def read_mnist_split(images_path, labels_path) -> tuple[np.ndarray, np.ndarray]:
    """Read an MNIST-style image file and label file and cross-check them.

    Returns:
        ``(X, y)``: uint8 images (N, 28, 28) and int64 labels (N,) in 0..9.

    Raises:
        DatasetError: either file is invalid (see :func:`read_idx`), the images are not 28×28,
            the counts differ, or a label is outside 0..9.
    """
    images, labels = read_idx_images(images_path), read_idx_labels(labels_path)
    if images.shape[1:] != MNIST_IMAGE_SIZE:
        raise DatasetError(
            f"{images_path}: expected 28×28 images, but the file holds {images.shape[1:]} "
            "images. This is not an MNIST-style image file."
        )
    if len(images) != len(labels):
        raise DatasetError(
            f"{labels_path}: expected one label per image of {images_path} ({len(images)}), "
            f"but got {len(labels)} labels. The two files do not belong together."
        )
    if labels.size and labels.max() >= MNIST_CLASSES:
        raise DatasetError(
            f"{labels_path}: expected labels in 0..{MNIST_CLASSES - 1}, but got a maximum of "
            f"{labels.max()}. The file is corrupt."
        )
    return images, labels.astype(np.int64)
