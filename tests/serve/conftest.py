"""A small trained run shared by the image-search tests, and a real `glassnet serve` on it.

The dataset is synthetic, in the MNIST file layout, and learnable: class k lights up rows
2k and 2k+1 of a noisy 28×28 image, so a few hundred images and one epoch give a model
whose features group the classes. No test here needs the real Fashion-MNIST.
"""

import io
import re
import struct
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import numpy as np
import pytest

from tests.browser import browser_page  # noqa: F401  (a fixture for test_server.py)
from tests.data.files import write_idx

N_TRAIN, N_TEST = 400, 60


def synthetic_split(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = (np.arange(n) % 10).astype(np.uint8)
    images = rng.integers(0, 60, (n, 28, 28))
    for i, label in enumerate(labels):
        images[i, 2 * label : 2 * label + 2, :] += 180
    return images.astype(np.uint8), labels


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory) -> Path:
    """The run folder of a one-epoch MLP (hidden 64, 32) on the synthetic set."""
    from glassnet.cli.main import main

    root = tmp_path_factory.mktemp("serve")
    data = root / "data"
    data.mkdir()
    for prefix, n, seed in (("train", N_TRAIN, 0), ("t10k", N_TEST, 1)):
        images, labels = synthetic_split(n, seed)
        write_idx(data / f"{prefix}-images-idx3-ubyte.gz", images)
        write_idx(data / f"{prefix}-labels-idx1-ubyte.gz", labels)
    code = main(["train", "--data-dir", str(data), "--model", "mlp", "--hidden", "64,32",
                 "--epochs", "2", "--lr", "0.01", "--batch-size", "32", "--out", str(root),
                 "--name", "run", "--no-progress"])
    assert code == 0
    return root / "run"


@pytest.fixture(scope="session")
def train_images() -> tuple[np.ndarray, np.ndarray]:
    return synthetic_split(N_TRAIN, 0)


def png_bytes(array: np.ndarray, file_format: str = "PNG") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=file_format)
    return buffer.getvalue()


class ServerProcess:
    """`glassnet serve` in a subprocess; its output is collected by a thread."""

    def __init__(self, *args: str):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "glassnet.cli.main", "serve", *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.lines: list[str] = []
        self._url_seen = threading.Event()
        self.url: str | None = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)
            found = re.search(r"open (http://\S+/)", line)
            if found and self.url is None:
                self.url = found.group(1).rstrip("/")
                self._url_seen.set()
        self._url_seen.set()  # the process ended

    def wait_for_url(self, timeout: float = 60) -> str:
        self._url_seen.wait(timeout)
        assert self.url is not None, f"glassnet serve did not start:\n{self.output}"
        return self.url

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            code = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._reader.join(timeout=5)
        return code

    @property
    def output(self) -> str:
        return "".join(self.lines)


@pytest.fixture(scope="session")
def server(trained_run):
    """A real `glassnet serve` on a free port, for the whole session."""
    process = ServerProcess(str(trained_run), "--port", "0")
    try:
        process.wait_for_url()
        yield process
    finally:
        process.stop()


def huge_png(width: int, height: int) -> bytes:
    """A valid grey PNG of width × height black pixels, built in milliseconds.

    Compressing 20000 × 20000 zeros with zlib takes seconds, so the IDAT stream is built from
    one compressed block of rows repeated: a full flush makes each block independent of the
    ones before it, a final empty block ends the stream, and the Adler-32 of n zero bytes is
    (n mod 65521) << 16 | 1. ``test_huge_png_is_a_valid_png`` decodes a small one.
    """
    most = max(1, 2**22 // (width + 1))  # rows in about 4 MB
    rows_per_block = max(d for d in range(1, min(most, height) + 1) if height % d == 0)
    block = bytes(width + 1) * rows_per_block  # each row: filter byte 0, then the pixels
    compressor = zlib.compressobj(1)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    following = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert first[2:] == following  # the same block, after the 2-byte zlib header
    n = (width + 1) * height
    stream = (first + following * (height // rows_per_block - 1) + b"\x03\x00"
              + struct.pack(">I", (n % 65521) << 16 | 1))
    return (b"\x89PNG\r\n\x1a\n"
            + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + _png_chunk(b"IDAT", stream) + _png_chunk(b"IEND", b""))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
