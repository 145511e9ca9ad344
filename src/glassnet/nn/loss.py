"""Loss functions and their ``*Loss`` modules.

Every loss takes the model's output first and the targets second and reduces with
``reduction``: ``"mean"`` (the default), ``"sum"`` or ``"none"`` (one value per example, or
per element for the element-wise losses). The math lives in the functions; each module is a
one-line ``forward`` around its function, for use inside models and trainers.

Empty batch rule (RELIABILITY B4), the same for every loss: over zero examples ``"mean"``
and ``"sum"`` give 0 (an empty batch contributes nothing, and no 0/0 is ever computed) and
``"none"`` gives an empty array.

Conventions where libraries differ are stated in each docstring: ``multi_margin_loss``
follows the course (no division by the number of classes, unlike PyTorch), and ``kl_div``
defaults to ``reduction="batchmean"``, the true KL divergence per example.
"""

import math

import numpy as np

from glassnet import ops
from glassnet.errors import ConfigError, DTypeError, ShapeError
from glassnet.nn.module import Module
from glassnet.ops.fused.softmax_cross_entropy import (
    check_class_targets,
    check_reduction,
    softmax_cross_entropy,
)
from glassnet.tensor import Tensor

KL_REDUCTIONS = ("batchmean", "mean", "sum", "none")


# ----- classification ---------------------------------------------------------------------


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
    n, n_classes = _batch_and_classes(log_probs, "nll_loss", "log_probs")
    targets = check_class_targets(targets, n, n_classes, "nll_loss")
    picked = ops.index(log_probs, (np.arange(n), targets))
    return _reduce(-picked, reduction)


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
    n, n_classes = _batch_and_classes(scores, where, "scores")
    targets = check_class_targets(targets, n, n_classes, where)
    rows = np.arange(n)
    correct = ops.index(scores, (rows, targets))
    hinge = ops.relu(scores - ops.unsqueeze(correct, 1) + margin)
    if p == 2:
        hinge = hinge * hinge
    others = np.ones((n, n_classes), dtype=scores.dtype)
    others[rows, targets] = 0  # the j = y_i term is excluded from the sum
    return _reduce((hinge * others).sum(axis=1), reduction)


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
    targets = _matching_targets(logits, targets, where, cast=True)
    x = logits
    losses = ops.maximum(x, 0.0) - x * targets + ops.log(1.0 + ops.exp(-ops.abs(x)))
    return _reduce(losses, reduction)


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
    targets = _matching_targets(probs, targets, where, cast=True)
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
    return _reduce(-(targets * log_p + (1.0 - targets) * log_not_p), reduction)


# ----- regression -------------------------------------------------------------------------


def mse_loss(input, target, *, reduction: str = "mean"):
    """Mean squared error: L = (x − t)², averaged over all elements by default.

    Shapes must match exactly: a silent broadcast of (N, 1) against (N,) is a classic bug.

    Example:
        >>> import glassnet as gn
        >>> mse_loss(gn.tensor([1.0, 2.0]), gn.tensor([0.0, 4.0])).item()    # (1 + 4) / 2
        2.5
    """
    check_reduction(reduction, "mse_loss")
    diff = input - _matching_targets(input, target, "mse_loss")
    return _reduce(diff * diff, reduction)


def l1_loss(input, target, *, reduction: str = "mean"):
    """Mean absolute error: L = |x − t|; its gradient at x = t is 0.

    Example:
        >>> import glassnet as gn
        >>> l1_loss(gn.tensor([1.0, 2.0]), gn.tensor([0.0, 4.0])).item()    # (1 + 2) / 2
        1.5
    """
    check_reduction(reduction, "l1_loss")
    return _reduce(ops.abs(input - _matching_targets(input, target, "l1_loss")), reduction)


# ----- distributions ----------------------------------------------------------------------


