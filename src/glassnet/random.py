"""The one source of randomness: a default ``np.random.Generator`` reset by ``manual_seed``.

Everything random in glassnet (initializers, dropout, data loaders, ``randn``) takes an
optional ``generator``; when none is given it draws from the default generator here. So a
single ``manual_seed(0)`` at the top of a script makes the whole run repeatable, and passing
explicit generators makes parts independent of each other.

Example:
    >>> import glassnet as gn
    >>> a = gn.manual_seed(0).random()
    >>> _ = gn.manual_seed(0)
    >>> a == gn.random.default_generator().random()
    True
"""

import numpy as np

DEFAULT_SEED = 0

_default_generator = np.random.default_rng(DEFAULT_SEED)


def manual_seed(seed: int) -> np.random.Generator:
    """Reset the default generator to ``seed`` and return it."""
    global _default_generator
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(
            f"manual_seed: expected a non-negative integer seed, but got {seed!r}. "
            "Pass e.g. manual_seed(0)."
        )
    _default_generator = np.random.default_rng(int(seed))
    return _default_generator


def default_generator() -> np.random.Generator:
    """The generator used when a function is not given one explicitly."""
    return _default_generator


def resolve_generator(generator: np.random.Generator | None) -> np.random.Generator:
    """Return ``generator`` itself, or the default generator when it is ``None``."""
    if generator is None:
        return _default_generator
    if not isinstance(generator, np.random.Generator):
        raise TypeError(
            "expected a numpy.random.Generator (e.g. np.random.default_rng(0)), "
            f"but got {type(generator).__name__}."
        )
    return generator
