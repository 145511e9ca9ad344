"""A restricted unpickler for CIFAR "python version" batches, and nothing else.

Why this is safe: a pickle can only run code by naming a global (a class or function) that
the unpickler then calls. :class:`NumpyOnlyUnpickler` resolves exactly the globals a pickled
NumPy array needs, and refuses every other name before anything is imported or called:

- ``numpy.core.multiarray._reconstruct`` (how NumPy 1.x, which wrote the CIFAR files, pickles
  an array) and ``numpy._core.multiarray._reconstruct`` (NumPy 2): create an empty ndarray.
- ``numpy._core.numeric._frombuffer`` (NumPy 2, pickle protocol 5): view bytes as an array.
- ``numpy.ndarray`` and ``numpy.dtype``: the array type and its element type.

None of these executes code or touches files; everything else in a CIFAR batch (dicts, lists,
ints, byte strings) is built by pickle opcodes that call no global at all. The loaded content
is then checked against the expected schema by the caller. This is the one place glassnet
unpickles anything; models and checkpoints never use pickle.

Two of them allocate memory of a size the pickle chooses: ``_reconstruct(ndarray, shape,
dtype)`` and ``ndarray(shape, dtype)`` create an array of any shape from a few bytes (a
400 KB file could ask for 600 MB, or 600 GB). So both go through a budget: the arrays one
``load()`` creates may hold at most ``max_bytes`` in total, else
:class:`ArrayTooLargeError` is raised before the allocation. (``_frombuffer`` only views
bytes the pickle itself holds, and restoring an array's state checks its data length, so
neither can grow past the file's size.)

Example:
    >>> import io, pickle
    >>> import numpy as np
    >>> data = pickle.dumps({"data": np.zeros((2, 3), np.uint8), "labels": [1, 2]})
    >>> NumpyOnlyUnpickler(io.BytesIO(data)).load()["labels"]
    [1, 2]
    >>> evil = pickle.dumps(print)  # any global other than the four is refused
    >>> try:
    ...     NumpyOnlyUnpickler(io.BytesIO(evil)).load()
    ... except RefusedGlobalError as error:
    ...     print(error)
    refusing to load global builtins.print: only NumPy arrays are allowed
"""

import math
import pickle

import numpy as np
from numpy._core.multiarray import _reconstruct
from numpy._core.numeric import _frombuffer

ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


# The most array memory one load() may create (a CIFAR-10 batch needs about 31 MB).
MAX_ARRAY_BYTES = 256 * 2**20


class RefusedGlobalError(pickle.UnpicklingError):
    """The pickle names a global outside ``ALLOWED_GLOBALS``; nothing was called."""


class ArrayTooLargeError(pickle.UnpicklingError):
    """The pickle asks for more array memory than the unpickler's budget; nothing was
    allocated."""


class NumpyOnlyUnpickler(pickle.Unpickler):
    """An Unpickler that builds plain containers and NumPy arrays, and refuses everything else.

    Use ``encoding="latin1"`` for files written by Python 2 (as the CIFAR batches were): their
    byte strings then decode one-to-one, and NumPy accepts such strings as array data.

    Args:
        file: a binary file object holding the pickle.
        max_bytes: the most memory the arrays created by one ``load()`` may hold together.
        **kwargs: passed to ``pickle.Unpickler`` (e.g. ``encoding="latin1"``).
    """

    def __init__(self, file, *, max_bytes: int = MAX_ARRAY_BYTES, **kwargs):
        super().__init__(file, **kwargs)
        self.max_bytes = max_bytes
        self.bytes_allocated = 0
        # One bound method each, so that _reconstruct can recognise the array type by identity.
        self._array_type = self._new_array
        self._bounded = {_reconstruct: self._reconstruct, np.ndarray: self._array_type}

    def find_class(self, module: str, name: str):
        try:
            found = ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise RefusedGlobalError(
                f"refusing to load global {module}.{name}: only NumPy arrays are allowed"
            ) from None
        return self._bounded.get(found, found)

    def _reconstruct(self, subtype, shape, dtype):
        if subtype is not self._array_type:
            raise RefusedGlobalError(
                f"refusing to reconstruct an array of type {subtype!r}: only numpy.ndarray"
            )
        self._reserve(shape, dtype)
        return _reconstruct(np.ndarray, shape, dtype)

    def _new_array(self, shape, dtype=float, *args, **kwargs):
        self._reserve(shape, dtype)
        return np.ndarray(shape, dtype, *args, **kwargs)

    def _reserve(self, shape, dtype) -> None:
        dims = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
        if not all(isinstance(size, int) and size >= 0 for size in dims):
            raise pickle.UnpicklingError(f"refusing an array of shape {shape!r}")
        size = math.prod(dims) * np.dtype(dtype).itemsize
        if self.bytes_allocated + size > self.max_bytes:
            raise ArrayTooLargeError(
                f"refusing an array of shape {tuple(dims)} and dtype {np.dtype(dtype)} "
                f"({size:,} bytes): the arrays of one file may hold at most {self.max_bytes:,} "
                "bytes"
            )
        self.bytes_allocated += size
