"""Builders for tiny, valid dataset files (IDX, CIFAR-10 binary/python, archives) in tmp dirs.

The CIFAR python batch is written opcode by opcode the way Python 2's cPickle and NumPy 1.x
wrote the real files (byte strings as BINSTRING, arrays through
``numpy.core.multiarray._reconstruct``), so the reader is tested on the real format rather
than on what today's pickle would write.
"""

import gzip
import io
import struct
import tarfile
from pathlib import Path

import numpy as np


def idx_bytes(array: np.ndarray, *, type_byte: int = 0x08) -> bytes:
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, type_byte, array.ndim])
    header += b"".join(size.to_bytes(4, "big") for size in array.shape)
    return header + array.tobytes()


def write_idx(path: Path, array: np.ndarray, **kwargs) -> Path:
    raw = idx_bytes(array, **kwargs)
    path.write_bytes(gzip.compress(raw, mtime=0) if path.name.endswith(".gz") else raw)
    return path


def mnist_like(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    return images, labels


def write_mnist_split(folder: Path, split: str, n: int, *, seed: int = 0, gz: bool = True):
    """Write a valid MNIST-style split; return (images, labels) as written."""
    folder.mkdir(parents=True, exist_ok=True)
    prefix = "train" if split == "train" else "t10k"
    suffix = ".gz" if gz else ""
    images, labels = mnist_like(n, seed)
    write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}", images)
    write_idx(folder / f"{prefix}-labels-idx1-ubyte{suffix}", labels)
    return images, labels


def cifar_like(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Images (n, 3072) in CIFAR's channel-major order, and labels 0..9."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, 3072), dtype=np.uint8), (np.arange(n) + seed) % 10


def cifar_binary_bytes(images: np.ndarray, labels) -> bytes:
    records = np.column_stack([np.asarray(labels, dtype=np.uint8), images])
    return records.astype(np.uint8).tobytes()


def _py2_str(text: bytes) -> bytes:
    if len(text) < 256:
        return b"U" + bytes([len(text)]) + text  # SHORT_BINSTRING
    return b"T" + struct.pack("<i", len(text)) + text  # BINSTRING


def _py2_uint8_matrix(array: np.ndarray) -> bytes:
    rows, cols = array.shape
    return (
        b"cnumpy.core.multiarray\n_reconstruct\n"
        + b"cnumpy\nndarray\n"
        + b"K\x00\x85"  # (0,)
        + _py2_str(b"b")
        + b"\x87R"  # _reconstruct(ndarray, (0,), 'b')
        + b"(K\x01"  # state: (1, shape, dtype, is_fortran, rawdata)
        + b"J" + struct.pack("<i", rows) + b"J" + struct.pack("<i", cols) + b"\x86"
        + b"cnumpy\ndtype\n" + _py2_str(b"u1") + b"\x89\x88\x87R"  # dtype('u1', False, True)
        + b"(K\x03" + _py2_str(b"|") + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"
        + b"\x89" + _py2_str(array.tobytes())
        + b"tb"
    )


def cifar_python_bytes(images: np.ndarray, labels) -> bytes:
    """A CIFAR-10 python batch as Python 2 pickled it (protocol 2, byte-string keys)."""
    labels_list = b"](" + b"".join(b"K" + bytes([int(v)]) for v in labels) + b"e"
    filenames = b"](" + b"".join(_py2_str(b"img_%d.png" % i) for i in range(len(labels))) + b"e"
    return (
        b"\x80\x02}("
        + _py2_str(b"batch_label") + _py2_str(b"testing batch 1 of 1")
        + _py2_str(b"labels") + labels_list
        + _py2_str(b"data") + _py2_uint8_matrix(images)
        + _py2_str(b"filenames") + filenames
        + b"u."
    )


def cifar_batches(split: str) -> list[str]:
    return [f"data_batch_{i}" for i in range(1, 6)] if split == "train" else ["test_batch"]


def write_cifar_folder(folder: Path, kind: str, n_per_batch: int = 3):
    """Write all six batches as ``kind`` ("bin" or "py"); return {split: (X_nchw, y)}."""
    subdir = folder / ("cifar-10-batches-bin" if kind == "bin" else "cifar-10-batches-py")
    subdir.mkdir(parents=True, exist_ok=True)
    expected = {}
    for split in ("train", "test"):
        parts = []
        for seed, name in enumerate(cifar_batches(split), start=1 if split == "train" else 9):
            images, labels = cifar_like(n_per_batch, seed)
            if kind == "bin":
                (subdir / f"{name}.bin").write_bytes(cifar_binary_bytes(images, labels))
            else:
                (subdir / name).write_bytes(cifar_python_bytes(images, labels))
            parts.append((images.reshape(-1, 3, 32, 32), labels))
        expected[split] = tuple(np.concatenate(arrays) for arrays in zip(*parts))
    return expected


def write_tar_gz(archive: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return archive
