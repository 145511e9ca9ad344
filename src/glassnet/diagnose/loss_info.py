"""What a loss function expects, so the structure rules can tell a mismatch.

glassnet's losses are recognized as modules or as functions; a loss of another kind (the
user's own) is "unknown", and the rules that depend on the kind stay silent for it.

========================  =========================  ========================================
kind                      losses                     expects
========================  =========================  ========================================
``logits``                CrossEntropyLoss           raw class scores, integer class labels
``log_probs``             NLLLoss                    log-probabilities (after LogSoftmax)
``scores``                MultiMarginLoss            raw class scores (the SVM loss)
``binary_logits``         BCEWithLogitsLoss          raw scores, targets in [0, 1]
``probabilities``         BCELoss                    probabilities in (0, 1), targets in [0, 1]
``regression``            MSELoss, L1Loss            real-valued outputs and targets
========================  =========================  ========================================
"""

import math

from glassnet.nn import loss as losses

_KINDS = {
    losses.CrossEntropyLoss: "logits", losses.cross_entropy: "logits",
    losses.NLLLoss: "log_probs", losses.nll_loss: "log_probs",
    losses.MultiMarginLoss: "scores", losses.multi_margin_loss: "scores",
    losses.BCEWithLogitsLoss: "binary_logits",
    losses.binary_cross_entropy_with_logits: "binary_logits",
    losses.BCELoss: "probabilities", losses.binary_cross_entropy: "probabilities",
    losses.MSELoss: "regression", losses.mse_loss: "regression",
    losses.L1Loss: "regression", losses.l1_loss: "regression",
}
CLASS_INDEX_KINDS = ("logits", "log_probs", "scores")


def loss_kind(loss_fn) -> str | None:
    """The kind of a glassnet loss module or function, None for other callables."""
    kind = _KINDS.get(type(loss_fn))
    if kind is None:
        try:
            kind = _KINDS.get(loss_fn)
        except TypeError:  # an unhashable callable
            kind = None
    return kind


def loss_name(loss_fn) -> str:
    return getattr(loss_fn, "__name__", None) or type(loss_fn).__name__


def expected_initial_loss(kind: str | None, num_outputs: int | None, loss_fn=None):
    """The loss of an untrained model whose scores are ≈ 0 (the lecture's first check):
    ln C for softmax cross-entropy, C − 1 for the multiclass SVM with margin 1, ln 2 for
    binary cross-entropy; None where there is no such number (regression, unknown)."""
    if kind in ("logits", "log_probs") and num_outputs and num_outputs > 1:
        return math.log(num_outputs)
    if kind == "scores" and num_outputs and num_outputs > 1:
        margin = getattr(loss_fn, "margin", 1.0)
        power = getattr(loss_fn, "p", 1)
        return (num_outputs - 1) * margin**power
    if kind == "binary_logits":
        return math.log(2.0)
    return None
