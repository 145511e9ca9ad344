"""Softmax cross-entropy as one fused op: log-softmax and the negative log-likelihood together.

Why fused: written with primitives, cross-entropy is ``logsumexp(x) − x[y]``, which keeps
several (N, C) intermediates and walks the graph through three ops. Fused, the forward
computes the log-softmax once (shifted by the row maximum, so large logits never overflow)
and the backward is one line, ``(softmax − target distribution) / N``. It is tested against
that composite (``logsumexp`` and ``index``) and against ``torch.nn.functional.cross_entropy``.

Math, for logits x of shape (N, C), a target distribution q over the C classes and the
label-smoothing factor ε:

    log p_ij = x_ij − m_i − log Σ_k e^(x_ik − m_i),    m_i = max_k x_ik
    q'_ij    = (1 − ε) q_ij + ε / C
    L_i      = −Σ_j q'_ij log p_ij
    dL_i/dx_ij = p_ij − q'_ij          (and dL_i/dq_ij = −(1 − ε) log p_ij)

With integer class targets y, q is the one-hot row of y_i, and L_i (ε = 0) is −log p_iy.

Empty batch rule (RELIABILITY B4): logits of shape (0, C) give a loss of 0 for the ``"mean"``
and ``"sum"`` reductions (an empty batch contributes nothing; no 0/0 is computed) and an
empty (0,) array for ``"none"``; the gradient has shape (0, C).
"""

import numpy as np

from glassnet.autograd.function import Function
from glassnet.errors import ConfigError, DTypeError, ShapeError
from glassnet.tensor import array_of

REDUCTIONS = ("mean", "sum", "none")


class SoftmaxCrossEntropy(Function):
    """Mean / summed / per-example cross-entropy between softmax(logits) and targets.

    ``targets`` is either an int array of class ids (N,) or a float array of class
    probabilities (N, C). The ``softmax_cross_entropy`` function below validates its inputs;
    this class trusts them.

    Forward:  L_i = −Σ_j q'_ij log softmax(x)_ij   (see the module docstring)
    Backward: dL/dx = (softmax(x) − q') · dL/dL_i  (÷ N for ``reduction="mean"``)
    """

    __slots__ = ()

    def forward(self, logits, targets, reduction, label_smoothing):
        n_classes = logits.shape[1]
        shifted = logits - logits.max(axis=1, keepdims=True)
        probs = np.exp(shifted)
        total = probs.sum(axis=1, keepdims=True)
        probs /= total
        log_probs = shifted
        log_probs -= np.log(total)
        keep = 1 - label_smoothing
        if targets.ndim == 1:
            losses = log_probs[np.arange(len(targets)), targets] * -keep
        else:
            losses = np.einsum("ij,ij->i", targets, log_probs) * -keep
        if label_smoothing:
            losses -= log_probs.sum(axis=1) * (label_smoothing / n_classes)
        needs_targets = self.needs_input_grad[1]
        self.save_for_backward(
            probs, targets, reduction, label_smoothing, log_probs if needs_targets else None
        )
        return _reduce(losses, reduction, logits.dtype)

    def backward(self, grad_loss):
        probs, targets, reduction, label_smoothing, log_probs = self.saved
        n, n_classes = probs.shape
        scale = _per_example_scale(grad_loss, reduction, n)
        keep = 1 - label_smoothing
        grad_logits = probs * scale
        if targets.ndim == 1:
            hit = scale * keep
            grad_logits[np.arange(n), targets] -= hit[:, 0] if np.ndim(hit) == 2 else hit
        else:
            grad_logits -= targets * (scale * keep)
        if label_smoothing:
            grad_logits -= scale * (label_smoothing / n_classes)
        grad_targets = None
        if self.needs_input_grad[1]:
            grad_targets = log_probs * (scale * -keep)
        return grad_logits, grad_targets


