"""PCA (decorrelate, optionally keep the top k directions) and whitening (PCA or ZCA).

Both flatten each example to D features and use the eigendecomposition of the training
covariance ``Σ = Xcᵀ Xc / (N − 1) = U Λ Uᵀ`` (``Xc``: centered training data, eigenvalues
λ₁ ≥ λ₂ ≥ …, eigenvectors made unique by giving each one a positive largest-magnitude entry).
The covariance is accumulated in float64 chunks of examples; its D×D eigendecomposition is
the cost (D = 784: milliseconds; D = 3072: seconds).
"""

from typing import Literal

import numpy as np

from glassnet.data.preprocess.base import Preprocessor, iter_chunks, output_dtype
from glassnet.errors import ConfigError, ShapeError

WHITEN_METHODS = ("pca", "zca")


class PCA(Preprocessor):
    """Project onto the principal components of the training data.

    Math: ``z = (x − μ) U_k`` where ``U_k`` holds the top k eigenvectors of the training
    covariance; ``inverse_transform`` maps back with ``x ≈ z U_kᵀ + μ`` (exact when all
    components are kept). The transformed features are uncorrelated on the training data, with
    variances ``explained_variance`` (λ₁ … λ_k).

    Args:
        n_components: how many components to keep: None for all D, an int k (1 ≤ k ≤ D), or a
            float in (0, 1] for the fewest components explaining that fraction of the variance.

    Shape:
        fit/transform input (N, ...) with D features per example; output (N, k).

    Example:
        >>> import numpy as np
        >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])  # all variance along (1, 1)
        >>> pca = PCA(n_components=0.99).fit(X)
        >>> pca.components.round(4), pca.explained_variance_ratio
        (array([[0.7071, 0.7071]]), array([1.]))
    """

    _array_names = ("mean", "components", "explained_variance", "explained_variance_ratio")

    def __init__(self, n_components: int | float | None = None):
        super().__init__()
        if isinstance(n_components, np.integer):
            n_components = int(n_components)
        _check_n_components(n_components, type(self).__name__)
        self.n_components = n_components

    def _config(self) -> dict:
        return {"n_components": self.n_components}

    def _fit(self, X: np.ndarray) -> None:
        if len(X) < 2:
            raise ShapeError(
                f"{type(self).__name__}.fit: expected at least 2 examples to estimate a "
                f"covariance, but got X.shape={X.shape}."
            )
        self.mean, eigenvalues, eigenvectors = _eigendecomposition(X.reshape(len(X), -1))
        k = self._choose_k(eigenvalues)
        self.components = eigenvectors[:, :k].T.copy()
        self.explained_variance = eigenvalues[:k]
        total = eigenvalues.sum()
        self.explained_variance_ratio = eigenvalues[:k] / total if total > 0 else eigenvalues[:k]

    def _output_shape(self) -> tuple[int, ...]:
        return (len(self.components),)

    def _transform(self, X: np.ndarray) -> np.ndarray:
        return self._center(X) @ self.components.T.astype(output_dtype(X))

    def _inverse_transform(self, Z: np.ndarray) -> np.ndarray:
        dtype = output_dtype(Z)
        X = Z @ self.components.astype(dtype) + self.mean.astype(dtype)
        return X.reshape(len(Z), *self.feature_shape)

    def _center(self, X: np.ndarray) -> np.ndarray:
        dtype = output_dtype(X)
        return X.reshape(len(X), self.mean.size).astype(dtype) - self.mean.astype(dtype)

    def _choose_k(self, eigenvalues: np.ndarray) -> int:
        D, wanted = len(eigenvalues), self.n_components
        where = f"{type(self).__name__}.fit"
        if wanted is None:
            return D
        if isinstance(wanted, int):
            if wanted > D:
                raise ConfigError(
                    f"{where}: expected n_components ≤ {D} (the number of features), but got "
                    f"{wanted}."
                )
            return wanted
        total = eigenvalues.sum()
        if total <= 0:
            raise ConfigError(
                f"{where}: the training data has zero variance, so no fraction of it can be "
                "explained. Check the data, or pass an integer n_components."
            )
        cumulative = np.cumsum(eigenvalues) / total
        return min(int(np.searchsorted(cumulative, wanted - 1e-12)) + 1, D)


