"""Weight penalties added to the data loss (L2, L1, elastic net) and the max-norm constraint.

Each function takes ``model.parameters()`` or ``model.named_parameters()`` and returns a
scalar Tensor, differentiable like any loss: ``loss = data_loss + reg * l2_penalty(...)``.

Which parameters are penalized (``include``):

- ``"weights"`` (the default): weight matrices and convolution kernels only — parameters
  with two or more dimensions whose name (when names are given) does not end in ``bias``.
  Biases and the scale/shift of normalization layers are one-dimensional, so they are left
  alone, as the course advises ("biases are not decayed unless asked").
- ``"all"``: every parameter.
- a callable ``include(name, param) -> bool``; unnamed parameters get their position in the
  sequence as their name (``"0"``, ``"1"``, ...).

When nothing is selected the penalty is 0. For decoupled weight decay (AdamW) see
``glassnet.optim``; with plain SGD, ``weight_decay=λ`` equals adding ``λ/2 · l2_penalty``.

``apply_max_norm`` is the max-norm constraint: not a penalty but a projection of each
unit's weights, applied after the optimizer step.
"""

from collections.abc import Callable, Iterable

import numpy as np

from glassnet import ops
from glassnet.errors import ConfigError, DTypeError
from glassnet.tensor import Tensor

INCLUDE_CHOICES = ("weights", "all")


def l2_penalty(parameters: Iterable, *, include="weights") -> Tensor:
    """R(W) = Σ w² over the selected parameters (squared L2 norm, no ½ factor).

    Example:
        >>> import glassnet as gn
        >>> w = gn.tensor([[1.0, -2.0]], requires_grad=True)
        >>> b = gn.tensor([3.0], requires_grad=True)
        >>> l2_penalty([w, b]).item()      # the bias is not penalized
        5.0
        >>> l2_penalty([w, b], include="all").item()
        14.0
    """
    selected = select_parameters(parameters, include, "l2_penalty")
    return _total([(p * p).sum() for p in selected])


def l1_penalty(parameters: Iterable, *, include="weights") -> Tensor:
    """R(W) = Σ |w| over the selected parameters; promotes sparse weights.

    The gradient at w = 0 is 0 (the subgradient ``abs`` uses).

    Example:
        >>> import glassnet as gn
        >>> l1_penalty([gn.tensor([[1.0, -2.0]])]).item()
        3.0
    """
    selected = select_parameters(parameters, include, "l1_penalty")
    return _total([ops.abs(p).sum() for p in selected])


def elastic_net_penalty(parameters: Iterable, beta: float, *, include="weights") -> Tensor:
    """R(W) = Σ (β w² + |w|): L2 and L1 together, as written in the course.

    Args:
        parameters: parameters or (name, parameter) pairs.
        beta: β ≥ 0, the weight of the squared term relative to the absolute one.
        include: ``"weights"``, ``"all"`` or a callable (see the module docstring).

    Example:
        >>> import glassnet as gn
        >>> elastic_net_penalty([gn.tensor([[1.0, -2.0]])], beta=0.5).item()   # 0.5·5 + 3
        5.5
    """
    if not beta >= 0:
        raise ConfigError(f"elastic_net_penalty: expected beta >= 0, but got {beta}.")
    selected = select_parameters(parameters, include, "elastic_net_penalty")
    return _total([(p * p).sum() * beta + ops.abs(p).sum() for p in selected])


def apply_max_norm(parameters: Iterable, max_norm: float, *, include="weights") -> None:
    """Max-norm constraint: rescale each unit's incoming weight vector to norm ≤ ``max_norm``.

    For a weight of shape (out, ...) (Linear's (out, in), Conv2d's (out, in, kh, kw)),
    each slice ``w[i]`` with ‖w[i]‖₂ > c is multiplied by c / ‖w[i]‖₂, in place on
    ``.data``. Call it after ``optimizer.step()``; it is a projection, not a penalty, so
    it adds nothing to the loss. One-dimensional parameters selected with ``include``
    are treated as a single vector.

    Example:
        >>> import glassnet as gn
        >>> w = gn.tensor([[3.0, 4.0], [0.3, 0.4]], requires_grad=True)
        >>> apply_max_norm([w], 1.0)
        >>> w.data.round(6)
        array([[0.6, 0.8],
               [0.3, 0.4]], dtype=float32)

    Reference: Srivastava et al., "Dropout: A Simple Way to Prevent Neural Networks from
    Overfitting" (JMLR 2014), section 5.1; CS231n, "Regularization: max norm constraints".
    """
    if not max_norm > 0:
        raise ConfigError(f"apply_max_norm: expected max_norm > 0, but got {max_norm}.")
    for param in select_parameters(parameters, include, "apply_max_norm"):
        data = param.data
        unit_axes = tuple(range(1, data.ndim)) if data.ndim > 1 else None
        norms = np.sqrt(np.square(data).sum(axis=unit_axes, keepdims=True))
        data *= np.minimum(1.0, max_norm / np.maximum(norms, np.finfo(data.dtype).tiny))


def select_parameters(parameters: Iterable, include, where: str = "select_parameters") -> list:
    """The parameters a penalty applies to; see the module docstring for ``include``.

    Example:
        >>> import glassnet as gn
        >>> named = [("fc.weight", gn.zeros(2, 3)), ("fc.bias", gn.zeros(2))]
        >>> [p.shape for p in select_parameters(named, "weights")]
        [(2, 3)]
    """
    if isinstance(parameters, Tensor):
        raise ConfigError(
            f"{where}: expected an iterable of parameters, but got a single Tensor. "
            "Wrap it in a list: [param]."
        )
    if not (include in INCLUDE_CHOICES or callable(include)):
        raise ConfigError(
            f"{where}: expected include to be 'weights', 'all' or a callable "
            f"(name, param) -> bool, but got {include!r}."
        )
    selected = []
    for position, item in enumerate(parameters):
        name, param = item if isinstance(item, tuple) else (str(position), item)
        if not isinstance(param, Tensor):
            raise DTypeError(
                f"{where}: expected Tensors or (name, Tensor) pairs, but got "
                f"{type(param).__name__} at position {position}. Pass model.parameters() "
                "or model.named_parameters()."
            )
        if _included(include, name, param):
            selected.append(param)
    return selected


def _included(include: str | Callable, name: str, param: Tensor) -> bool:
    if include == "all":
        return True
    if include == "weights":
        return param.ndim >= 2 and not name.endswith("bias")
    return bool(include(name, param))


def _total(terms: list) -> Tensor:
    if not terms:
        return Tensor._wrap(np.zeros((), dtype=np.float32))
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total
