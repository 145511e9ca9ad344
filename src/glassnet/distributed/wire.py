"""The two messages of the parameter server, each one preallocated buffer of named fields.

A message is one contiguous byte buffer sent as is (no pickling, no per-field calls); the
fields are typed NumPy views into it, each starting on an 8-byte boundary:

- a **task** (server → worker): the current weights and batch-norm buffers, the version
  (server step) they belong to, a command (``GO`` with the example indices of one batch,
  or ``STOP`` with the reason);
- a **result** (worker → server): the gradient of the batch's loss at those weights, how
  the batch moved the worker's batch-norm buffers, the loss, the number of correct
  predictions, and whether the worker received a signal.

Example:
    >>> import numpy as np
    >>> message = Message({"weights": (np.float32, 3), "header": (np.int64, 2)})
    >>> message["weights"][:] = [1, 2, 3]
    >>> message.buffer.nbytes, message["header"].tolist()
    (32, [0, 0])
"""

import numpy as np

GO, STOP = 0, 1  # task commands
# task header: command, number of indices, version, the stopping signal (0: none), failed
TASK_HEADER = 5
# result header: examples, correct predictions, SIGTERM seen, SIGINT seen
RESULT_HEADER = 4


class Message:
    """Named, typed fields laid out in one byte buffer (``buffer``) that MPI sends whole."""

    def __init__(self, fields: dict):
        offsets, end = {}, 0
        for name, (dtype, count) in fields.items():
            offsets[name] = end
            end += -(-np.dtype(dtype).itemsize * int(count) // 8) * 8  # round up to 8 bytes
        self.buffer = np.zeros(end, np.uint8)
        self.fields = {
            name: self.buffer[offsets[name]:offsets[name] + np.dtype(dtype).itemsize * count]
            .view(dtype)
            for name, (dtype, count) in fields.items()
        }

    def __getitem__(self, name: str) -> np.ndarray:
        return self.fields[name]


def task_message(dtype, weights: int, buffers: int, batch_size: int) -> Message:
    return Message({"weights": (dtype, weights), "buffers": (dtype, buffers),
                    "header": (np.int64, TASK_HEADER), "indices": (np.int64, batch_size)})


def result_message(dtype, weights: int, buffers: int, parameters: int) -> Message:
    return Message({"grads": (dtype, weights), "buffer_deltas": (dtype, buffers),
                    "has_grad": (np.int8, parameters), "header": (np.int64, RESULT_HEADER),
                    "loss": (np.float64, 1)})
