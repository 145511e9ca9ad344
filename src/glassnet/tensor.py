"""``Tensor``: a NumPy array that remembers the ops that made it.

``.data`` is the ndarray itself; ``.grad`` is an ndarray of the same shape (or ``None``)
filled by ``backward``; ``.requires_grad`` says whether ops on this tensor are recorded.
Every method and operator is a one-line delegation to an op in ``glassnet.ops``, where the
math (forward and backward) lives.

Dtype policy: ``gn.tensor`` turns floating data (lists, Python floats, float64 arrays) into
float32 unless ``dtype`` asks otherwise; float64 works end to end when asked for. Integer
and boolean data keep their dtype and cannot require gradients. Binary ops follow NumPy's
promotion (``float32 tensor * 2.0`` stays float32; ``float32 + float64`` is float64).
"""

import numpy as np

from glassnet.errors import DTypeError

_REJECTED_KINDS = {
    "O": "object",
    "U": "string",
    "S": "bytes",
    "V": "void",
    "c": "complex",
    "M": "datetime",
    "m": "timedelta",
}


class Tensor:
    """An n-dimensional array with automatic differentiation.

    Create tensors with ``gn.tensor(...)`` (which copies and validates its input) or the
    constructors ``gn.zeros``, ``gn.randn``, ...

    Example:
        >>> import glassnet as gn
        >>> x = gn.tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> y = (x * x).sum()
        >>> y.backward()
        >>> x.grad
        array([2., 4., 6.], dtype=float32)
    """

    __slots__ = ("_ctx", "_requires_grad", "data", "grad")

    # Make NumPy hand `ndarray <op> Tensor` to our reflected operators instead of converting
    # the tensor into an array and dropping the graph.
    __array_ufunc__ = None

    def __init__(self, data, *, dtype=None, requires_grad: bool = False):
        self.data = _to_array(data, dtype)
        self.grad = None
        self._ctx = None
        self._requires_grad = False
        self.requires_grad = requires_grad

    @classmethod
    def _wrap(cls, data: np.ndarray, requires_grad: bool = False) -> "Tensor":
        """Wrap an array the ops produced, without copying or validating it."""
        tensor = object.__new__(cls)
        tensor.data = data if isinstance(data, np.ndarray) else np.asarray(data)
        tensor.grad = None
        tensor._ctx = None
        tensor._requires_grad = requires_grad
        return tensor

    # ----- autograd -----------------------------------------------------------------------

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and self.data.dtype.kind != "f":
            raise DTypeError(
                f"tensor: only floating tensors can require gradients, but got dtype "
                f"{self.data.dtype}. Create it with a float dtype, e.g. dtype='float32'."
            )
        self._requires_grad = bool(value)

    @property
    def is_leaf(self) -> bool:
        """True for tensors created by the user rather than computed by an op."""
        return self._ctx is None

    def backward(self, grad=None, *, retain_graph: bool = False) -> None:
        """Compute the gradient of this tensor with respect to every leaf that needs one.

        Args:
            grad: dL/d(self). Optional for a single-element tensor (taken as 1).
            retain_graph: keep the saved arrays so that backward can run again through the
                same graph. By default they are freed.
        """
        engine.backward(self, grad, retain_graph=retain_graph)

    def detach(self) -> "Tensor":
        """The same data (shared, not copied) as a new tensor outside the graph."""
        return Tensor._wrap(self.data)

    # ----- array facts ----------------------------------------------------------------------

    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    def __len__(self) -> int:
        return len(self.data)

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def item(self):
        """The value of a one-element tensor as a Python number."""
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None):
        if copy:
            return np.array(self.data, dtype=dtype, copy=True)
        return self.data if dtype is None else self.data.astype(dtype, copy=False)

    def __bool__(self) -> bool:
        return bool(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extras = ""
        if self.data.dtype != np.float32:
            extras += f", dtype={self.data.dtype}"
        if self._requires_grad:
            extras += ", requires_grad=True"
        return f"tensor({body}{extras})"

    # Comparisons give plain boolean tensors; they are not differentiable.
    def __lt__(self, other):
        return Tensor._wrap(self.data < array_of(other))

    def __le__(self, other):
        return Tensor._wrap(self.data <= array_of(other))

    def __gt__(self, other):
        return Tensor._wrap(self.data > array_of(other))

    def __ge__(self, other):
        return Tensor._wrap(self.data >= array_of(other))

    def __eq__(self, other):
        return Tensor._wrap(self.data == array_of(other))

    def __ne__(self, other):
        return Tensor._wrap(self.data != array_of(other))

    __hash__ = object.__hash__

    # ----- arithmetic operators -------------------------------------------------------------

    def __add__(self, other):
        return ops.add(self, other)

    def __radd__(self, other):
        return ops.add(other, self)

    def __sub__(self, other):
        return ops.sub(self, other)

    def __rsub__(self, other):
        return ops.sub(other, self)

    def __mul__(self, other):
        return ops.mul(self, other)

    def __rmul__(self, other):
        return ops.mul(other, self)

    def __truediv__(self, other):
        return ops.div(self, other)

    def __rtruediv__(self, other):
        return ops.div(other, self)

    def __pow__(self, other):
        return ops.pow(self, other)

    def __rpow__(self, other):
        return ops.pow(other, self)

    def __matmul__(self, other):
        return ops.matmul(self, other)

    def __rmatmul__(self, other):
        return ops.matmul(other, self)

    def __neg__(self):
        return ops.neg(self)

    def __abs__(self):
        return ops.abs(self)

    def __getitem__(self, index):
        return ops.index(self, index)

    # ----- methods delegating to ops --------------------------------------------------------

    def exp(self):
        return ops.exp(self)

    def log(self):
        return ops.log(self)

    def sqrt(self):
        return ops.sqrt(self)

    def abs(self):
        return ops.abs(self)

    def tanh(self):
        return ops.tanh(self)

    def sigmoid(self):
        return ops.sigmoid(self)

    def relu(self):
        return ops.relu(self)

    def clip(self, min=None, max=None):
        return ops.clip(self, min, max)

    def maximum(self, other):
        return ops.maximum(self, other)

    def minimum(self, other):
        return ops.minimum(self, other)

    def matmul(self, other):
        return ops.matmul(self, other)

    def sum(self, axis=None, keepdims: bool = False):
        return ops.sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims: bool = False):
        return ops.mean(self, axis=axis, keepdims=keepdims)

    def var(self, axis=None, keepdims: bool = False, ddof: int = 0):
        return ops.var(self, axis=axis, keepdims=keepdims, ddof=ddof)

    def max(self, axis=None, keepdims: bool = False):
        return ops.max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims: bool = False):
        return ops.min(self, axis=axis, keepdims=keepdims)

    def logsumexp(self, axis=None, keepdims: bool = False):
        return ops.logsumexp(self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape):
        return ops.reshape(self, _shape_arg(shape))

    def transpose(self, *axes):
        return ops.transpose(self, _shape_arg(axes) if axes else None)

    def permute(self, *axes):
        return ops.transpose(self, _shape_arg(axes))

    @property
    def T(self):  # noqa: N802 - NumPy's name
        return ops.transpose(self, None)

    def flatten(self, start_axis: int = 0, end_axis: int = -1):
        return ops.flatten(self, start_axis, end_axis)

    def squeeze(self, axis=None):
        return ops.squeeze(self, axis)

    def unsqueeze(self, axis: int):
        return ops.unsqueeze(self, axis)

    def broadcast_to(self, shape):
        return ops.broadcast_to(self, shape)


