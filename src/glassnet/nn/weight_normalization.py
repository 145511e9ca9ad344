"""Weight normalization: learn a weight's length and direction as separate parameters.

    w = g · v / ‖v‖

with ‖v‖ the norm over every axis except ``axis`` (one length g per output unit for the
default ``axis=0``: per row of a Linear weight, per filter of a Conv weight). The gradient
then splits into a part for the length and a part for the direction (Salimans & Kingma):

    ∂L/∂g = (∂L/∂w · v) / ‖v‖
    ∂L/∂v = (g / ‖v‖) · (∂L/∂w − (∂L/∂g / g) · w)  =  (g / ‖v‖) · P_v⊥ (∂L/∂w)

so the gradient of v is orthogonal to v: a gradient step can only lengthen v, which lowers
the effective learning rate of the direction by g/‖v‖ on its own (a built-in step-size
control), while g moves the scale directly. Both follow from the composite below, whose
backward the engine derives from its ops; the tests check them against the formulas,
centered differences and PyTorch.

``weight_norm(module)`` turns any layer with a ``weight`` Parameter (Linear, Conv1d, Conv2d,
RNNCell's ``weight_hh`` with ``name=``) into that parametrization, with PyTorch's names:
the Parameter ``weight`` becomes ``weight_v`` (the same object), a new Parameter
``weight_g`` (initialized to ‖v‖, so the layer computes exactly what it did) is added, and
a forward pre-hook sets ``module.weight = g · v/‖v‖`` before every forward pass. Build the
optimizer after applying it, so that it sees ``weight_g``.

Example:
    >>> import numpy as np
    >>> import glassnet as gn
    >>> import glassnet.nn as nn
    >>> layer = nn.weight_norm(nn.Linear(3, 2))
    >>> [name for name, _ in layer.named_parameters()]
    ['bias', 'weight_v', 'weight_g']
    >>> layer.weight_g.shape                  # one length per output unit
    (2, 1)
    >>> np.allclose(np.linalg.norm(layer.weight.data, axis=1), layer.weight_g.data[:, 0])
    True

Reference: Salimans & Kingma, "Weight Normalization: A Simple Reparameterization to
Accelerate Training of Deep Neural Networks" (NeurIPS 2016).
"""

import numbers

import numpy as np

from glassnet.errors import ConfigError, ShapeError
from glassnet.nn.module import Module
from glassnet.nn.parameter import Parameter
from glassnet.ops.elementwise import sqrt
from glassnet.ops.reduction import sum as sum_


def weight_normalized(v, g, axis: int | None = 0):
    """w = g · v / ‖v‖, the norm taken over every axis of v except ``axis``.

    Args:
        v: the direction, a Tensor of any shape (at least 1-d).
        g: the length, a Tensor of v's shape with every axis but ``axis`` of size 1
            (PyTorch's ``weight_g`` layout), or of shape () when ``axis`` is None.
        axis: the axis that keeps one length per slice (0: per output unit), or None for
            one length for the whole tensor.

    Returns:
        A Tensor of v's shape, in the graph of both v and g.

    Raises:
        ShapeError: g's shape does not fit v's and ``axis``.
        ConfigError: ``axis`` is not an axis of v.

    Example:
        >>> import glassnet as gn
        >>> v = gn.tensor([[3.0, 4.0], [0.0, 2.0]])
        >>> weight_normalized(v, gn.tensor([[10.0], [1.0]]))
        tensor([[6., 8.],
                [0., 1.]])
    """
    axis = _check_axis(axis, len(v.shape), "weight_normalized")
    expected = norm_shape(v.shape, axis)
    if tuple(g.shape) != expected:
        raise ShapeError(
            f"weight_normalized: expected g of shape {expected} for v of shape {v.shape} and "
            f"axis={axis}, but got {tuple(g.shape)}. Initialize g as the norm of v, e.g. "
            "with nn.weight_norm(layer)."
        )
    reduced = tuple(i for i in range(len(v.shape)) if i != axis)
    norm = sqrt(sum_(v * v, axis=reduced, keepdims=axis is not None))
    return v * (g / norm)


def norm_shape(shape: tuple, axis: int | None) -> tuple:
    """The shape of g for a weight of ``shape``: ``shape`` with every axis but ``axis`` set
    to 1, or () for ``axis=None``."""
    if axis is None:
        return ()
    axis = axis % len(shape)
    return tuple(size if i == axis else 1 for i, size in enumerate(shape))


class _Normalize:
    """The forward pre-hook: ``module.<name> = g · v / ‖v‖``."""

    def __init__(self, name: str, axis: int | None):
        self.name, self.axis = name, axis

    def __call__(self, module, inputs) -> None:
        setattr(module, self.name, _compute(module, self.name, self.axis))


