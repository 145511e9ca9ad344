"""Hand rank 0's whole training state to every other process.

At the start of a distributed run every process must hold the same weights, optimizer
state, data position, random generators and callback states (early stopping's patience,
a plateau schedule's rate), or their updates drift apart at once. Rank 0 may have just
resumed from a checkpoint the others cannot even see (on another machine), so it sends
exactly what a checkpoint would hold: ``training_checkpoint``'s tensors and metadata. The
metadata travels as JSON text, each tensor as its raw buffer; the others load it with the
same code that resumes from a file.
"""

import json

import numpy as np

from glassnet.train.resume import restore_training_state, training_checkpoint


def broadcast_training_state(comm, state, root: int = 0) -> None:
    """Make the trainer and TrainState of every process equal to those of ``root``."""
    if comm.world_size == 1:
        return
    if comm.rank == root:
        tensors, metadata = training_checkpoint(state)
        # np.require keeps a 0-d array 0-d (np.ascontiguousarray would make it (1,)).
        tensors = {name: np.require(array, requirements="C") for name, array in tensors.items()}
        manifest = {name: [array.dtype.str, list(array.shape)]
                    for name, array in tensors.items()}
        broadcast_text(comm, json.dumps({"metadata": metadata, "manifest": manifest}), root)
    else:
        header = json.loads(broadcast_text(comm, None, root))
        metadata, manifest = header["metadata"], header["manifest"]
        tensors = {name: np.empty(shape, dtype) for name, (dtype, shape) in manifest.items()}
    for name in sorted(tensors):
        comm.broadcast(tensors[name].reshape(-1), root)
    if comm.rank != root:
        restore_training_state(tensors, metadata, state, source=f"rank {root}'s training state")


def broadcast_text(comm, text: str | None, root: int = 0) -> str:
    """``root``'s string, on every process (its length first, then its UTF-8 bytes)."""
    data = np.frombuffer(text.encode(), np.uint8).copy() if comm.rank == root else None
    length = np.array([len(data) if data is not None else 0], np.int64)
    comm.broadcast(length, root)
    if data is None:
        data = np.empty(int(length[0]), np.uint8)
    comm.broadcast(data, root)
    return data.tobytes().decode()
