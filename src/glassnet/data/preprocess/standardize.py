"""Zero-centering and normalization: CenterMean (subtract the mean image) and Standardize.

The two steps of the lecture's "preprocessing": subtract the mean of the training data
(for images, the mean image or the per-channel mean), then optionally divide by its
standard deviation.
"""

from typing import Literal

import numpy as np

from glassnet.data.preprocess.base import Preprocessor, iter_chunks, output_dtype
from glassnet.errors import ConfigError

STANDARDIZE_MODES = ("feature", "channel", "global")


class CenterMean(Preprocessor):
    """Subtract the mean training example (for images: the mean image).

    Math: ``x' = x − μ`` with ``μ = mean over training examples`` (one value per feature).

    Example:
        >>> import numpy as np
        >>> X = np.array([[1.0, 2.0], [3.0, 6.0]])
        >>> CenterMean().fit_transform(X)
        array([[-1., -2.],
               [ 1.,  2.]])
    """

    _array_names = ("mean",)

    def _config(self) -> dict:
        return {}

    def _fit(self, X: np.ndarray) -> None:
        self.mean, _ = _moments(X, axes=(0,), with_variance=False)

    def _transform(self, X: np.ndarray) -> np.ndarray:
        return X - self.mean.astype(output_dtype(X))

    def _inverse_transform(self, Z: np.ndarray) -> np.ndarray:
        return Z + self.mean.astype(output_dtype(Z))


class Standardize(Preprocessor):
    """Subtract the training mean and divide by the training standard deviation.

    Math: ``x' = (x − μ) / σ``, with μ and σ (population std, ddof=0) computed on the
    training data over:

    - ``per="feature"``: the examples, one μ, σ per feature (per pixel for images);
    - ``per="channel"``: the examples and all axes except ``channel_axis``, one μ, σ per
      channel (e.g. per RGB channel of NCHW images);
    - ``per="global"``: everything, a single μ and σ (e.g. Fashion-MNIST pixels).

    Where σ < ``eps`` (a constant feature, like MNIST's border pixels) σ is taken as 1, so
    the feature is only centered rather than blown up.

    Args:
        per: ``"feature"``, ``"channel"`` or ``"global"``.
        channel_axis: the channel axis of the data (1 for NCHW, -1 for NHWC); used only with
            ``per="channel"``.
        eps: standard deviations below this count as zero.

    Example:
        >>> import numpy as np
        >>> X = np.array([[0.0, 5.0], [2.0, 5.0]])
        >>> Standardize().fit_transform(X)  # the constant second feature is only centered
        array([[-1.,  0.],
               [ 1.,  0.]])
    """

    _array_names = ("mean", "std")

    def __init__(
        self,
        per: Literal["feature", "channel", "global"] = "feature",
        channel_axis: int = 1,
        eps: float = 1e-8,
    ):
        super().__init__()
        if per not in STANDARDIZE_MODES:
            raise ConfigError(
                f"Standardize: expected per to be one of {list(STANDARDIZE_MODES)}, but got "
                f"{per!r}."
            )
        if isinstance(channel_axis, bool) or not isinstance(channel_axis, int):
            raise ConfigError(
                f"Standardize: expected an integer channel_axis, but got {channel_axis!r}."
            )
        if not eps >= 0:
            raise ConfigError(f"Standardize: expected eps ≥ 0, but got {eps!r}.")
        self.per, self.channel_axis, self.eps = per, channel_axis, float(eps)

    def _config(self) -> dict:
        return {"per": self.per, "channel_axis": self.channel_axis, "eps": self.eps}

    def _fit(self, X: np.ndarray) -> None:
        mean, var = _moments(X, axes=self._reduced_axes(X))
        std = np.sqrt(var)
        self.mean, self.std = mean, np.where(std < self.eps, 1.0, std)

    def _transform(self, X: np.ndarray) -> np.ndarray:
        dtype = output_dtype(X)
        return (X - self.mean.astype(dtype)) / self.std.astype(dtype)

    def _inverse_transform(self, Z: np.ndarray) -> np.ndarray:
        dtype = output_dtype(Z)
        return Z * self.std.astype(dtype) + self.mean.astype(dtype)

    def _reduced_axes(self, X: np.ndarray) -> tuple[int, ...]:
        if self.per == "feature":
            return (0,)
        if self.per == "global":
            return tuple(range(X.ndim))
        if not -X.ndim < self.channel_axis < X.ndim or self.channel_axis % X.ndim == 0:
            raise ConfigError(
                f"Standardize: expected channel_axis to name a non-example axis of "
                f"X.shape={X.shape}, but got {self.channel_axis}. Use 1 for NCHW, -1 for NHWC."
            )
        channel = self.channel_axis % X.ndim
        return tuple(axis for axis in range(X.ndim) if axis != channel)


def _moments(X: np.ndarray, axes: tuple[int, ...], with_variance: bool = True):
    """Mean and population variance over ``axes`` (axis 0 among them), accumulated in float64
    chunks of examples. Both come back with the example axis dropped and the other reduced
    axes kept as size 1, so they broadcast against X."""
    count = np.prod([X.shape[axis] for axis in axes], dtype=np.float64)
    total = sum(chunk.sum(axis=axes, keepdims=True) for chunk in iter_chunks(X))
    mean = total / count
    variance = None
    if with_variance:
        squares = sum(
            ((chunk - mean) ** 2).sum(axis=axes, keepdims=True) for chunk in iter_chunks(X)
        )
        variance = (squares / count)[0]
    return mean[0], variance
