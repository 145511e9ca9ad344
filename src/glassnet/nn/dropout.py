"""Inverted dropout.

At training time each unit is kept with probability q = 1 − p and zeroed otherwise, and the
kept units are scaled by 1/q, so the expected value of every unit is unchanged and nothing
needs rescaling at test time, where dropout is the identity.

NOTE: ``p`` is the probability of *dropping* a unit, PyTorch's meaning. The course (and
CS231n) write p for the probability of *keeping* one ("scale by 1/p"): the course's p = 0.5
is also p = 0.5 here, but the course's keep-prob 0.8 is ``Dropout(p=0.2)``.
"""

import numpy as np

from glassnet.nn import _args
from glassnet.nn.module import Module
from glassnet.random import resolve_generator


def dropout(x, p: float = 0.5, training: bool = True, generator=None):
    """Zero each element with probability ``p`` and scale the rest by 1/(1 − p).

    Args:
        x: Tensor of any shape, floating.
        p: drop probability in [0, 1).
        training: when False, return ``x`` unchanged.
        generator: the np.random.Generator drawing the mask (default: glassnet's).

    Raises:
        ConfigError: p outside [0, 1).

    Example:
        >>> import numpy as np
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> y = F.dropout(gn.ones(2, 4), p=0.5, generator=np.random.default_rng(0))
        >>> sorted(set(y.data.ravel().tolist()))
        [0.0, 2.0]
        >>> F.dropout(gn.ones(3), p=0.5, training=False)
        tensor([1., 1., 1.])
    """
    p = _args.check_probability(p, "dropout")
    _args.check_input(x, None, "", "dropout")
    if not training or p == 0.0:
        return x
    keep = resolve_generator(generator).random(x.shape, dtype=x.dtype) >= p
    # The mask is a constant of the op: multiplying by it routes the gradient through the
    # kept units only, scaled by the same 1/(1 − p).
    return x * np.multiply(keep, 1.0 / (1.0 - p), dtype=x.dtype)


class Dropout(Module):
    """Inverted dropout: zero units with probability ``p`` in training, identity in eval.

    Args:
        p: drop probability in [0, 1) (PyTorch's meaning; keep probability is 1 − p).
        generator: the np.random.Generator drawing the masks. None uses glassnet's default
            generator at each call, so ``gn.manual_seed`` makes runs repeatable.

    Shape:
        any → the same.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn as nn
        >>> layer = nn.Dropout(p=0.2)
        >>> layer.eval()(gn.ones(4)).tolist()
        [1.0, 1.0, 1.0, 1.0]
    """

    def __init__(self, p: float = 0.5, *, generator=None):
        super().__init__()
        self.p = _args.check_probability(p, "Dropout")
        self.generator = None if generator is None else resolve_generator(generator)

    def forward(self, x):
        return dropout(x, self.p, self.training, self.generator)

    def extra_repr(self) -> str:
        return f"p={self.p}"
