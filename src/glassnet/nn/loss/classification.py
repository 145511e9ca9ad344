"""Classification losses: softmax cross-entropy, NLL, the multiclass SVM (hinge) loss and
binary cross-entropy."""

import math

import numpy as np

from glassnet import ops
from glassnet.errors import ConfigError
from glassnet.nn.loss._common import (
    batch_and_classes,
    matching_targets,
    reduce_losses,
)
from glassnet.ops.fused.softmax_cross_entropy import (
    check_class_targets,
    check_reduction,
    softmax_cross_entropy,
)


def cross_entropy(logits, targets, *, reduction: str = "mean", label_smoothing: float = 0.0):
    """Softmax cross-entropy, fused and numerically stable (log-sum-exp).

    L_i = −log softmax(x_i)[y_i] = log Σ_j e^(x_ij) − x_iy; with probability targets q,
    L_i = −Σ_j q_ij log softmax(x_i)_j; label smoothing ε replaces the target by
    (1 − ε)·target + ε/C. A model with C classes and small weights starts near ln C
    (2.302 for 10 classes) — the course's first sanity check.

    Args:
        logits: (N, C) unnormalized scores.
        targets: (N,) integer class ids in [0, C), or (N, C) class probabilities.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.
        label_smoothing: ε in [0, 1].

    Returns:
        The loss: a scalar Tensor, or (N,) for ``reduction="none"``.

    Raises:
        ValueError: class ids out of range (min and max named); ShapeError for a wrong
        shape; DTypeError for float class ids; ConfigError for a bad option.

    Example:
        >>> import glassnet as gn
        >>> round(cross_entropy(gn.zeros(4, 10), [0, 1, 2, 3]).item(), 3)   # ln 10
        2.303

    Reference: CS231n, "Linear classification: softmax classifier".
    """
    return softmax_cross_entropy(
        logits,
        targets,
        reduction=reduction,
        label_smoothing=label_smoothing,
        name="cross_entropy",
    )


def nll_loss(log_probs, targets, *, reduction: str = "mean"):
    """Negative log-likelihood of the target classes: L_i = −log_probs[i, y_i].

    Use it after an explicit ``log_softmax``; ``cross_entropy`` does both in one stable op.

    Args:
        log_probs: (N, C) log-probabilities.
        targets: (N,) integer class ids in [0, C).
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.

    Example:
        >>> import glassnet as gn
        >>> log_probs = gn.tensor([[-0.5, -1.0], [-2.0, -0.1]])
        >>> round(nll_loss(log_probs, [0, 1]).item(), 4)    # (0.5 + 0.1) / 2
        0.3
    """
    check_reduction(reduction, "nll_loss")
    n, n_classes = batch_and_classes(log_probs, "nll_loss", "log_probs")
    targets = check_class_targets(targets, n, n_classes, "nll_loss")
    picked = ops.index(log_probs, (np.arange(n), targets))
    return reduce_losses(-picked, reduction)


def multi_margin_loss(scores, targets, *, margin: float = 1.0, p: int = 1, reduction="mean"):
    """Multiclass SVM (hinge) loss: L_i = Σ_{j≠y_i} max(0, s_j − s_{y_i} + margin)^p.

    ``p=1`` is the hinge loss of the course, ``p=2`` its squared variant. The gradient at a
    margin of exactly 0 is 0 (``relu``'s convention, and PyTorch's).

    NOTE: PyTorch's ``multi_margin_loss`` divides each L_i by the number of classes C;
    glassnet follows the course (and Weston & Watkins) and does not, so that the lecture's
    numbers come out: multiply PyTorch's value by C to compare.

    Args:
        scores: (N, C) class scores.
        targets: (N,) integer class ids in [0, C).
        margin: Δ > 0 (1 by default; only its ratio to the weight penalty matters).
        p: 1 (hinge) or 2 (squared hinge).
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.

    Example:
        The course's example: scores for cat, car and frog images.

        >>> import glassnet as gn
        >>> scores = gn.tensor([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
        >>> multi_margin_loss(scores, [0, 1, 2], reduction="none").data.round(2)
        array([ 2.9,  0. , 12.9], dtype=float32)

    Reference: CS231n, "Linear classification: multiclass SVM loss"; Weston & Watkins,
    "Support vector machines for multi-class pattern recognition" (1999).
    """
    where = "multi_margin_loss"
    check_reduction(reduction, where)
    if p not in (1, 2):
        raise ConfigError(f"{where}: expected p to be 1 or 2, but got {p!r}.")
    if not margin > 0:
        raise ConfigError(f"{where}: expected margin > 0, but got {margin}.")
    n, n_classes = batch_and_classes(scores, where, "scores")
    targets = check_class_targets(targets, n, n_classes, where)
    rows = np.arange(n)
    correct = ops.index(scores, (rows, targets))
    hinge = ops.relu(scores - ops.unsqueeze(correct, 1) + margin)
    if p == 2:
        hinge = hinge * hinge
    others = np.ones((n, n_classes), dtype=scores.dtype)
    others[rows, targets] = 0  # the j = y_i term is excluded from the sum
    return reduce_losses((hinge * others).sum(axis=1), reduction)


