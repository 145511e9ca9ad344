"""A small, noisy image dataset in the Fashion-MNIST file layout, hard enough that variants
differ (a few hundred examples: runs take a fraction of a second)."""

from pathlib import Path

import numpy as np

from tests.data.files import write_idx


def write_noisy_dataset(folder: Path, *, n_train: int = 240, n_test: int = 80,
                        classes: int = 4) -> Path:
    """Class k brightens rows 4k and 4k+1 a little over strong noise; returns ``folder``."""
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", n_train), ("t10k", n_test)):
        labels = (np.arange(n) % classes).astype(np.uint8)
        images = rng.integers(0, 200, (n, 28, 28)).astype(np.int64)
        for i, label in enumerate(labels):
            images[i, 4 * label : 4 * label + 2, :] += 12
        write_idx(folder / f"{split}-images-idx3-ubyte.gz", np.clip(images, 0, 255))
        write_idx(folder / f"{split}-labels-idx1-ubyte.gz", labels)
    return folder
