"""Helpers for the command-line tests: a tiny dataset on disk, and the check that a command
failed the way a user should see it."""

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np


def write_idx(path: Path, array: np.ndarray) -> None:
    header = struct.pack(">HBB", 0, 0x08, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    with gzip.open(path, "wb", compresslevel=1) as handle:
        handle.write(header + array.astype(np.uint8).tobytes())


def write_tiny_fashion_mnist(folder: Path, n_train: int = 200, n_test: int = 50) -> Path:
    """A learnable 10-class set of 28×28 images in the Fashion-MNIST file layout: class k
    lights up rows 2k and 2k+1."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for split, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, n)
        images = rng.integers(0, 60, (n, 28, 28))
        for i, label in enumerate(labels):
            images[i, 2 * label : 2 * label + 2, :] += 180
        write_idx(folder / f"{split}-images-idx3-ubyte.gz", images)
        write_idx(folder / f"{split}-labels-idx1-ubyte.gz", labels)
    return folder



def assert_refused(completed, code: int, *words: str) -> None:
    """Exit ``code``, no traceback anywhere, one ``glassnet <command>:`` line with ``words``."""
    output = completed.stdout + completed.stderr
    assert completed.returncode == code, output
    assert "Traceback" not in output, output
    assert completed.stderr.startswith("glassnet "), completed.stderr
    for word in words:
        assert word in completed.stderr, f"{word!r} not in {completed.stderr!r}"


def grey_png(pixels: np.ndarray) -> bytes:
    """An 8-bit greyscale PNG of ``pixels``, written with zlib (no Pillow needed)."""
    height, width = pixels.shape

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    rows = b"".join(b"\0" + bytes(row) for row in pixels.astype(np.uint8))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))
