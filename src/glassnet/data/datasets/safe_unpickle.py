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


class RefusedGlobalError(pickle.UnpicklingError):
    """The pickle names a global outside ``ALLOWED_GLOBALS``; nothing was called."""


class NumpyOnlyUnpickler(pickle.Unpickler):
    """An Unpickler that builds plain containers and NumPy arrays, and refuses everything else.

    Use ``encoding="latin1"`` for files written by Python 2 (as the CIFAR batches were): their
    byte strings then decode one-to-one, and NumPy accepts such strings as array data.
    """

    def find_class(self, module: str, name: str):
        try:
            return ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise RefusedGlobalError(
                f"refusing to load global {module}.{name}: only NumPy arrays are allowed"
            ) from None