def _to_array(data, dtype) -> np.ndarray:
    """Copy ``data`` into a fresh array following the dtype policy in the module docstring."""
    if isinstance(data, Tensor):
        data = data.data
    try:
        array = np.array(data, dtype=dtype, copy=True)
    except (TypeError, ValueError) as error:
        raise DTypeError(
            f"tensor: expected numeric data (numbers, nested lists or an ndarray), but got "
            f"{type(data).__name__} that NumPy cannot convert ({error})."
        ) from None
    if array.dtype.kind in _REJECTED_KINDS:
        raise DTypeError(
            f"tensor: expected a bool, integer or floating dtype, but got "
            f"{_REJECTED_KINDS[array.dtype.kind]} data (dtype {array.dtype}). "
            "Convert it to numbers first, e.g. np.asarray(x, dtype=np.float32)."
        )
    if dtype is None and array.dtype.kind == "f" and array.dtype != np.float32:
        array = array.astype(np.float32)
    return array


def array_of(x):
    """The ndarray inside a Tensor, or ``x`` unchanged (an array, a number, a list).

    NOTE: not ``getattr(x, "data", x)``: an ndarray has a ``.data`` attribute too (its
    memoryview).
    """
    return x.data if isinstance(x, Tensor) else x


def _shape_arg(args: tuple) -> tuple:
    """Accept both ``t.reshape(2, 3)`` and ``t.reshape((2, 3))``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return args


from glassnet import ops  # noqa: E402  (ops import Tensor; the class must exist first)
from glassnet.autograd import engine  # noqa: E402
