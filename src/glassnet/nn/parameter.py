"""``Parameter`` and ``Buffer``: the two kinds of arrays a Module owns.

A ``Parameter`` is a Tensor that a model learns: it requires a gradient, ``parameters()``
yields it and optimizers update its ``.data`` in place. A ``Buffer`` is state that is not
learned but belongs to the model, such as batch norm's running statistics: it is saved in
``state_dict()`` and converted by ``to(dtype)``, but never yielded by ``parameters()`` and
never requires a gradient. A Module finds both by walking its attributes, so declaring one
is plain assignment: ``self.weight = Parameter(...)``, ``self.running_mean = Buffer(...)``.
"""

import numpy as np

from glassnet.errors import DTypeError
from glassnet.tensor import Tensor


def _as_array(data, dtype, where: str) -> np.ndarray:
    """``data`` as an array, keeping the dtype of Tensors and ndarrays (no copy)."""
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, np.ndarray) and dtype is None:
        array = data
    else:
        array = np.asarray(data, dtype=dtype)
        if dtype is None and array.dtype.kind == "f" and array.dtype != np.float32:
            array = array.astype(np.float32)
    if array.dtype.kind not in "biuf":
        raise DTypeError(
            f"{where}: expected numeric data, but got dtype {array.dtype}. "
            "Pass a NumPy array or a Tensor of numbers."
        )
    return array


class Parameter(Tensor):
    """A Tensor that is a learnable weight of a Module (``requires_grad=True``).

    An ndarray or a Tensor is wrapped without copying and keeps its dtype; other data
    (lists, numbers) is converted as ``gn.tensor`` does (floats become float32).

    Args:
        data: the initial values; must be floating.
        requires_grad: set False to freeze the parameter (it is still in ``parameters()``
            and ``state_dict()``).

    Example:
        >>> import numpy as np
        >>> from glassnet.nn import Parameter
        >>> w = Parameter(np.zeros((2, 3), dtype=np.float32))
        >>> w.requires_grad, w.shape
        (True, (2, 3))
    """

    __slots__ = ()

    def __init__(self, data, requires_grad: bool = True):
        array = _as_array(data, None, "Parameter")
        if array.dtype.kind != "f":
            raise DTypeError(
                f"Parameter: expected floating data, but got dtype {array.dtype}. "
                "Create it with a float dtype, e.g. np.zeros(shape, dtype=np.float32)."
            )
        self.data = array
        self.grad = None
        self._ctx = None
        self._requires_grad = bool(requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Buffer(Tensor):
    """A Tensor of module state that is saved but not learned (e.g. running statistics).

    Its ``.data`` is updated in place by the layer that owns it; it never requires a
    gradient. Integer buffers (a step counter) keep their dtype under ``Module.to``.

    Example:
        >>> import numpy as np
        >>> from glassnet.nn import Buffer
        >>> Buffer(np.ones(3, dtype=np.float32)).requires_grad
        False
    """

    __slots__ = ()

    def __init__(self, data):
        self.data = _as_array(data, None, "Buffer")
        self.grad = None
        self._ctx = None
        self._requires_grad = False

    def __repr__(self) -> str:
        return "Buffer containing:\n" + super().__repr__()
