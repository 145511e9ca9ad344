"""Many arrays in one flat vector, so that one message carries them all.

An all-reduce costs a fixed latency per call plus a time per byte. One call per parameter
would pay the latency a dozen times per step; one call on a flat vector of every gradient
pays it once (PyTorch's DDP does the same with its gradient "buckets"). ``FlatLayout``
records where each array lives in the vector; ``gather`` copies the arrays in and
``scatter`` copies them back out.

Example:
    >>> import numpy as np
    >>> a, b = np.ones((2, 2), np.float32), np.arange(3, dtype=np.float32)
    >>> layout = FlatLayout([a.shape, b.shape])
    >>> vector = np.zeros(layout.size, np.float32)
    >>> layout.gather([a, b], vector, scale=0.5)
    >>> vector
    array([0.5, 0.5, 0.5, 0.5, 0. , 0.5, 1. ], dtype=float32)
    >>> layout.scatter(vector, [a, b])
    >>> b
    array([0. , 0.5, 1. ], dtype=float32)
"""

import math

import numpy as np


class FlatLayout:
    """The offsets of arrays of the given ``shapes`` laid end to end in one vector."""

    def __init__(self, shapes):
        self.shapes = [tuple(shape) for shape in shapes]
        self.sizes = [math.prod(shape) for shape in self.shapes]
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes, dtype=np.int64)]).tolist()
        self.size = self.offsets[-1]

    def gather(self, arrays, vector: np.ndarray, scale: float | None = None) -> None:
        """Copy ``arrays`` (times ``scale``) into ``vector[:size]``; None stands for zeros."""
        for array, start, end in zip(arrays, self.offsets, self.offsets[1:]):
            part = vector[start:end]
            if array is None:
                part[...] = 0
            elif scale is None:
                part[...] = array.ravel()
            else:
                np.multiply(array.ravel(), scale, out=part, casting="same_kind")

    def scatter(self, vector: np.ndarray, arrays) -> None:
        """Copy ``vector[:size]`` back into ``arrays``, in place (cast to each one's dtype)."""
        for array, start, end in zip(arrays, self.offsets, self.offsets[1:]):
            array[...] = vector[start:end].reshape(array.shape)

    def split(self, vector: np.ndarray) -> list:
        """Views of ``vector[:size]`` shaped like the arrays (no copy)."""
        return [vector[start:end].reshape(shape)
                for shape, start, end in zip(self.shapes, self.offsets, self.offsets[1:])]


def trainable_parameters(model) -> list:
    """The parameters whose gradients travel: those that require one."""
    return [param for param in model.parameters() if param.requires_grad]


def float_buffers(model) -> list:
    """The arrays of the model's floating-point buffers (batch norm's running statistics);
    counters such as ``num_batches_tracked`` advance alike everywhere and stay out."""
    return [buffer.data for _, buffer in model.named_buffers() if buffer.data.dtype.kind == "f"]