def binary_cross_entropy_with_logits(logits, targets, *, reduction: str = "mean"):
    """Binary cross-entropy on logits, stable for any logit size.

    L = −[t log σ(x) + (1 − t) log(1 − σ(x))] = max(x, 0) − x·t + log(1 + e^(−|x|)),
    which never exponentiates a positive number. dL/dx = σ(x) − t, also at x = 0 (the
    ``maximum`` op splits its gradient evenly at the tie).

    Args:
        logits: any shape.
        targets: the same shape, values in [0, 1]; integer or boolean labels are cast to
            the logits' dtype.
        reduction: ``"mean"`` (over all elements), ``"sum"`` or ``"none"``.

    Example:
        >>> import glassnet as gn
        >>> loss = binary_cross_entropy_with_logits(gn.tensor([0.0, 1000.0]), [1, 1])
        >>> round(loss.item(), 4)    # (ln 2 + 0) / 2
        0.3466
    """
    where = "binary_cross_entropy_with_logits"
    check_reduction(reduction, where)
    targets = matching_targets(logits, targets, where, cast=True)
    x = logits
    losses = ops.maximum(x, 0.0) - x * targets + ops.log(1.0 + ops.exp(-ops.abs(x)))
    return reduce_losses(losses, reduction)


def binary_cross_entropy(probs, targets, *, reduction: str = "mean"):
    """Binary cross-entropy on probabilities: L = −[t log p + (1 − t) log(1 − p)].

    Each log is clamped at −100 (PyTorch's convention), so p = 0 or 1 gives a large but
    finite loss instead of inf; the gradient there is 0. Prefer
    ``binary_cross_entropy_with_logits``, which is exact for any logit.

    Args:
        probs: probabilities in [0, 1], any shape (e.g. a sigmoid's output).
        targets: the same shape, values in [0, 1]; integer or boolean labels are cast.
        reduction: ``"mean"`` (over all elements), ``"sum"`` or ``"none"``.

    Raises:
        ValueError: a probability outside [0, 1] (the message gives the min and max).

    Example:
        >>> import glassnet as gn
        >>> round(binary_cross_entropy(gn.tensor([0.5, 0.9]), [1, 1]).item(), 4)
        0.3993
    """
    where = "binary_cross_entropy"
    check_reduction(reduction, where)
    targets = matching_targets(probs, targets, where, cast=True)
    if probs.size:
        low, high = float(probs.data.min()), float(probs.data.max())
        if not (low >= 0 and high <= 1):
            raise ValueError(
                f"{where}: expected probabilities in [0, 1], but got min {low} and max {high}. "
                "Apply a sigmoid first, or use binary_cross_entropy_with_logits on the logits."
            )
    floor = math.exp(-100)  # log(floor) = −100, the clamp
    log_p = ops.log(ops.clip(probs, floor, None))
    log_not_p = ops.log(ops.clip(1.0 - probs, floor, None))
    return reduce_losses(-(targets * log_p + (1.0 - targets) * log_not_p), reduction)


