"""Preprocessing fitted on training data only, saved with the model as JSON.

Each preprocessor has ``fit(X_train)``, ``transform(X)``, ``inverse_transform(Z)``,
``fit_transform(X)`` and a JSON-serializable ``state_dict()``; :func:`load_preprocessor`
rebuilds one from its state.
"""

from glassnet.data.preprocess.base import Preprocessor
from glassnet.data.preprocess.pca import PCA, Whiten
from glassnet.data.preprocess.standardize import CenterMean, Standardize
from glassnet.errors import ConfigError

PREPROCESSORS = {cls.__name__: cls for cls in (CenterMean, Standardize, PCA, Whiten)}


def load_preprocessor(state: dict) -> Preprocessor:
    """Rebuild a fitted preprocessor from its ``state_dict()`` (e.g. after ``json.load``).

    Example:
        >>> import json
        >>> import numpy as np
        >>> X = np.array([[0.0, 10.0], [2.0, 30.0]])
        >>> saved = json.dumps(Standardize().fit(X).state_dict())
        >>> load_preprocessor(json.loads(saved)).transform(X)
        array([[-1., -1.],
               [ 1.,  1.]])
    """
    kind = state.get("type") if isinstance(state, dict) else None
    if kind not in PREPROCESSORS:
        raise ConfigError(
            f"load_preprocessor: expected a state with 'type' in {sorted(PREPROCESSORS)}, but "
            f"got {kind!r}. Pass the dict that state_dict() returned."
        )
    preprocessor = PREPROCESSORS[kind](**state["config"])
    preprocessor.load_state_dict(state)
    return preprocessor


__all__ = [
    "PCA",
    "PREPROCESSORS",
    "CenterMean",
    "Preprocessor",
    "Standardize",
    "Whiten",
    "load_preprocessor",
]