def _compute(module, name: str, axis):
    return weight_normalized(getattr(module, name + "_v"), getattr(module, name + "_g"), axis)


def weight_norm(module: Module, name: str = "weight", axis: int | None = 0) -> Module:
    """Reparametrize ``module.<name>`` as ``<name>_g · <name>_v / ‖<name>_v‖``, in place.

    Args:
        module: a layer with a Parameter called ``name`` (Linear, Conv1d, Conv2d, ...).
        name: the parameter to reparametrize.
        axis: the axis with one length each (0: per output unit, PyTorch's ``dim=0``), or
            None for a single length.

    Returns:
        The module. It computes the same outputs as before; its parameters are now
        ``<name>_v`` (the former Parameter object, same values) and ``<name>_g`` (= ‖v‖).

    Raises:
        ConfigError: no such Parameter, already weight-normalized, or a bad ``axis``.
        ShapeError: the Parameter is 0-d.
    """
    if not isinstance(module, Module):
        raise ConfigError(f"weight_norm: expected a Module, but got {type(module).__name__}.")
    if _hook_key(module, name) is not None:
        raise ConfigError(
            f"weight_norm: {type(module).__name__}.{name} is already weight-normalized. "
            "Call remove_weight_norm first to change its axis."
        )
    v = getattr(module, name, None)
    if not isinstance(v, Parameter):
        raise ConfigError(
            f"weight_norm: expected {type(module).__name__}.{name} to be a Parameter, but got "
            f"{type(v).__name__}. Parameters of this module: "
            f"{[n for n, p in vars(module).items() if isinstance(p, Parameter)]}."
        )
    if v.ndim == 0:
        raise ShapeError(f"weight_norm: expected a weight with at least 1 axis, but got {name} "
                         "of shape ().")
    axis = _check_axis(axis, v.ndim, "weight_norm")
    reduced = tuple(i for i in range(v.ndim) if i != axis)
    g = np.sqrt((v.data.astype(np.float64) ** 2).sum(axis=reduced, keepdims=axis is not None))
    delattr(module, name)
    setattr(module, name + "_v", v)
    setattr(module, name + "_g", Parameter(g.astype(v.dtype).reshape(norm_shape(v.shape, axis))))
    module.register_forward_pre_hook(_Normalize(name, axis))
    setattr(module, name, _compute(module, name, axis))
    return module


def remove_weight_norm(module: Module, name: str = "weight") -> Module:
    """Undo ``weight_norm``: ``module.<name>`` becomes one Parameter holding g · v/‖v‖.

    Raises:
        ConfigError: ``module.<name>`` is not weight-normalized.
    """
    key = _hook_key(module, name)
    if key is None:
        raise ConfigError(
            f"remove_weight_norm: {type(module).__name__}.{name} is not weight-normalized."
        )
    axis = module._forward_pre_hooks.pop(key).axis
    weight = _compute(module, name, axis).data
    delattr(module, name + "_v")
    delattr(module, name + "_g")
    setattr(module, name, Parameter(np.array(weight, copy=True)))
    return module


def restore(model: Module, state_dict: dict) -> list:
    """Weight-normalize ``model`` wherever ``state_dict`` holds ``<name>_g`` and ``<name>_v``
    for a Parameter ``model`` has plain, so that ``load_state_dict`` then fits.

    The axis is read from g's shape (the axis it keeps); ``glassnet.load`` calls this.

    Returns:
        The qualified names that were reparametrized (e.g. ``["0.weight"]``).
    """
    restored = []
    for module_name, module in model.named_modules():
        for member, value in list(vars(module).items()):
            prefix = f"{module_name}.{member}" if module_name else member
            g = state_dict.get(prefix + "_g")
            if not isinstance(value, Parameter) or g is None or prefix + "_v" not in state_dict:
                continue
            g_shape = np.shape(g)
            kept = [i for i, size in enumerate(g_shape) if size == value.shape[i] and size > 1]
            axis = None if g_shape == () else (kept[0] if kept else 0)
            weight_norm(module, member, axis)
            restored.append(prefix)
    return restored


def _check_axis(axis, ndim: int, where: str):
    if axis is None:
        return None
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral) or not -ndim <= axis < ndim:
        raise ConfigError(
            f"{where}: expected axis to be None or an axis of the {ndim}-d weight (0 for one "
            f"length per output unit), but got {axis!r}."
        )
    return int(axis) % ndim


def _hook_key(module, name: str):
    for key, hook in getattr(module, "_forward_pre_hooks", {}).items():
        if isinstance(hook, _Normalize) and hook.name == name:
            return key
    return None

