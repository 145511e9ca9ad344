"""Small synthetic classification sets that need no files: spiral, XOR, Gaussian blobs.

Each returns ``(X, y)``: float32 features of shape (N, 2) (or (N, n_features)) and int64
labels in [0, n_classes). All draw from ``generator`` (default: glassnet's), so a seed fixes
them.
"""

import numpy as np

from glassnet.errors import ConfigError
from glassnet.random import resolve_generator


def spiral(n_per_class: int = 100, n_classes: int = 3, *, noise: float = 0.2, generator=None):
    """The book's spiral: ``n_classes`` interleaved arms of ``n_per_class`` points each.

    Point j of class k sits at radius r = j / (n_per_class − 1) and angle 2.5·t radians,
    with t = 4·(k + r) + noise·N(0, 1) — the construction of *Neural Networks from Scratch*
    (``nnfs.datasets.spiral_data``). Not linearly separable, so it needs a hidden layer.

    Example:
        >>> X, y = spiral(100, 3)
        >>> X.shape, y.shape, sorted(set(y.tolist()))
        ((300, 2), (300,), [0, 1, 2])
    """
    _check_positive(n_per_class=n_per_class, n_classes=n_classes)
    rng = resolve_generator(generator)
    radius = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    labels = np.repeat(np.arange(n_classes), n_per_class)
    angle = 2.5 * (4.0 * (labels + radius) + noise * rng.standard_normal(radius.size))
    X = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    return X.astype(np.float32), labels.astype(np.int64)


def xor(n: int = 200, *, noise: float = 0.1, generator=None):
    """Points near the four corners of the unit square, labelled x1 XOR x2."""
    _check_positive(n=n)
    rng = resolve_generator(generator)
    corners = rng.integers(0, 2, size=(n, 2))
    X = corners + noise * rng.standard_normal((n, 2))
    return X.astype(np.float32), (corners[:, 0] ^ corners[:, 1]).astype(np.int64)


def blobs(
    n_per_class: int = 100,
    n_classes: int = 3,
    n_features: int = 2,
    *,
    spread: float = 1.0,
    distance: float = 5.0,
    generator=None,
):
    """Gaussian clusters with standard deviation ``spread`` around random centres drawn
    uniformly from [−distance, distance] in each feature."""
    _check_positive(n_per_class=n_per_class, n_classes=n_classes, n_features=n_features)
    rng = resolve_generator(generator)
    centres = rng.uniform(-distance, distance, size=(n_classes, n_features))
    labels = np.repeat(np.arange(n_classes), n_per_class)
    X = centres[labels] + spread * rng.standard_normal((labels.size, n_features))
    return X.astype(np.float32), labels.astype(np.int64)


def _check_positive(**sizes: int) -> None:
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ConfigError(f"{name}: expected a positive integer, but got {value!r}.")