def kl_div(input, target, *, reduction: str = "batchmean", log_target: bool = False):
    """Kullback-Leibler divergence KL(target ‖ model), with ``input`` = the model's log-probs.

    Element-wise: t·(log t − x) (``0 · log 0 = 0``), or e^t·(t − x) with ``log_target=True``.

    ``reduction="batchmean"`` (the default here) sums and divides by the batch size N —
    the true KL divergence per example. NOTE: PyTorch's default ``"mean"`` divides by the
    number of *elements* (N·C), which is not a KL divergence; it is available by name.

    Args:
        input: log-probabilities of the model, shape (N, ...).
        target: probabilities (or log-probabilities with ``log_target=True``), same shape.
        reduction: ``"batchmean"``, ``"mean"``, ``"sum"`` or ``"none"``.
        log_target: whether ``target`` holds log-probabilities.

    Example:
        >>> import glassnet as gn
        >>> log_q = gn.tensor([[0.5, 0.5]]).log()
        >>> round(kl_div(log_q, gn.tensor([[1.0, 0.0]])).item(), 4)    # 1·log(1/0.5)
        0.6931
    """
    where = "kl_div"
    check_reduction(reduction, where, KL_REDUCTIONS)
    target = _matching_targets(input, target, where)
    if log_target:
        pointwise = ops.exp(target) * (target - input)
    else:
        positive = np.asarray(getattr(target, "data", target)) > 0
        # where() keeps log away from zeros: those elements contribute 0 · log 1 = 0.
        pointwise = target * (ops.log(ops.where(positive, target, 1.0)) - input)
    if reduction == "batchmean":
        n = input.shape[0] if input.ndim else 1
        total = pointwise.sum()
        return total / n if n else total
    return _reduce(pointwise, reduction)


def distillation_loss(student_logits, teacher_logits, targets, temperature: float, alpha: float):
    """Knowledge-distillation loss: softened teacher targets plus the hard-label loss.

        L = α · T² · KL(softmax(z_t / T) ‖ softmax(z_s / T)) + (1 − α) · CE(z_s, y)

    The soft term's gradient scales as 1/T², so the T² factor keeps both terms' gradients
    comparable as T changes. The teacher receives no gradient. The KL term is computed as
    the fused cross-entropy with the teacher's probabilities minus their (constant) entropy,
    so it is 0 when the student matches the teacher.

    Args:
        student_logits: (N, C) logits of the model being trained.
        teacher_logits: (N, C) logits of the trained teacher (treated as constants).
        targets: (N,) integer class ids for the hard-label term.
        temperature: T > 0; larger T softens both distributions.
        alpha: α in [0, 1], the weight of the soft term.

    Example:
        >>> import glassnet as gn
        >>> z = gn.tensor([[2.0, 0.5, -1.0]])
        >>> soft_only = distillation_loss(z, z, [0], temperature=4.0, alpha=1.0)
        >>> abs(soft_only.item()) < 1e-6    # student = teacher: nothing to distil
        True

    Reference: Hinton, Vinyals & Dean, "Distilling the Knowledge in a Neural Network" (2015).
    """
    where = "distillation_loss"
    if not temperature > 0:
        raise ConfigError(f"{where}: expected temperature > 0, but got {temperature}.")
    if not 0.0 <= alpha <= 1.0:
        raise ConfigError(f"{where}: expected alpha in [0, 1], but got {alpha}.")
    teacher = np.asarray(getattr(teacher_logits, "data", teacher_logits))
    n, n_classes = _batch_and_classes(student_logits, where, "student_logits")
    if teacher.shape != (n, n_classes):
        raise ShapeError(
            f"{where}: expected teacher_logits of the student's shape {(n, n_classes)}, but "
            f"got {teacher.shape}. Teacher and student must see the same batch and classes."
        )
    scaled = teacher / temperature
    log_q = scaled - _logsumexp_rows(scaled)
    q = np.exp(log_q)
    entropy = float(-np.einsum("ij,ij->", q, log_q) / n) if n else 0.0
    soft = softmax_cross_entropy(student_logits / temperature, q, name=where) - entropy
    hard = cross_entropy(student_logits, targets)
    return soft * (alpha * temperature**2) + hard * (1.0 - alpha)


# ----- modules ----------------------------------------------------------------------------


class CrossEntropyLoss(Module):
    """Module form of ``cross_entropy``: ``CrossEntropyLoss()(logits, targets)``.

    Example:
        >>> import glassnet as gn
        >>> round(CrossEntropyLoss()(gn.zeros(2, 10), [3, 7]).item(), 3)
        2.303
    """

    def __init__(self, *, reduction: str = "mean", label_smoothing: float = 0.0):
        super().__init__()
        check_reduction(reduction, "CrossEntropyLoss")
        self.reduction = reduction
        self.label_smoothing = label_smoothing

    def forward(self, logits, targets):
        return cross_entropy(
            logits, targets, reduction=self.reduction, label_smoothing=self.label_smoothing
        )

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, label_smoothing={self.label_smoothing}"


