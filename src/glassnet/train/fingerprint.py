"""``Fingerprint``: what a run started from, as hashes in the run folder's fingerprint.json.

Two runs that differ in one factor are a fair comparison only if everything else was the
same: the training data after the split and the preprocessing, the initial weights, and the
order of the batches. Hashing them when a run starts turns "held fixed" from a promise into
something a report can check run against run (``glassnet.experiments`` does):

- ``data``: SHA-256 of the training inputs and labels exactly as the model sees them;
- ``initial_weights``: SHA-256 of every parameter and buffer before the first step;
- ``batch_order``: SHA-256 of what decides the batches given the data — the loader's
  generator state, batch size and sampling;
- ``steps_per_epoch`` and ``train_examples``, which the curves need to place the steps.

A resumed run keeps the fingerprint of its start.
"""

import hashlib
import json
from pathlib import Path

import numpy as np

from glassnet.atomic_write import atomic_write

FILE_NAME = "fingerprint.json"


class Fingerprint:
    """Write ``folder``/fingerprint.json when a run starts from step 0."""

    def __init__(self, folder):
        self.path = Path(folder) / FILE_NAME

    def on_train_begin(self, state) -> None:
        if state.step > 0:  # resumed: the run started earlier, from what was hashed then
            return
        loader = state.trainer.loader
        # A distributed run's ShardedLoader wraps the global loader: fingerprint the latter,
        # which is what every process shares (glassnet.distributed.sharding).
        loader = getattr(loader, "loader", loader)
        record = {
            "data": hash_arrays(loader.arrays),
            "initial_weights": hash_arrays(state.trainer.model.state_dict().items()),
            "batch_order": _hash_json({"generator": loader.generator.bit_generator.state,
                                       "batch_size": loader.batch_size,
                                       "shuffle": loader.shuffle, "sampler": loader.sampler,
                                       "drop_last": loader.drop_last}),
            "steps_per_epoch": len(loader),
            "train_examples": loader.num_examples,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, json.dumps(record, indent=2) + "\n")


def hash_arrays(arrays) -> str:
    """SHA-256 over arrays (or ``(name, array)`` pairs): names, shapes, dtypes and bytes.

    Example:
        >>> a = hash_arrays([np.zeros(3, np.float32)])
        >>> a == hash_arrays([np.zeros(3, np.float32)]), a == hash_arrays([np.zeros(3)])
        (True, False)
    """
    digest = hashlib.sha256()
    for item in arrays:
        name, array = item if isinstance(item, tuple) else ("", item)
        array = np.ascontiguousarray(getattr(array, "data", array))
        digest.update(f"{name}|{array.shape}|{array.dtype.str}|".encode())
        digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()


def _hash_json(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()
