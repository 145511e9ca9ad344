"""Readers for CIFAR-10 batches: the binary version and the python (pickle) version.

Both return images as stored, **NCHW**: uint8 of shape (N, 3, 32, 32) — the layout of
glassnet's (and PyTorch's) convolutions, so no transpose is needed — and int64 labels in
[0, 10). Use ``X.transpose(0, 2, 3, 1)`` for (N, 32, 32, 3) images to plot.

- Binary (``data_batch_1.bin`` …, ``test_batch.bin``): records of 1 label byte followed by
  3072 pixel bytes (1024 red, 1024 green, 1024 blue, each row-major 32×32).
- Python (``data_batch_1`` …, ``test_batch``): a pickled dict with ``data`` (uint8 array
  (N, 3072), same pixel order) and ``labels`` (list of N ints). It is read with
  :class:`~glassnet.data.datasets.safe_unpickle.NumpyOnlyUnpickler`, which refuses any object
  other than NumPy arrays, so a malicious file cannot run code; its content is then checked
  against that schema.

:func:`find_cifar10` locates a split in a folder: the extracted ``cifar-10-batches-bin/`` or
``cifar-10-batches-py/`` folders (or their files directly in the folder), else the official
archives ``cifar-10-binary.tar.gz`` / ``cifar-10-python.tar.gz``, which are read in place
(streamed, nothing extracted to disk).

Example:
    >>> import pathlib, tempfile
    >>> import numpy as np
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "test_batch.bin"
    >>> record = bytes([3]) + bytes(range(256)) * 12  # label 3, then 3072 pixels
    >>> _ = path.write_bytes(record * 2)
    >>> X, y = read_cifar_binary(path)
    >>> X.shape, X.dtype, y.tolist()
    ((2, 3, 32, 32), dtype('uint8'), [3, 3])
"""

import io
import os
import tarfile
import zlib
from pathlib import Path

import numpy as np

from glassnet.data.datasets.safe_unpickle import (
    ArrayTooLargeError,
    NumpyOnlyUnpickler,
    RefusedGlobalError,
)
from glassnet.errors import DatasetError

IMAGE_SHAPE = (3, 32, 32)
IMAGE_BYTES = 3 * 32 * 32
N_CLASSES = 10
# A CIFAR-10 batch is about 31 MB; anything far larger is not one (and is not read into memory).
MAX_BATCH_BYTES = 256 * 2**20

BINARY_FOLDER, PYTHON_FOLDER = "cifar-10-batches-bin", "cifar-10-batches-py"
BINARY_ARCHIVE, PYTHON_ARCHIVE = "cifar-10-binary.tar.gz", "cifar-10-python.tar.gz"
BATCH_NAMES = {
    "train": tuple(f"data_batch_{i}" for i in range(1, 6)),
    "test": ("test_batch",),
}


def read_cifar_binary(path) -> tuple[np.ndarray, np.ndarray]:
    """Read one CIFAR-10 binary batch.

    Returns:
        ``(X, y)``: uint8 images (N, 3, 32, 32) and int64 labels (N,).

    Raises:
        DatasetError: the file cannot be read, is empty, its size is not a whole number of
            3073-byte records (truncated), or a label is outside 0–9.
    """
    path = Path(path)
    return parse_cifar_binary(_read_bytes(path), path)


def parse_cifar_binary(raw: bytes, source) -> tuple[np.ndarray, np.ndarray]:
    """Parse the bytes of a CIFAR-10 binary batch; ``source`` names it in errors."""
    record = 1 + IMAGE_BYTES
    if len(raw) == 0 or len(raw) % record:
        raise DatasetError(
            f"{source}: expected a whole number of {record}-byte CIFAR-10 records, but the file "
            f"has {len(raw)} bytes. It is truncated or not a CIFAR-10 binary batch; delete it "
            "and download it again."
        )
    records = np.frombuffer(raw, dtype=np.uint8).reshape(-1, record)
    labels = records[:, 0].astype(np.int64)
    _check_labels(labels, source)
    return records[:, 1:].reshape(-1, *IMAGE_SHAPE).copy(), labels


def read_cifar_python(path) -> tuple[np.ndarray, np.ndarray]:
    """Read one CIFAR-10 python batch through the restricted unpickler.

    Returns:
        ``(X, y)``: uint8 images (N, 3, 32, 32) and int64 labels (N,).

    Raises:
        DatasetError: the file cannot be read or unpickled, names any global other than NumPy's
            array reconstruction (a payload that would run code is refused before it runs), or
            is not a dict holding ``data`` (uint8, (N, 3072)) and ``labels`` (N ints in 0–9).
    """
    path = Path(path)
    return parse_cifar_python(_read_bytes(path), path)


def parse_cifar_python(raw: bytes, source) -> tuple[np.ndarray, np.ndarray]:
    """Unpickle (restricted) and check the bytes of a CIFAR-10 python batch."""
    try:
        batch = NumpyOnlyUnpickler(io.BytesIO(raw), encoding="latin1",
                                   max_bytes=MAX_BATCH_BYTES).load()
    except ArrayTooLargeError as error:
        raise DatasetError(
            f"{source}: not a CIFAR-10 python batch: {error} (a batch needs about 31 MB). "
            "The file is corrupt or crafted; nothing was allocated."
        ) from error
    except RefusedGlobalError as error:
        raise DatasetError(
            f"{source}: not a CIFAR-10 python batch: {error}. The file may be malicious; "
            "nothing in it was run."
        ) from error
    except Exception as error:  # a corrupt pickle fails in many ways (EOF, bad opcode, ...)
        raise DatasetError(
            f"{source}: the pickle is corrupt or truncated ({type(error).__name__}: {error}). "
            "Delete it and download it again."
        ) from error
    return _check_python_batch(batch, source)