class Whiten(PCA):
    """Decorrelate and scale the training data to unit variance in every direction.

    Math, with ``s = 1 / sqrt(λ + eps)`` per kept component:

    - ``method="pca"``: ``z = ((x − μ) U_k) · s``, output (N, k);
    - ``method="zca"``: ``z = ((x − μ) U_k · s) U_kᵀ``, output shaped like the input — the
      whitening closest to the original data, so whitened images still look like images.

    On the training data the covariance of ``z`` is ``diag(λ / (λ + eps))`` for PCA (the same
    rotated back, for ZCA), which is the identity up to ``eps``; ``eps`` keeps near-zero
    variance directions from being amplified into noise. ``inverse_transform`` undoes the
    scaling and rotation (exact when all components are kept).

    Args:
        method: ``"pca"`` or ``"zca"``.
        eps: added to each eigenvalue before the square root (≥ 0; 0 only for full-rank data).
        n_components: as for :class:`PCA` (default: all).

    Example:
        >>> import numpy as np
        >>> X = np.random.default_rng(0).normal(size=(500, 3)) @ [[2, 1, 0], [0, 1, 0], [0, 0, 3]]
        >>> Z = Whiten(method="zca", eps=0.0).fit_transform(X)
        >>> np.allclose(np.cov(Z, rowvar=False), np.eye(3))
        True
    """

    def __init__(
        self,
        method: Literal["pca", "zca"] = "zca",
        eps: float = 1e-5,
        n_components: int | float | None = None,
    ):
        super().__init__(n_components)
        if method not in WHITEN_METHODS:
            raise ConfigError(
                f"Whiten: expected method to be one of {list(WHITEN_METHODS)}, but got {method!r}."
            )
        if not (isinstance(eps, (int, float)) and eps >= 0):
            raise ConfigError(f"Whiten: expected eps ≥ 0, but got {eps!r}.")
        self.method, self.eps = method, float(eps)

    def _config(self) -> dict:
        return {"method": self.method, "eps": self.eps, "n_components": self.n_components}

    def _fit(self, X: np.ndarray) -> None:
        super()._fit(X)
        if np.any(self.explained_variance + self.eps <= 0):
            raise ConfigError(
                "Whiten.fit: the training data has zero variance along some kept component, "
                "which whitening would divide by zero. Use eps > 0 or fewer n_components."
            )

    def _output_shape(self) -> tuple[int, ...]:
        return self.feature_shape if self.method == "zca" else (len(self.components),)

    def _transform(self, X: np.ndarray) -> np.ndarray:
        dtype = output_dtype(X)
        Z = super()._transform(X) / np.sqrt(self.explained_variance + self.eps).astype(dtype)
        if self.method == "pca":
            return Z
        return (Z @ self.components.astype(dtype)).reshape(X.shape)

    def _inverse_transform(self, Z: np.ndarray) -> np.ndarray:
        dtype = output_dtype(Z)
        if self.method == "zca":
            Z = Z.reshape(len(Z), self.mean.size) @ self.components.T.astype(dtype)
        scale = np.sqrt(self.explained_variance + self.eps).astype(dtype)
        return super()._inverse_transform(Z * scale)


def _eigendecomposition(X: np.ndarray):
    """Mean, eigenvalues (descending, ≥ 0) and eigenvectors (columns) of the covariance of X."""
    mean = sum(chunk.sum(axis=0) for chunk in iter_chunks(X)) / len(X)
    scatter = sum((chunk - mean).T @ (chunk - mean) for chunk in iter_chunks(X))
    eigenvalues, eigenvectors = np.linalg.eigh(scatter / (len(X) - 1))
    eigenvalues, eigenvectors = np.clip(eigenvalues[::-1], 0.0, None), eigenvectors[:, ::-1]
    largest = np.abs(eigenvectors).argmax(axis=0)
    signs = np.sign(eigenvectors[largest, np.arange(eigenvectors.shape[1])])
    return mean, eigenvalues, eigenvectors * signs


def _check_n_components(n_components, where: str) -> None:
    if n_components is None:
        return
    if isinstance(n_components, bool) or not isinstance(n_components, (int, float)):
        raise ConfigError(
            f"{where}: expected n_components to be None, an int or a float, but got "
            f"{n_components!r}."
        )
    if isinstance(n_components, int) and n_components < 1:
        raise ConfigError(f"{where}: expected n_components ≥ 1, but got {n_components}.")
    if isinstance(n_components, float) and not 0 < n_components <= 1:
        raise ConfigError(
            f"{where}: expected a float n_components in (0, 1] (a fraction of the variance), "
            f"but got {n_components}."
        )
