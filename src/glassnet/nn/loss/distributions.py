"""Losses between distributions: KL divergence and knowledge distillation."""

import numpy as np

from glassnet import ops
from glassnet.errors import ConfigError, ShapeError
from glassnet.nn.loss._common import (
    KL_REDUCTIONS,
    batch_and_classes,
    logsumexp_rows,
    matching_targets,
    reduce_losses,
)
from glassnet.nn.loss.classification import cross_entropy
from glassnet.ops.fused.softmax_cross_entropy import (
    check_reduction,
    softmax_cross_entropy,
)
from glassnet.tensor import array_of


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
    target = matching_targets(input, target, where)
    if log_target:
        pointwise = ops.exp(target) * (target - input)
    else:
        positive = np.asarray(array_of(target)) > 0
        # where() keeps log away from zeros: those elements contribute 0 · log 1 = 0.
        pointwise = target * (ops.log(ops.where(positive, target, 1.0)) - input)
    if reduction == "batchmean":
        n = input.shape[0] if input.ndim else 1
        total = pointwise.sum()
        return total / n if n else total
    return reduce_losses(pointwise, reduction)


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
    teacher = np.asarray(array_of(teacher_logits))
    n, n_classes = batch_and_classes(student_logits, where, "student_logits")
    if teacher.shape != (n, n_classes):
        raise ShapeError(
            f"{where}: expected teacher_logits of the student's shape {(n, n_classes)}, but "
            f"got {teacher.shape}. Teacher and student must see the same batch and classes."
        )
    scaled = teacher / temperature
    log_q = scaled - logsumexp_rows(scaled)
    q = np.exp(log_q)
    entropy = float(-np.einsum("ij,ij->", q, log_q) / n) if n else 0.0
    soft = softmax_cross_entropy(student_logits / temperature, q, name=where) - entropy
    hard = cross_entropy(student_logits, targets)
    return soft * (alpha * temperature**2) + hard * (1.0 - alpha)


