"""Downloads against a local HTTP server on 127.0.0.1: verified, atomic, nothing partial."""

import dataclasses
import hashlib

import numpy as np
import pytest

from glassnet.data import cache_dir, download_dataset, download_url, load_dataset, md5sum
from glassnet.data import download as download_module
from glassnet.data.datasets import registry
from glassnet.errors import ConfigError, DatasetError
from tests.data.files import write_mnist_split


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def test_download_url_fetches_the_file_and_verifies_it(http_server, tmp_path):
    served, base, _ = http_server
    body = bytes(range(256)) * 5000
    (served / "blob.bin").write_bytes(body)
    dest = download_url(base + "blob.bin", tmp_path / "out" / "blob.bin", _md5(body))
    assert dest.read_bytes() == body
    assert [p.name for p in dest.parent.iterdir()] == ["blob.bin"]  # no temporary file left


def test_checksum_mismatch_is_rejected_and_leaves_nothing(http_server, tmp_path):
    served, base, _ = http_server
    (served / "blob.bin").write_bytes(b"the wrong content")
    out = tmp_path / "out"
    with pytest.raises(DatasetError, match="expected MD5 0{32}, but the downloaded file has MD5"):
        download_url(base + "blob.bin", out / "blob.bin", "0" * 32)
    assert list(out.iterdir()) == []


def test_server_error_is_a_dataset_error_and_leaves_nothing(http_server, tmp_path):
    _, base, _ = http_server
    with pytest.raises(DatasetError, match="HTTP 404"):
        download_url(base + "absent.bin", tmp_path / "absent.bin", "0" * 32)
    assert list(tmp_path.iterdir()) == [tmp_path / "www"]


def test_body_shorter_than_announced_is_rejected_and_leaves_nothing(http_server, tmp_path):
    served, base, _ = http_server
    body = b"x" * 100_000
    (served / "blob.bin").write_bytes(body)
    out = tmp_path / "out"
    with pytest.raises(DatasetError, match="download failed|connection closed after"):
        download_url(base + "truncated/blob.bin", out / "blob.bin", _md5(body))
    assert list(out.iterdir()) == []


def test_interrupted_download_leaves_nothing(http_server, tmp_path, monkeypatch):
    served, base, _ = http_server
    (served / "blob.bin").write_bytes(b"x" * 1000)

    def interrupted(url, out, **kwargs):
        out.write(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(download_module, "_fetch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        download_url(base + "blob.bin", tmp_path / "out" / "blob.bin", _md5(b"x" * 1000))
    assert list((tmp_path / "out").iterdir()) == []


def test_download_url_refuses_non_http_urls(tmp_path):
    with pytest.raises(ConfigError, match="expected an http"):
        download_url("file:///etc/passwd", tmp_path / "x", "0" * 32)


def test_md5sum_matches_hashlib(tmp_path):
    data = np.random.default_rng(0).bytes(3 * 2**20 + 5)  # crosses the 1 MiB chunks
    (tmp_path / "f").write_bytes(data)
    assert md5sum(tmp_path / "f") == _md5(data)


@pytest.fixture
def served_fashion_mnist(http_server, monkeypatch):
    """Small valid Fashion-MNIST files on the local server, registered with their MD5s."""
    served, base, requests = http_server
    write_mnist_split(served, "train", 20, seed=1)
    write_mnist_split(served, "test", 10, seed=2)
    spec = registry.DATASETS["fashion-mnist"]
    files = tuple((name, md5sum(served / name)) for name, _ in spec.files)
    local = dataclasses.replace(spec, files=files, base_urls=(base,))
    monkeypatch.setitem(registry.DATASETS, "fashion-mnist", local)
    return served, base, requests


def test_load_dataset_downloads_into_the_cache_then_reads_it(served_fashion_mnist):
    served, _, requests = served_fashion_mnist
    X, y = load_dataset("fashion-mnist", split="test", download=True)
    assert X.shape == (10, 28, 28) and y.shape == (10,)
    folder = cache_dir() / "fashion-mnist"
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in served.iterdir())
    assert len(requests) == 4
    load_dataset("fashion-mnist", split="train", download=True)  # found now: no new request
    assert len(requests) == 4


def test_download_dataset_keeps_files_that_already_verify(served_fashion_mnist, tmp_path):
    _, _, requests = served_fashion_mnist
    folder = download_dataset("fashion-mnist", tmp_path / "data")
    assert folder == tmp_path / "data" / "fashion-mnist" and len(requests) == 4
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(b"damaged")
    download_dataset("fashion-mnist", tmp_path / "data")
    assert requests[4:] == ["/t10k-labels-idx1-ubyte.gz"]  # only the bad file is fetched again
    load_dataset("fashion-mnist", split="test", root=tmp_path / "data")


def test_checksum_mismatch_in_load_dataset_leaves_nothing_in_the_cache(served_fashion_mnist):
    served, _, _ = served_fashion_mnist
    (served / "train-labels-idx1-ubyte.gz").write_bytes(b"tampered")
    with pytest.raises(DatasetError, match="train-labels-idx1-ubyte.gz: expected to download"):
        load_dataset("fashion-mnist", download=True)
    folder = cache_dir() / "fashion-mnist"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["train-images-idx3-ubyte.gz"]  # the file before it; nothing partial


def test_download_dataset_with_base_url_uses_only_that_server(http_server, tmp_path):
    _, base, requests = http_server
    with pytest.raises(DatasetError, match="HTTP 404"):
        download_dataset("cifar10", tmp_path, base_url=base, progress=False)
    assert requests == ["/cifar-10-binary.tar.gz"]
