"""The shape every preprocessor shares: fit on training data, then transform anything.

A preprocessor learns its statistics once, with ``fit(X_train)``, and from then on applies
those same statistics to training, validation and test data alike — fitting on validation or
test data would leak them into the model. ``state_dict()`` is a JSON-serializable dict
(type, configuration and the fitted arrays as nested lists; floats round-trip exactly through
``json``), so it can be saved next to a model and rebuilt with :func:`load_preprocessor`.

Conventions: the first axis of ``X`` indexes examples. Statistics are computed in float64;
outputs are float64 for float64 input and float32 otherwise (uint8 images included).
"""

import numpy as np

from glassnet.errors import ConfigError, DatasetError, NotFittedError, ShapeError

# Rows per chunk when accumulating statistics, so a large uint8 dataset is never converted
# to float64 all at once.
CHUNK_ROWS = 4096



class Preprocessor:
    """Base class: subclasses set ``_array_names`` and write ``_fit``, ``_transform``,
    ``_inverse_transform`` and ``_config`` (and ``_output_shape`` when it changes shape)."""

    _array_names: tuple[str, ...] = ()

    def __init__(self):
        self.feature_shape: tuple[int, ...] | None = None  # set by fit

    def fit(self, X):
        """Learn the statistics from training data ``X`` (N, ...); returns ``self``."""
        X = _check_input(X, f"{type(self).__name__}.fit", min_examples=1)
        self._fit(X)
        self.feature_shape = X.shape[1:]
        return self

    def transform(self, X) -> np.ndarray:
        """Apply the fitted statistics to ``X`` (N, ...)."""
        X = self._check_fitted_input(X, "transform")
        return self._transform(X).astype(output_dtype(X), copy=False)

    def inverse_transform(self, Z) -> np.ndarray:
        """Map transformed data back to the original space (float, original feature shape)."""
        Z = self._check_fitted_input(Z, "inverse_transform", self._output_shape())
        return self._inverse_transform(Z).astype(output_dtype(Z), copy=False)

    def fit_transform(self, X) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    @property
    def fitted(self) -> bool:
        return self.feature_shape is not None

    def state_dict(self) -> dict:
        """Type, configuration and fitted arrays, as plain JSON-serializable values."""
        self._require_fitted("state_dict")
        arrays = {
            name: {"shape": list(value.shape), "values": value.ravel().tolist()}
            for name in self._array_names
            for value in [getattr(self, name)]
        }
        return {
            "type": type(self).__name__,
            "config": self._config(),
            "feature_shape": list(self.feature_shape),
            "arrays": arrays,
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore fitted statistics saved by :meth:`state_dict` (same type and config)."""
        if state.get("type") != type(self).__name__ or state.get("config") != self._config():
            raise ConfigError(
                f"{type(self).__name__}.load_state_dict: expected the state of "
                f"{type(self).__name__} with config {self._config()}, but got "
                f"{state.get('type')!r} with config {state.get('config')}. Use "
                "load_preprocessor(state) to rebuild whatever was saved."
            )
        for name in self._array_names:
            saved = state["arrays"][name]
            values = np.asarray(saved["values"], dtype=np.float64)
            setattr(self, name, values.reshape(saved["shape"]))
        self.feature_shape = tuple(state["feature_shape"])

    def _output_shape(self) -> tuple[int, ...]:
        """The shape of one transformed example (the input's, unless overridden)."""
        return self.feature_shape

    def _check_fitted_input(self, X, method: str, shape=None) -> np.ndarray:
        where = f"{type(self).__name__}.{method}"
        self._require_fitted(method)
        X = _check_input(X, where, min_examples=0)
        shape = self.feature_shape if shape is None else shape
        if X.shape[1:] != shape:
            raise ShapeError(
                f"{where}: expected examples of shape {shape}, but got X.shape={X.shape}. "
                "Pass data laid out like the data this preprocessor was fitted on."
            )
        return X

    def _require_fitted(self, method: str) -> None:
        if not self.fitted:
            raise NotFittedError(
                f"{type(self).__name__}.{method}: expected a fitted preprocessor, but fit() has "
                "not been called. Call fit(X_train) on the training data first."
            )

    def __repr__(self) -> str:
        config = ", ".join(f"{key}={value!r}" for key, value in self._config().items())
        return f"{type(self).__name__}({config})"


def iter_chunks(X: np.ndarray):
    """Float64 views of ``X`` in chunks of ``CHUNK_ROWS`` examples."""
    for start in range(0, len(X), CHUNK_ROWS):
        yield X[start : start + CHUNK_ROWS].astype(np.float64)


def _check_input(X, where: str, min_examples: int) -> np.ndarray:
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise DatasetError(
            f"{where}: expected numeric data, but got dtype {X.dtype}. Convert it to numbers."
        )
    if X.ndim < 2:
        raise ShapeError(
            f"{where}: expected X of shape (N, features...), but got X.shape={X.shape}. "
            "Reshape a single feature to (N, 1)."
        )
    if len(X) < min_examples:
        raise ShapeError(f"{where}: expected at least {min_examples} example(s), but got none.")
    if X.dtype.kind == "f" and not np.isfinite(X).all():
        raise DatasetError(
            f"{where}: expected finite values, but X contains NaN or Inf. Clean the data first."
        )
    return X


def output_dtype(X: np.ndarray):
    """float64 for float64 data, float32 for everything else (uint8 images included)."""
    return np.float64 if X.dtype == np.float64 else np.float32
