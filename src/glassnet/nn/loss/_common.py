"""Shared by the losses: reductions, target checks, a stable row-wise log-sum-exp."""

import numpy as np

from glassnet.errors import DTypeError, ShapeError
from glassnet.tensor import Tensor

KL_REDUCTIONS = ("batchmean", "mean", "sum", "none")


def reduce_losses(losses: Tensor, reduction: str) -> Tensor:
    """Apply ``reduction`` to a Tensor of losses; the mean over nothing is 0 (the
    empty-batch rule of ``glassnet.nn.loss``)."""
    if reduction == "none":
        return losses
    if reduction == "sum" or losses.size == 0:
        return losses.sum()
    return losses.mean()


def batch_and_classes(x, where: str, what: str) -> tuple:
    shape = np.shape(x.data if isinstance(x, Tensor) else x)
    if len(shape) != 2:
        raise ShapeError(
            f"{where}: expected {what} of shape (N, C), but got shape {shape}. "
            "Add a batch axis with unsqueeze(0) for a single example."
        )
    return shape


def matching_targets(input, target, where: str, cast: bool = False):
    """Check that ``target`` has ``input``'s shape; return it as a Tensor or an array."""
    target_array = np.asarray(target.data if isinstance(target, Tensor) else target)
    if target_array.shape != input.shape:
        raise ShapeError(
            f"{where}: expected target of the input's shape {input.shape}, but got "
            f"{target_array.shape}. Reshape one of them; glassnet does not broadcast targets."
        )
    if target_array.dtype.kind != "f":
        if not cast or target_array.dtype.kind not in "biu":
            raise DTypeError(
                f"{where}: expected floating targets, but got dtype {target_array.dtype}. "
                "Cast them, e.g. target.astype(np.float32)."
            )
        return target_array.astype(input.dtype)
    # A plain array takes the input's dtype, so float32 losses stay float32.
    return target if isinstance(target, Tensor) else target_array.astype(input.dtype)


def logsumexp_rows(x: np.ndarray) -> np.ndarray:
    shift = x.max(axis=1, keepdims=True)
    return shift + np.log(np.exp(x - shift).sum(axis=1, keepdims=True))