class NLLLoss(Module):
    """Module form of ``nll_loss``."""

    def __init__(self, *, reduction: str = "mean"):
        super().__init__()
        check_reduction(reduction, "NLLLoss")
        self.reduction = reduction

    def forward(self, log_probs, targets):
        return nll_loss(log_probs, targets, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class MultiMarginLoss(Module):
    """Module form of ``multi_margin_loss`` (the multiclass SVM loss, no division by C)."""

    def __init__(self, *, p: int = 1, margin: float = 1.0, reduction: str = "mean"):
        super().__init__()
        check_reduction(reduction, "MultiMarginLoss")
        self.p, self.margin, self.reduction = p, margin, reduction

    def forward(self, scores, targets):
        return multi_margin_loss(
            scores, targets, margin=self.margin, p=self.p, reduction=self.reduction
        )

    def extra_repr(self) -> str:
        return f"p={self.p}, margin={self.margin}, reduction={self.reduction!r}"


class MSELoss(Module):
    """Module form of ``mse_loss``."""

    def __init__(self, *, reduction: str = "mean"):
        super().__init__()
        check_reduction(reduction, "MSELoss")
        self.reduction = reduction

    def forward(self, input, target):
        return mse_loss(input, target, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class L1Loss(Module):
    """Module form of ``l1_loss``."""

    def __init__(self, *, reduction: str = "mean"):
        super().__init__()
        check_reduction(reduction, "L1Loss")
        self.reduction = reduction

    def forward(self, input, target):
        return l1_loss(input, target, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class BCEWithLogitsLoss(Module):
    """Module form of ``binary_cross_entropy_with_logits``."""

    def __init__(self, *, reduction: str = "mean"):
        super().__init__()
        check_reduction(reduction, "BCEWithLogitsLoss")
        self.reduction = reduction

    def forward(self, logits, targets):
        return binary_cross_entropy_with_logits(logits, targets, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class BCELoss(Module):
    """Module form of ``binary_cross_entropy`` (on probabilities)."""

    def __init__(self, *, reduction: str = "mean"):
        super().__init__()
        check_reduction(reduction, "BCELoss")
        self.reduction = reduction

    def forward(self, probs, targets):
        return binary_cross_entropy(probs, targets, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class KLDivLoss(Module):
    """Module form of ``kl_div`` (default ``reduction="batchmean"``)."""

    def __init__(self, *, reduction: str = "batchmean", log_target: bool = False):
        super().__init__()
        check_reduction(reduction, "KLDivLoss", KL_REDUCTIONS)
        self.reduction, self.log_target = reduction, log_target

    def forward(self, input, target):
        return kl_div(input, target, reduction=self.reduction, log_target=self.log_target)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, log_target={self.log_target}"


class DistillationLoss(Module):
    """Module form of ``distillation_loss``: ``loss(student_logits, teacher_logits, y)``."""

    def __init__(self, temperature: float, alpha: float):
        super().__init__()
        if not temperature > 0 or not 0.0 <= alpha <= 1.0:
            raise ConfigError(
                f"DistillationLoss: expected temperature > 0 and alpha in [0, 1], but got "
                f"temperature={temperature}, alpha={alpha}."
            )
        self.temperature, self.alpha = temperature, alpha

    def forward(self, student_logits, teacher_logits, targets):
        return distillation_loss(
            student_logits, teacher_logits, targets, self.temperature, self.alpha
        )

    def extra_repr(self) -> str:
        return f"temperature={self.temperature}, alpha={self.alpha}"


# ----- helpers ----------------------------------------------------------------------------


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    """Apply ``reduction`` to a Tensor of losses; the mean over nothing is 0 (see above)."""
    if reduction == "none":
        return losses
    if reduction == "sum" or losses.size == 0:
        return losses.sum()
    return losses.mean()


def _batch_and_classes(x, where: str, what: str) -> tuple:
    shape = np.shape(getattr(x, "data", x))
    if len(shape) != 2:
        raise ShapeError(
            f"{where}: expected {what} of shape (N, C), but got shape {shape}. "
            "Add a batch axis with unsqueeze(0) for a single example."
        )
    return shape


def _matching_targets(input, target, where: str, cast: bool = False):
    """Check that ``target`` has ``input``'s shape; return it as a Tensor or an array."""
    target_array = np.asarray(getattr(target, "data", target))
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


def _logsumexp_rows(x: np.ndarray) -> np.ndarray:
    shift = x.max(axis=1, keepdims=True)
    return shift + np.log(np.exp(x - shift).sum(axis=1, keepdims=True))