def softmax_cross_entropy(
    logits, targets, *, reduction: str = "mean", label_smoothing: float = 0.0, name: str = ""
):
    """Cross-entropy between ``softmax(logits)`` and ``targets``, fused and numerically stable.

    Args:
        logits: Tensor of unnormalized class scores, shape (N, C), floating.
        targets: class ids (int Tensor/array/list of shape (N,), each in [0, C)) or class
            probabilities (float Tensor/array of shape (N, C)).
        reduction: ``"mean"`` (over the N examples), ``"sum"`` or ``"none"`` (shape (N,)).
        label_smoothing: ε in [0, 1]; the target becomes (1 − ε)·target + ε/C.
        name: the function name used in error messages (``cross_entropy`` calls this).

    Returns:
        A Tensor: a scalar, or shape (N,) for ``reduction="none"``.

    Raises:
        ShapeError: logits not (N, C), or targets of the wrong length or shape.
        DTypeError: float class ids (use int64) or non-floating logits.
        ValueError: class ids outside [0, C) (the message names their min and max).
        ConfigError: an unknown reduction or ε outside [0, 1].

    Example:
        >>> import glassnet as gn
        >>> logits = gn.tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]], requires_grad=True)
        >>> loss = softmax_cross_entropy(logits, [0, 2])
        >>> round(loss.item(), 4)    # (−log(e²/(e²+2)) − log(1/3)) / 2
        0.6691
        >>> loss.backward()
        >>> logits.grad.round(4)
        array([[-0.1065,  0.0533,  0.0533],
               [ 0.1667,  0.1667, -0.3333]], dtype=float32)

    Reference: the softmax classifier of CS231n; label smoothing from Szegedy et al.,
    "Rethinking the Inception Architecture for Computer Vision" (2016).
    """
    where = name or "softmax_cross_entropy"
    check_reduction(reduction, where)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ConfigError(
            f"{where}: expected label_smoothing in [0, 1], but got {label_smoothing}. "
            "Use e.g. 0.1, or 0 for none."
        )
    logits_array = array_of(logits)
    logits_array = np.asarray(logits_array)
    if logits_array.ndim != 2:
        raise ShapeError(
            f"{where}: expected logits of shape (N, C), but got shape {logits_array.shape}. "
            "Flatten extra axes first, or add a batch axis with unsqueeze(0)."
        )
    if logits_array.dtype.kind != "f":
        raise DTypeError(
            f"{where}: expected floating logits, but got dtype {logits_array.dtype}. "
            "Cast them, e.g. logits.astype(np.float32)."
        )
    n, n_classes = logits_array.shape
    if n_classes == 0:
        raise ShapeError(f"{where}: expected at least one class, but got logits of shape {(n, 0)}.")
    target_array = np.asarray(array_of(targets))
    if target_array.dtype.kind == "f" and target_array.ndim == 2:
        if target_array.shape != logits_array.shape:
            raise ShapeError(
                f"{where}: expected probability targets of the logits' shape {(n, n_classes)}, "
                f"but got {target_array.shape}."
            )
        # Probability targets: a Tensor keeps its place in the graph (it may need a grad).
        targets = targets if hasattr(targets, "data") else target_array
    else:
        targets = check_class_targets(target_array, n, n_classes, where)
    return SoftmaxCrossEntropy.apply(
        logits, targets, reduction=reduction, label_smoothing=float(label_smoothing)
    )


def check_class_targets(targets, n: int, n_classes: int, where: str) -> np.ndarray:
    """Validate integer class ids for N examples and C classes; return them as an int array.

    Raises:
        DTypeError: the ids are not integers (float labels, booleans).
        ShapeError: the ids are not a vector of length N.
        ValueError: an id is outside [0, C); the message names the min and the max.

    Example:
        >>> check_class_targets([2, 0], 2, 3, "demo").tolist()
        [2, 0]
    """
    targets = np.asarray(array_of(targets))
    if targets.dtype.kind not in "iu":
        raise DTypeError(
            f"{where}: expected integer class ids, but got dtype {targets.dtype}. "
            "Pass labels as int64, e.g. np.asarray(labels, dtype=np.int64)."
        )
    if targets.shape != (n,):
        raise ShapeError(
            f"{where}: expected class ids of shape ({n},) (one per example), but got shape "
            f"{targets.shape}. Check that inputs and targets come from the same batch."
        )
    if n:
        low, high = int(targets.min()), int(targets.max())
        if low < 0 or high >= n_classes:
            raise ValueError(
                f"{where}: expected class ids in [0, {n_classes - 1}] for {n_classes} "
                f"classes, but got min {low} and max {high}. Check the labels or the number "
                "of classes of the output layer."
            )
    return targets


def check_reduction(reduction: str, where: str, valid: tuple = REDUCTIONS) -> None:
    """Raise ``ConfigError`` for an unknown reduction, listing the valid ones."""
    if reduction not in valid:
        raise ConfigError(
            f"{where}: expected reduction to be one of {', '.join(map(repr, valid))}, but got "
            f"{reduction!r}."
        )


def _reduce(losses: np.ndarray, reduction: str, dtype) -> np.ndarray:
    if reduction == "none":
        return losses.astype(dtype, copy=False)
    total = losses.sum(dtype=dtype)
    if reduction == "mean" and len(losses):
        total = total / len(losses)
    return np.asarray(total, dtype=dtype)


def _per_example_scale(grad_loss: np.ndarray, reduction: str, n: int) -> np.ndarray:
    """dL/dL_i as an array that broadcasts over (N, C): (N, 1) for "none", else a scalar."""
    if reduction == "none":
        return grad_loss.reshape(n, 1)
    if reduction == "mean" and n:
        return grad_loss / n
    return grad_loss
