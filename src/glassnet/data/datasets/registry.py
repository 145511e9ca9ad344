"""The named datasets, where glassnet looks for their files, and how it downloads them.

``load_dataset(name, split=...)`` looks for the files of ``name`` in these folders, in order,
and reads the first complete copy (:func:`dataset_search_dirs` lists them):

1. ``root`` and ``root/<name>``, when ``root`` is given;
2. ``$GLASSNET_DATA/<name>``, when that variable is set;
3. the user cache, ``$XDG_CACHE_HOME/glassnet/<name>`` (default ``~/.cache/glassnet/<name>``);
4. the Debian location ``/usr/share/datasets/<name>`` (``apt-get install
   dataset-fashion-mnist`` puts Fashion-MNIST there).

With ``fallback=False`` (what the CLI's ``--data-dir`` uses) a given ``root`` is the only place
searched: an explicit folder is read, or its lack of files is an error, never silently
replaced by a copy found elsewhere.

With ``download=True`` and no copy found, the official files are downloaded into
``root/<name>`` (or the user cache when no ``root`` is given), each verified against its
published MD5 and moved into place atomically. Files found on disk are not checksummed (the
Debian package recompresses the gzip files, so their MD5s differ from the published ones);
instead every reader validates structure and sizes, so a corrupt file is still an error.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from glassnet.data.datasets.cifar import BINARY_ARCHIVE, BINARY_FOLDER, PYTHON_FOLDER, find_cifar10
from glassnet.data.datasets.idx import MNIST_FILES, find_mnist
from glassnet.data.download import download_url, md5sum
from glassnet.errors import ConfigError, DatasetError, DatasetNotFoundError

SPLITS = ("train", "test")
SYSTEM_DATA_DIR = Path("/usr/share/datasets")


@dataclass(frozen=True)
class DatasetSpec:
    """What glassnet knows about one named dataset.

    Attributes:
        name: the name ``load_dataset`` takes.
        find: ``find(folder, split)`` returns a function reading the split, or None.
        expected: per split, a human description of the files to put in a folder.
        files: the files to download, as ``(file name, MD5)``.
        base_urls: official download locations, tried in order.
        apt_package: the Debian package that installs it, if any.
    """

    name: str
    find: Callable
    expected: dict
    files: tuple
    base_urls: tuple
    apt_package: str | None = None


def _mnist_expected() -> dict:
    return {split: " and ".join(names) for split, names in MNIST_FILES.items()}


DATASETS = {
    spec.name: spec
    for spec in (
        DatasetSpec(
            name="fashion-mnist",
            find=find_mnist,
            expected=_mnist_expected(),
            files=(
                ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
                ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
                ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
            ),
            base_urls=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
            apt_package="dataset-fashion-mnist",
        ),
        DatasetSpec(
            name="mnist",
            find=find_mnist,
            expected=_mnist_expected(),
            files=(
                ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
                ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
                ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
                ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
            ),
            # NOTE: the original host (yann.lecun.com/exdb/mnist) often refuses downloads; the
            # mirror PyTorch uses serves the identical files (same MD5s), so it goes first.
            base_urls=(
                "https://ossci-datasets.s3.amazonaws.com/mnist/",
                "http://yann.lecun.com/exdb/mnist/",
            ),
        ),
        DatasetSpec(
            name="cifar10",
            find=find_cifar10,
            expected={
                "train": f"{BINARY_FOLDER}/data_batch_1.bin … data_batch_5.bin, or "
                f"{PYTHON_FOLDER}/data_batch_1 … data_batch_5, or {BINARY_ARCHIVE}",
                "test": f"{BINARY_FOLDER}/test_batch.bin, or {PYTHON_FOLDER}/test_batch, "
                f"or {BINARY_ARCHIVE}",
            },
            # The binary version: its reader never unpickles anything.
            files=((BINARY_ARCHIVE, "c32a1d4ab5d03f1284b67883e8d87530"),),
            base_urls=("https://www.cs.toronto.edu/~kriz/",),
        ),
    )
}


def available_datasets() -> list[str]:
    """The names ``load_dataset`` accepts.

    Example:
        >>> available_datasets()
        ['cifar10', 'fashion-mnist', 'mnist']
    """
    return sorted(DATASETS)


def cache_dir() -> Path:
    """glassnet's user cache: ``$XDG_CACHE_HOME/glassnet``, by default ``~/.cache/glassnet``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "glassnet"


def dataset_search_dirs(name: str, root=None, *, fallback: bool = True) -> list[Path]:
    """The folders ``load_dataset(name, root=root, fallback=fallback)`` searches, in order
    (see the module doc)."""
    _spec(name)
    dirs = [Path(root), Path(root) / name] if root is not None else []
    if dirs and not fallback:
        return dirs
    # NOTE: only the <name> subfolder of GLASSNET_DATA: MNIST and Fashion-MNIST files share
    # their names, so a shared data folder must keep them apart.
    if os.environ.get("GLASSNET_DATA"):
        dirs.append(Path(os.environ["GLASSNET_DATA"]) / name)
    dirs += [cache_dir() / name, SYSTEM_DATA_DIR / name]
    return list(dict.fromkeys(dirs))


