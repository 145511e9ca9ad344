"""load_dataset: where it looks, in which order, what it says when nothing is there."""

from pathlib import Path

import numpy as np
import pytest

from glassnet.data import available_datasets, cache_dir, dataset_search_dirs, load_dataset
from glassnet.data.datasets import registry
from glassnet.errors import ConfigError, DatasetError, DatasetNotFoundError
from tests.ci import real_fashion_mnist
from tests.data.files import write_cifar_folder, write_idx, write_mnist_split


def test_load_dataset_reads_files_from_root(tmp_path):
    images, labels = write_mnist_split(tmp_path / "d", "test", 12)
    X, y = load_dataset("fashion-mnist", split="test", root=tmp_path / "d")
    assert X.dtype == np.uint8 and X.shape == (12, 28, 28) and y.dtype == np.int64
    np.testing.assert_array_equal(X, images)
    np.testing.assert_array_equal(y, labels)


def test_load_dataset_finds_files_in_root_slash_name_and_uncompressed(tmp_path):
    images, _ = write_mnist_split(tmp_path / "mnist", "train", 4, gz=False)
    X, _ = load_dataset("mnist", root=tmp_path)
    np.testing.assert_array_equal(X, images)


def test_search_order_is_root_then_env_then_cache_then_system(tmp_path, monkeypatch):
    env = tmp_path / "env"
    monkeypatch.setenv("GLASSNET_DATA", str(env))
    folders = {
        "root": tmp_path / "root",
        "env": env / "fashion-mnist",
        "cache": cache_dir() / "fashion-mnist",
        "system": registry.SYSTEM_DATA_DIR / "fashion-mnist",
    }
    assert dataset_search_dirs("fashion-mnist", folders["root"]) == [
        folders["root"],
        folders["root"] / "fashion-mnist",
        folders["env"],
        folders["cache"],
        folders["system"],
    ]
    # One copy per place, told apart by the number of examples; remove them best first.
    for n, folder in enumerate(folders.values(), start=1):
        write_mnist_split(folder, "train", n)
    for n, folder in enumerate(folders.values(), start=1):
        X, _ = load_dataset("fashion-mnist", root=folders["root"])
        assert len(X) == n, f"expected the copy in {folder}"
        for path in folder.iterdir():
            path.unlink()


def test_cache_dir_follows_xdg_cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c" / "glassnet"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_dir() == Path.home() / ".cache" / "glassnet"


def test_folder_with_only_some_files_is_skipped(tmp_path):
    write_mnist_split(tmp_path / "a", "train", 3)
    (tmp_path / "a" / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DatasetNotFoundError):
        load_dataset("mnist", root=tmp_path / "a")


def test_missing_dataset_message_lists_files_folders_and_fixes(tmp_path):
    # C9: offline, nothing anywhere.
    with pytest.raises(DatasetNotFoundError) as info:
        load_dataset("fashion-mnist", split="train", root=tmp_path / "mine")
    message = str(info.value)
    assert "train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz" in message
    for folder in dataset_search_dirs("fashion-mnist", tmp_path / "mine"):
        assert str(folder) in message
    assert "sudo apt-get install dataset-fashion-mnist" in message
    assert "download=True" in message and "GLASSNET_DATA" in message and "--data-dir" in message
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, DatasetError)


def test_missing_cifar10_message_names_its_files_and_has_no_apt_hint():
    with pytest.raises(DatasetNotFoundError, match="cifar-10-batches-bin/test_batch.bin") as info:
        load_dataset("cifar10", split="test")
    assert "apt-get" not in str(info.value)


def test_unknown_name_or_split_is_a_config_error_listing_the_valid_ones():
    valid = r"\['cifar10', 'fashion-mnist', 'mnist'\], but got 'fmnist'"
    with pytest.raises(ConfigError, match=valid):
        load_dataset("fmnist")
    with pytest.raises(ConfigError, match=r"\['train', 'test'\], but got 'val'"):
        load_dataset("mnist", split="val")
    assert available_datasets() == ["cifar10", "fashion-mnist", "mnist"]


def test_corrupt_file_in_the_first_folder_is_an_error_not_a_fallback(tmp_path, monkeypatch):
    # A corrupt copy must be reported, not silently replaced by another copy further down.
    write_mnist_split(tmp_path / "good" / "mnist", "train", 3)
    write_mnist_split(tmp_path / "bad", "train", 3)
    write_idx(tmp_path / "bad" / "train-labels-idx1-ubyte.gz", np.arange(4))  # 4 labels, 3 images
    monkeypatch.setenv("GLASSNET_DATA", str(tmp_path / "good"))
    with pytest.raises(DatasetError, match="expected one label per image"):
        load_dataset("mnist", root=tmp_path / "bad")


@pytest.mark.parametrize("kind", ["bin", "py"])
def test_load_dataset_reads_cifar10_as_nchw(tmp_path, kind):
    expected = write_cifar_folder(tmp_path / "cifar10", kind)
    X, y = load_dataset("cifar10", split="train", root=tmp_path)
    assert X.shape == (15, 3, 32, 32) and X.dtype == np.uint8 and y.dtype == np.int64
    np.testing.assert_array_equal(X, expected["train"][0])
    np.testing.assert_array_equal(y, expected["train"][1])


def test_real_fashion_mnist_has_60000_train_and_10000_test_images_balanced():
    root = real_fashion_mnist()
    X, y = load_dataset("fashion-mnist", split="train", root=root)
    X_test, y_test = load_dataset("fashion-mnist", split="test", root=root)
    assert X.shape == (60000, 28, 28) and X_test.shape == (10000, 28, 28)
    assert X.dtype == np.uint8 and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y, minlength=10), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(y_test, minlength=10), [1000] * 10)
    assert X.max() == 255 and X.min() == 0


def test_glassnet_data_is_searched_only_in_the_dataset_subfolder(tmp_path, monkeypatch):
    # MNIST and Fashion-MNIST share file names: files lying loose in the shared data folder
    # must not be taken for either.
    monkeypatch.setenv("GLASSNET_DATA", str(tmp_path))
    write_mnist_split(tmp_path, "train", 3)
    with pytest.raises(DatasetNotFoundError):
        load_dataset("mnist")
    write_mnist_split(tmp_path / "mnist", "train", 5)
    assert len(load_dataset("mnist")[0]) == 5


def test_a_binding_root_is_the_only_folder_searched(tmp_path, monkeypatch):
    # The CLI's --data-dir: a copy elsewhere must not silently stand in for the given folder.
    write_mnist_split(tmp_path / "env" / "mnist", "train", 3)
    monkeypatch.setenv("GLASSNET_DATA", str(tmp_path / "env"))
    assert len(load_dataset("mnist", root=tmp_path / "mine")[0]) == 3  # the default falls back
    with pytest.raises(DatasetNotFoundError, match="the only one searched") as info:
        load_dataset("mnist", root=tmp_path / "mine", fallback=False)
    assert str(tmp_path / "mine") in str(info.value) and str(tmp_path / "env") not in str(
        info.value)
    assert dataset_search_dirs("mnist", tmp_path / "mine", fallback=False) == [
        tmp_path / "mine", tmp_path / "mine" / "mnist"]
    write_mnist_split(tmp_path / "mine", "train", 4)
    assert len(load_dataset("mnist", root=tmp_path / "mine", fallback=False)[0]) == 4
