"""Pruning: set chosen weights to zero and keep them zero while training goes on.

    import glassnet.nn as nn
    nn.prune.magnitude(model[1], "weight", amount=0.5)        # layer-wise: half of this layer
    nn.prune.global_magnitude([(model[1], "weight"), (model[3], "weight")], amount=0.9)
    nn.prune.sparsity(model).total                             # fraction of pruned weights

How to choose what to prune: ``magnitude`` removes the weights of smallest |w| within one
tensor (the same fraction of every layer); ``global_magnitude`` ranks the weights of all the
given tensors together under one threshold, so layers with many small weights lose more;
``random`` prunes at random (the baseline that shows magnitude matters); ``custom`` applies
a mask of your own.

How the mask survives training (PyTorch's ``torch.nn.utils.prune`` in spirit, with its
names): the Parameter ``weight`` becomes ``weight_orig`` (the same object, so an optimizer
built before pruning still updates it), a Buffer ``weight_mask`` holds 1 for kept and 0 for
pruned entries, and a forward pre-hook sets ``module.weight = weight_orig · weight_mask``
before every forward pass. So whatever an optimizer step does to ``weight_orig`` (momentum,
Adam's moments, weight decay), the weight the layer uses is zero where the mask is, and the
gradient reaching a pruned entry of ``weight_orig`` is zero. Both tensors are in
``state_dict()``, so checkpoints carry the mask: a model pruned the same way loads them
back (``load_state_dict`` or ``Trainer.fit(resume=...)``), and ``glassnet.load`` re-applies
the pruning it finds (``restore``). ``remove`` makes the pruning permanent: ``weight``
becomes an ordinary Parameter again, holding zeros where the mask was 0.

Pruning a tensor again prunes ``amount`` of the entries it has left (PyTorch's rule), so
``magnitude(m, "weight", 0.5)`` twice leaves a quarter of the weights.

Example:
    >>> import numpy as np
    >>> import glassnet as gn
    >>> import glassnet.nn as nn
    >>> layer = nn.Linear(2, 2, bias=False)
    >>> layer.weight.data[...] = [[0.1, -3.0], [2.0, -0.2]]
    >>> _ = nn.prune.magnitude(layer, "weight", amount=0.5)
    >>> layer.weight_mask.data
    array([[0., 1.],
           [1., 0.]], dtype=float32)
    >>> layer(gn.tensor([[1.0, 1.0]])).data       # only -3.0 and 2.0 are left
    array([[-3.,  2.]], dtype=float32)
    >>> sorted(layer.state_dict())
    ['weight_mask', 'weight_orig']
"""

import numbers
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from glassnet.errors import ConfigError, ShapeError
from glassnet.nn.module import Module
from glassnet.nn.parameter import Buffer, Parameter
from glassnet.random import resolve_generator


class _ApplyMask:
    """The forward pre-hook: ``module.<name> = <name>_orig · <name>_mask``."""

    def __init__(self, name: str):
        self.name = name

    def __call__(self, module, inputs) -> None:
        setattr(module, self.name, masked_weight(module, self.name))


def masked_weight(module: Module, name: str = "weight"):
    """The weight a pruned module uses: ``<name>_orig · <name>_mask`` (a Tensor in the graph)."""
    return getattr(module, name + "_orig") * getattr(module, name + "_mask")


def is_pruned(module: Module, name: str = "weight") -> bool:
    """Whether ``module.<name>`` is pruned (has ``<name>_orig`` and ``<name>_mask``)."""
    return _hook_key(module, name) is not None


def magnitude(module: Module, name: str = "weight", amount: float | int = 0.5) -> Module:
    """Prune the entries of ``module.<name>`` with the smallest absolute value.

    Args:
        module: the layer, e.g. a ``Linear`` or ``Conv2d``.
        name: the parameter to prune (``"weight"``; ``"bias"`` works too).
        amount: a fraction in [0, 1] of the entries not yet pruned, or a number of them
            (an int). A fraction is rounded to the nearest count. Ties in |w| are broken
            by position, so the result is deterministic.

    Returns:
        The module, pruned in place.

    Raises:
        ConfigError: ``amount`` out of range, or ``module.<name>`` is not a Parameter.

    Example:
        >>> import glassnet.nn as nn
        >>> layer = magnitude(nn.Linear(10, 10), amount=0.3)
        >>> round(sparsity(layer).total, 2)
        0.3
    """
    return _prune(module, name, amount, np.abs, "magnitude")


def random(module: Module, name: str = "weight", amount: float | int = 0.5, *,
           generator=None) -> Module:
    """Prune ``amount`` of the remaining entries of ``module.<name>``, chosen at random.

    The baseline that shows why magnitude matters: at the same sparsity, random pruning
    removes large weights as readily as small ones. Arguments as ``magnitude``; the
    entries are drawn from ``generator`` (default: glassnet's).
    """
    rng = resolve_generator(generator)
    return _prune(module, name, amount, lambda w: rng.random(w.shape), "random")