def load_dataset(
    name: str, *, split: str = "train", root=None, download: bool = False,
    fallback: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Load a split of a standard dataset from its official files, as NumPy arrays.

    Args:
        name: ``"fashion-mnist"``, ``"mnist"`` or ``"cifar10"``.
        split: ``"train"`` or ``"test"``.
        root: a folder to look in first (the files directly in it, or in ``root/<name>``);
            downloads go to ``root/<name>``.
        download: fetch the official files (MD5-verified) when no copy is found.
        fallback: when ``root`` is given and lacks the files, search the other places too
            (default). False makes ``root`` binding: its files, a download into it, or an error.

    Returns:
        ``(X, y)``: images as stored, uint8 — (N, 28, 28) for MNIST and Fashion-MNIST,
        **(N, 3, 32, 32) NCHW** for CIFAR-10 — and int64 labels (N,) in 0..9.

    Raises:
        ConfigError: unknown name or split.
        DatasetNotFoundError: no copy found and ``download=False``; the message lists the
            files and the folders searched (a ``FileNotFoundError`` too).
        DatasetError: a file is corrupt or truncated, or a download failed verification.

    Example (only where Fashion-MNIST is installed)::

        X, y = load_dataset("fashion-mnist", split="train")  # (60000, 28, 28), (60000,)
    """
    spec = _spec(name)
    if split not in SPLITS:
        raise ConfigError(
            f"load_dataset: expected split to be one of {list(SPLITS)}, but got {split!r}."
        )
    dirs = dataset_search_dirs(name, root, fallback=fallback)
    for folder in dirs:
        reader = spec.find(folder, split)
        if reader is not None:
            return reader()
    if not download:
        if root is not None and not fallback:
            raise DatasetNotFoundError(_not_in_root_message(spec, split, root))
        raise DatasetNotFoundError(_not_found_message(spec, split, dirs, root))
    folder = download_dataset(name, root)
    reader = spec.find(folder, split)
    if reader is None:  # the downloaded files do not contain the split: a spec bug
        raise DatasetError(f"{folder}: downloaded {name} but found no {split} split in it.")
    return reader()


def download_dataset(name: str, root=None, *, base_url: str | None = None, progress=True) -> Path:
    """Download the official files of ``name`` into ``root/<name>`` (default: the user cache).

    Files already there with the right MD5 are kept. Each file is verified against its
    published MD5 and renamed into place only then; nothing partial is ever left behind.

    Args:
        name: a dataset name (see :func:`available_datasets`).
        root: the parent folder; the files go to ``root/<name>``.
        base_url: fetch from here instead of the official locations (a mirror, or a local
            server in tests); the file names are appended to it.
        progress: show a progress bar on an interactive terminal.

    Returns:
        The folder holding the files.

    Raises:
        DatasetError: a file could not be fetched from any location, or its MD5 differs.
    """
    spec = _spec(name)
    folder = _download_folder(name, root)
    base_urls = (base_url,) if base_url is not None else spec.base_urls
    for filename, md5 in spec.files:
        target = folder / filename
        if target.is_file() and md5sum(target) == md5:
            continue
        _download_from_any(base_urls, filename, target, md5, progress=progress)
    return folder


def _download_from_any(base_urls, filename: str, target: Path, md5: str, *, progress) -> None:
    errors = []
    for base in base_urls:
        url = base.rstrip("/") + "/" + filename
        try:
            download_url(url, target, md5, progress=progress)
            return
        except DatasetError as error:
            errors.append(str(error))
    raise DatasetError(
        f"{filename}: expected to download it from {' or '.join(base_urls)}, but every attempt "
        f"failed: {' | '.join(errors)} Place the file in {target.parent} yourself."
    )


def _download_folder(name: str, root) -> Path:
    return (Path(root) if root is not None else cache_dir()) / name


def _spec(name: str) -> DatasetSpec:
    try:
        return DATASETS[name]
    except (KeyError, TypeError):
        raise ConfigError(
            f"load_dataset: expected a dataset name in {available_datasets()}, but got {name!r}."
        ) from None


def _not_found_message(spec: DatasetSpec, split: str, dirs: list[Path], root) -> str:
    where = "\n".join(f"  {folder}" for folder in dirs)
    ways = [
        "put the files in one of those folders (or pass root=... / --data-dir, or set "
        f"GLASSNET_DATA to a folder holding {spec.name}/)",
        f"call load_dataset({spec.name!r}, download=True) to fetch them from "
        f"{spec.base_urls[0]} into {_download_folder(spec.name, root)}",
    ]
    if spec.apt_package:
        ways.append(f"on Debian or Ubuntu: sudo apt-get install {spec.apt_package}")
    return (
        f"load_dataset({spec.name!r}, split={split!r}): expected {spec.expected[split]}, but "
        f"found them in none of these folders:\n{where}\nTo fix, " + "; or ".join(ways) + "."
    )


def _not_in_root_message(spec: DatasetSpec, split: str, root) -> str:
    return (
        f"load_dataset({spec.name!r}, split={split!r}): expected {spec.expected[split]} in "
        f"the folder given (root= / --data-dir), {root} or {Path(root) / spec.name}, but they "
        "are not there. A given folder is the only one searched: put the files there, add "
        "download=True (--download) to fetch them into it, or leave it out to use a copy "
        "glassnet finds elsewhere (glassnet datasets lists them)."
    )
