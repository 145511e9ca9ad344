"""Data augmentation: new training images from old ones, different in every epoch.

The transforms of the CS231n lecture, each vectorized over a batch of images (N, C, H, W):

- ``RandomCrop(padding)``: pad each image by ``padding`` pixels, then cut a window of the
  original size at a random offset (shifts of up to ±padding pixels);
- ``HorizontalFlip(p)``: mirror each image left-right with probability ``p``;
- ``RandomErasing(p, scale, ratio)``: with probability ``p``, blank a random rectangle
  covering a ``scale`` share of the image with aspect ratio in ``ratio`` (Zhong et al.,
  "Random Erasing Data Augmentation", AAAI 2020).

``Augment(*transforms, seed=...)`` applies them in order. Its randomness is a pure function
of (seed, epoch, batch): the same seed gives the same images, and a run resumed mid-epoch
sees exactly the batches an uninterrupted one would, with no state to save beyond the
loader's position.

Example:
    >>> import numpy as np
    >>> images = np.arange(2 * 1 * 4 * 4, dtype=np.float32).reshape(2, 1, 4, 4)
    >>> augment = Augment(RandomCrop(1), HorizontalFlip(0.5), seed=0)
    >>> out = augment(images, epoch=0, batch=0)
    >>> out.shape, np.array_equal(out, augment(images, epoch=0, batch=0))
    ((2, 1, 4, 4), True)
"""

import math

import numpy as np

from glassnet.errors import ConfigError, ShapeError


class RandomCrop:
    """Shift each image by up to ``padding`` pixels in each direction, filling the uncovered
    border with ``fill`` (the value of a blank pixel in the model's input space)."""

    def __init__(self, padding: int = 4, *, fill: float = 0.0):
        if isinstance(padding, bool) or not isinstance(padding, int) or padding < 1:
            raise ConfigError(f"RandomCrop: expected padding to be a positive integer, but got "
                              f"{padding!r}.")
        self.padding, self.fill = padding, float(fill)

    def __call__(self, images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        n, _, height, width = images.shape
        p = self.padding
        padded = np.pad(images, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=self.fill)
        windows = np.lib.stride_tricks.sliding_window_view(padded, (height, width), axis=(2, 3))
        rows, cols = rng.integers(0, 2 * p + 1, size=(2, n))
        # windows is (N, C, 2p+1, 2p+1, H, W); picking one offset per image gives (N, C, H, W)
        return windows[np.arange(n), :, rows, cols]

    def __repr__(self) -> str:
        return f"RandomCrop(padding={self.padding}, fill={self.fill:g})"


class HorizontalFlip:
    """Mirror each image left-right with probability ``p``."""

    def __init__(self, p: float = 0.5):
        _check_probability(p, "HorizontalFlip")
        self.p = p

    def __call__(self, images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        flip = rng.random(len(images)) < self.p
        return np.where(flip[:, None, None, None], images[..., ::-1], images)

    def __repr__(self) -> str:
        return f"HorizontalFlip(p={self.p:g})"


class RandomErasing:
    """With probability ``p``, set a random rectangle of each image to ``fill``.

    The rectangle covers a share of the image drawn uniformly from ``scale`` and has an
    aspect ratio (height / width) drawn log-uniformly from ``ratio``; one that would not fit
    is shrunk to the image (the defaults are the paper's).
    """

    def __init__(self, p: float = 0.5, *, scale=(0.02, 0.33), ratio=(0.3, 3.3),
                 fill: float = 0.0):
        _check_probability(p, "RandomErasing")
        for name, (low, high), top in (("scale", scale, 1), ("ratio", ratio, math.inf)):
            if not 0 < low <= high <= top:
                raise ConfigError(f"RandomErasing: expected 0 < low ≤ high ≤ {top} for "
                                  f"{name}, but got {(low, high)}.")
        self.p, self.scale, self.ratio, self.fill = p, tuple(scale), tuple(ratio), float(fill)

    def __call__(self, images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        n, _, height, width = images.shape
        erase = rng.random(n) < self.p
        area = rng.uniform(*self.scale, size=n) * height * width
        aspect = np.exp(rng.uniform(math.log(self.ratio[0]), math.log(self.ratio[1]), size=n))
        h = np.clip(np.round(np.sqrt(area * aspect)), 1, height).astype(int)
        w = np.clip(np.round(np.sqrt(area / aspect)), 1, width).astype(int)
        top = (rng.random(n) * (height - h + 1)).astype(int)
        left = (rng.random(n) * (width - w + 1)).astype(int)
        in_rows = (np.arange(height) >= top[:, None]) & (np.arange(height) < (top + h)[:, None])
        in_cols = (np.arange(width) >= left[:, None]) & (np.arange(width) < (left + w)[:, None])
        mask = in_rows[:, :, None] & in_cols[:, None, :] & erase[:, None, None]
        return np.where(mask[:, None], np.asarray(self.fill, images.dtype), images)

    def __repr__(self) -> str:
        return f"RandomErasing(p={self.p:g}, scale={self.scale}, ratio={self.ratio})"


class Augment:
    """Apply ``transforms`` in order to batches of images (N, C, H, W), with randomness drawn
    from ``seed`` and the batch's position (epoch, batch)."""

    def __init__(self, *transforms, seed: int):
        if not transforms:
            raise ConfigError("Augment: expected at least one transform, e.g. "
                              "Augment(RandomCrop(2), HorizontalFlip(), seed=0).")
        self.transforms, self.seed = transforms, int(seed)

    def __call__(self, images: np.ndarray, *, epoch: int, batch: int) -> np.ndarray:
        if images.ndim != 4:
            raise ShapeError(f"Augment: expected images of shape (N, C, H, W), but got "
                             f"{images.shape}. Augmentation is for image models (cnn, resnet).")
        rng = np.random.default_rng([self.seed, epoch, batch])
        for transform in self.transforms:
            images = transform(images, rng)
        return np.ascontiguousarray(images)

    def __repr__(self) -> str:
        return f"Augment({', '.join(map(repr, self.transforms))}, seed={self.seed})"


def _check_probability(p, where: str) -> None:
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
        raise ConfigError(f"{where}: expected a probability p in [0, 1], but got {p!r}.")
