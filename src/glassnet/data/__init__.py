"""Data in, as NumPy arrays: dataset readers, synthetic sets, preprocessing and loaders.

Usable on its own (it needs only NumPy, and tqdm for download progress)::

    from glassnet.data import DataLoader, Standardize, load_dataset, train_val_split

    X, y = load_dataset("fashion-mnist", split="train")      # uint8 (60000, 28, 28), int64
    (X_tr, y_tr), (X_val, y_val) = train_val_split(X, y, 0.1)
    scaler = Standardize(per="global").fit(X_tr)              # fitted on training data only
    loader = DataLoader((scaler.transform(X_tr), y_tr), batch_size=128, shuffle=True)
    for X_batch, y_batch in loader:                           # one epoch
        ...
"""

from glassnet.data import augment
from glassnet.data.augment import Augment, HorizontalFlip, RandomCrop, RandomErasing
from glassnet.data.datasets.cifar import find_cifar10, read_cifar_binary, read_cifar_python
from glassnet.data.datasets.idx import find_mnist, read_idx, read_idx_images, read_idx_labels
from glassnet.data.datasets.registry import (
    DATASETS,
    available_datasets,
    cache_dir,
    dataset_search_dirs,
    download_dataset,
    load_dataset,
)
from glassnet.data.datasets.safe_unpickle import NumpyOnlyUnpickler
from glassnet.data.datasets.synthetic import blobs, spiral, xor
from glassnet.data.download import download_url, md5sum
from glassnet.data.loader import DataLoader
from glassnet.data.preprocess import (
    PCA,
    CenterMean,
    Preprocessor,
    Standardize,
    Whiten,
    load_preprocessor,
)
from glassnet.data.split import kfold, train_val_split

__all__ = [
    "DATASETS",
    "PCA",
    "Augment",
    "CenterMean",
    "DataLoader",
    "HorizontalFlip",
    "NumpyOnlyUnpickler",
    "Preprocessor",
    "RandomCrop",
    "RandomErasing",
    "Standardize",
    "Whiten",
    "augment",
    "available_datasets",
    "blobs",
    "cache_dir",
    "dataset_search_dirs",
    "download_dataset",
    "download_url",
    "find_cifar10",
    "find_mnist",
    "kfold",
    "load_dataset",
    "load_preprocessor",
    "md5sum",
    "read_cifar_binary",
    "read_cifar_python",
    "read_idx",
    "read_idx_images",
    "read_idx_labels",
    "spiral",
    "train_val_split",
    "xor",
]
