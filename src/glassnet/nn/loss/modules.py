"""The ``*Loss`` modules: one-line ``forward``s around the loss functions."""



from glassnet.errors import ConfigError
from glassnet.nn.loss._common import (
    KL_REDUCTIONS,
)
from glassnet.nn.loss.classification import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    multi_margin_loss,
    nll_loss,
)
from glassnet.nn.loss.distributions import distillation_loss, kl_div
from glassnet.nn.loss.regression import l1_loss, mse_loss
from glassnet.nn.module import Module
from glassnet.ops.fused.softmax_cross_entropy import (
    check_reduction,
)


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