def custom(module: Module, name: str, mask) -> Module:
    """Prune ``module.<name>`` with a mask of your own (1 keeps an entry, 0 prunes it).

    Combined with an existing mask by multiplication.

    Raises:
        ShapeError: the mask's shape differs from the parameter's.
        ConfigError: the mask holds values other than 0 and 1.
    """
    weight = _weight(module, name, "custom")
    mask = np.asarray(mask)
    if mask.shape != weight.shape:
        raise ShapeError(
            f"prune.custom: expected a mask of {name}'s shape {weight.shape}, but got "
            f"{mask.shape}."
        )
    if not np.isin(mask, (0, 1)).all():
        raise ConfigError(
            "prune.custom: expected a mask of 0s (prune) and 1s (keep), but it holds other "
            "values. Build it with e.g. (np.abs(w) > threshold).astype(np.float32)."
        )
    _set_mask(module, name, mask.astype(weight.dtype))
    return module


def global_magnitude(parameters: Iterable, amount: float | int = 0.5) -> None:
    """Prune the smallest-|w| entries of several tensors ranked together (one threshold).

    Args:
        parameters: ``(module, name)`` pairs, e.g. ``[(model[1], "weight"), (model[3],
            "weight")]``.
        amount: a fraction in [0, 1] of all their entries not yet pruned, or a count.

    Raises:
        ConfigError: no pairs, a repeated pair, a name that is not a Parameter, or
            ``amount`` out of range.

    Example:
        >>> import numpy as np
        >>> import glassnet.nn as nn
        >>> small, large = nn.Linear(4, 4, bias=False), nn.Linear(4, 4, bias=False)
        >>> small.weight.data[...] = 0.01; large.weight.data[...] = 1.0
        >>> global_magnitude([(small, "weight"), (large, "weight")], amount=0.5)
        >>> sparsity(small).total, sparsity(large).total    # all of one layer, none of the other
        (1.0, 0.0)
    """
    pairs = list(parameters)
    if not pairs:
        raise ConfigError(
            "prune.global_magnitude: expected (module, name) pairs, but got none. Pass e.g. "
            "[(model[1], 'weight'), (model[3], 'weight')]."
        )
    seen, weights, keeps = set(), [], []
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise ConfigError(
                f"prune.global_magnitude: expected (module, name) pairs, but got {pair!r}."
            )
        module, name = pair
        if (id(module), name) in seen:
            raise ConfigError(
                f"prune.global_magnitude: ({type(module).__name__}, {name!r}) appears twice. "
                "List each parameter once."
            )
        seen.add((id(module), name))
        weight = _weight(module, name, "global_magnitude")
        weights.append(weight)
        keeps.append(_current_mask(module, name, weight) > 0)
    scores = np.concatenate([np.abs(w).ravel() for w in weights])
    kept = np.concatenate([k.ravel() for k in keeps])
    new_kept = _drop_smallest(scores, kept, amount, "global_magnitude")
    start = 0
    for (module, name), weight in zip(pairs, weights):
        stop = start + weight.size
        _set_mask(module, name, new_kept[start:stop].reshape(weight.shape).astype(weight.dtype))
        start = stop


def remove(module: Module, name: str = "weight") -> Module:
    """Make the pruning of ``module.<name>`` permanent and drop the mask and the hook.

    ``module.<name>`` becomes the Parameter that was ``<name>_orig`` (the same object),
    holding ``orig · mask``: zeros where the mask was 0. Training afterwards may change
    those zeros again.

    Raises:
        ConfigError: ``module.<name>`` is not pruned.
    """
    key = _hook_key(module, name)
    if key is None:
        raise ConfigError(
            f"prune.remove: {type(module).__name__}.{name} is not pruned, so there is nothing "
            "to remove. Check the name, or test with prune.is_pruned first."
        )
    del module._forward_pre_hooks[key]
    parameter = getattr(module, name + "_orig")
    parameter.data *= getattr(module, name + "_mask").data
    delattr(module, name + "_orig")
    delattr(module, name + "_mask")
    setattr(module, name, parameter)
    return module


def restore(model: Module, state_dict: dict) -> list:
    """Prune ``model`` wherever ``state_dict`` holds ``<name>_orig`` and ``<name>_mask``
    for a parameter that ``model`` has unpruned, so that ``load_state_dict`` then fits.

    ``glassnet.load`` calls it, so a pruned model saved with ``glassnet.save`` comes back
    pruned, with its masks.

    Returns:
        The qualified names that were pruned (e.g. ``["1.weight"]``).
    """
    pruned = []
    for module_name, module in model.named_modules():
        for member, value in list(vars(module).items()):
            if not isinstance(value, Parameter):
                continue
            prefix = f"{module_name}.{member}" if module_name else member
            mask = state_dict.get(prefix + "_mask")
            if prefix + "_orig" in state_dict and mask is not None:
                custom(module, member, np.ones(np.shape(mask)))
                pruned.append(prefix)
    return pruned