def find_cifar10(folder, split: str):
    """Locate a CIFAR-10 split in ``folder``; return a function that reads it, or None.

    Looks, in this order, for the binary batches (in ``cifar-10-batches-bin/`` or directly in
    ``folder``), the python batches (in ``cifar-10-batches-py/`` or directly in ``folder``),
    then the official binary and python archives, read without extracting them.

    Example:
        >>> import tempfile
        >>> find_cifar10(tempfile.mkdtemp(), "train") is None
        True
    """
    folder = Path(folder)
    names = BATCH_NAMES[split]
    layouts = [
        (folder / BINARY_FOLDER, ".bin", read_cifar_binary),
        (folder, ".bin", read_cifar_binary),
        (folder / PYTHON_FOLDER, "", read_cifar_python),
        (folder, "", read_cifar_python),
    ]
    for batch_folder, suffix, reader in layouts:
        paths = [batch_folder / (name + suffix) for name in names]
        if all(path.is_file() for path in paths):
            return lambda paths=paths, reader=reader: _concatenate([reader(p) for p in paths])
    for archive in (folder / BINARY_ARCHIVE, folder / PYTHON_ARCHIVE):
        if archive.is_file():
            return lambda archive=archive: read_cifar10_archive(archive, split)
    return None


def read_cifar10_archive(archive, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Read a split straight from ``cifar-10-binary.tar.gz`` or ``cifar-10-python.tar.gz``.

    Only the expected members are read (streamed in one pass; nothing is extracted, so member
    paths in the archive never matter).

    Raises:
        DatasetError: the archive is corrupt or truncated, or lacks one of the batches.
    """
    archive = Path(archive)
    binary = archive.name == BINARY_ARCHIVE
    folder, suffix = (BINARY_FOLDER, ".bin") if binary else (PYTHON_FOLDER, "")
    parse = parse_cifar_binary if binary else parse_cifar_python
    wanted = [f"{folder}/{name}{suffix}" for name in BATCH_NAMES[split]]
    parts = {}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if member.name in wanted and member.isfile():
                    if member.size > MAX_BATCH_BYTES:
                        raise DatasetError(f"{archive}: member {member.name} is too large.")
                    raw = tar.extractfile(member).read()
                    parts[member.name] = parse(raw, f"{archive}:{member.name}")
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise DatasetError(
            f"{archive}: the archive is corrupt or truncated ({error}). Delete it and download "
            "it again."
        ) from error
    missing = [name for name in wanted if name not in parts]
    if missing:
        raise DatasetError(
            f"{archive}: expected the members {', '.join(wanted)}, but {', '.join(missing)} "
            "are missing. This is not the official CIFAR-10 archive."
        )
    return _concatenate([parts[name] for name in wanted])


def _concatenate(parts) -> tuple[np.ndarray, np.ndarray]:
    if len(parts) == 1:
        return parts[0]
    return np.concatenate([X for X, _ in parts]), np.concatenate([y for _, y in parts])


def _check_python_batch(batch, source) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(batch, dict):
        raise DatasetError(
            f"{source}: expected a pickled dict with 'data' and 'labels', but got "
            f"{type(batch).__name__}. This is not a CIFAR-10 python batch."
        )
    # Python 2 wrote the keys as byte strings; read with latin1 or as bytes, accept both.
    batch = {key.decode("latin1") if isinstance(key, bytes) else key: v for key, v in batch.items()}
    data, labels = batch.get("data"), batch.get("labels")
    if not (isinstance(data, np.ndarray) and data.dtype == np.uint8 and data.ndim == 2):
        raise DatasetError(
            f"{source}: expected 'data' to be a uint8 array of shape (N, {IMAGE_BYTES}), but got "
            f"{_describe(data)}. This is not a CIFAR-10 python batch."
        )
    if data.shape[1] != IMAGE_BYTES:
        raise DatasetError(
            f"{source}: expected 'data' of shape (N, {IMAGE_BYTES}), but got {data.shape}."
        )
    if not (isinstance(labels, list) and all(type(v) is int for v in labels)):
        raise DatasetError(
            f"{source}: expected 'labels' to be a list of ints, but got {_describe(labels)}."
        )
    if len(labels) != len(data):
        raise DatasetError(
            f"{source}: expected one label per image, but got {len(labels)} labels for "
            f"{len(data)} images. The batch is corrupt."
        )
    y = np.array(labels, dtype=np.int64)
    _check_labels(y, source)
    return data.reshape(-1, *IMAGE_SHAPE).copy(), y


def _check_labels(labels: np.ndarray, source) -> None:
    if labels.size and (labels.min() < 0 or labels.max() >= N_CLASSES):
        raise DatasetError(
            f"{source}: expected labels in 0..{N_CLASSES - 1}, but got values from "
            f"{labels.min()} to {labels.max()}. The batch is corrupt."
        )


def _read_bytes(path: Path) -> bytes:
    try:
        with open(path, "rb") as stream:
            if os.fstat(stream.fileno()).st_size > MAX_BATCH_BYTES:
                raise DatasetError(
                    f"{path}: expected a CIFAR-10 batch of about 31 MB, but the file is larger "
                    f"than {MAX_BATCH_BYTES // 2**20} MB. This is not a CIFAR-10 batch."
                )
            return stream.read()
    except OSError as error:
        raise DatasetError(f"{path}: could not read the file ({error}).") from error


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    return "nothing" if value is None else type(value).__name__