@dataclass(frozen=True)
class Sparsity:
    """Fraction of pruned entries per pruned parameter (qualified names) and over them all."""

    per_parameter: dict
    total: float


def sparsity(model: Module) -> Sparsity:
    """How much of each pruned parameter of ``model`` (and its submodules) is pruned.

    Example:
        >>> import glassnet.nn as nn
        >>> model = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 2))
        >>> _ = magnitude(model[0], "weight", amount=0.5)
        >>> sparsity(model)
        Sparsity(per_parameter={'0.weight': 0.5}, total=0.5)
    """
    per_parameter, pruned, total = {}, 0, 0
    for module_name, module in model.named_modules():
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, _ApplyMask):
                mask = getattr(module, hook.name + "_mask").data
                zeros = int(mask.size - np.count_nonzero(mask))
                key = f"{module_name}.{hook.name}" if module_name else hook.name
                per_parameter[key] = zeros / mask.size if mask.size else 0.0
                pruned += zeros
                total += mask.size
    return Sparsity(per_parameter, pruned / total if total else 0.0)


# ----- helpers ------------------------------------------------------------------------------


def _prune(module, name, amount, score, where: str) -> Module:
    weight = _weight(module, name, where)
    kept = _current_mask(module, name, weight) > 0
    new_kept = _drop_smallest(score(weight).ravel(), kept.ravel(), amount, where)
    _set_mask(module, name, new_kept.reshape(weight.shape).astype(weight.dtype))
    return module


def _weight(module, name: str, where: str) -> np.ndarray:
    """The array being pruned: ``<name>_orig`` when already pruned, else the Parameter."""
    if not isinstance(module, Module):
        raise ConfigError(
            f"prune.{where}: expected a Module, but got {type(module).__name__}."
        )
    if is_pruned(module, name):
        return getattr(module, name + "_orig").data
    value = getattr(module, name, None)
    if not isinstance(value, Parameter):
        raise ConfigError(
            f"prune.{where}: expected {type(module).__name__}.{name} to be a Parameter, but "
            f"got {type(value).__name__}. Parameters of this module: "
            f"{[n for n, v in vars(module).items() if isinstance(v, Parameter)]}."
        )
    return value.data


def _current_mask(module, name: str, weight: np.ndarray) -> np.ndarray:
    if is_pruned(module, name):
        return getattr(module, name + "_mask").data
    return np.ones_like(weight)


def _drop_smallest(scores: np.ndarray, kept: np.ndarray, amount, where: str) -> np.ndarray:
    """``kept`` with the ``amount`` lowest-scoring kept entries turned off."""
    remaining = int(kept.sum())
    count = _count(amount, remaining, where)
    new_kept = kept.copy()
    if count:
        candidates = np.flatnonzero(kept)
        order = np.argsort(scores[candidates], kind="stable")
        new_kept[candidates[order[:count]]] = False
    return new_kept


def _count(amount, remaining: int, where: str) -> int:
    if isinstance(amount, bool) or not isinstance(amount, numbers.Real):
        raise ConfigError(
            f"prune.{where}: expected amount to be a fraction in [0, 1] or a count, but got "
            f"{amount!r}."
        )
    if isinstance(amount, numbers.Integral):
        if not 0 <= amount <= remaining:
            raise ConfigError(
                f"prune.{where}: expected a count of entries in [0, {remaining}] (the entries "
                f"not yet pruned), but got amount={amount}."
            )
        return int(amount)
    if not 0.0 <= amount <= 1.0:
        raise ConfigError(
            f"prune.{where}: expected amount in [0, 1] (a fraction of the entries not yet "
            f"pruned), but got {amount}. Pass an int for a count."
        )
    return round(amount * remaining)


def _set_mask(module, name: str, mask: np.ndarray) -> None:
    """Install (or combine into) ``<name>_mask`` and the hook, and refresh ``module.<name>``."""
    if is_pruned(module, name):
        getattr(module, name + "_mask").data *= mask
    else:
        parameter = getattr(module, name)
        delattr(module, name)
        setattr(module, name + "_orig", parameter)
        setattr(module, name + "_mask", Buffer(mask))
        module.register_forward_pre_hook(_ApplyMask(name))
    setattr(module, name, masked_weight(module, name))


def _hook_key(module, name: str):
    for key, hook in getattr(module, "_forward_pre_hooks", {}).items():
        if isinstance(hook, _ApplyMask) and hook.name == name:
            return key
    return None
