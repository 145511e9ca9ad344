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

from glassnet.nn.loss.classification import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    multi_margin_loss,
    nll_loss,
)
from glassnet.nn.loss.distributions import distillation_loss, kl_div
from glassnet.nn.loss.modules import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    DistillationLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    MultiMarginLoss,
    NLLLoss,
)
from glassnet.nn.loss.regression import l1_loss, mse_loss

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "DistillationLoss",
    "KLDivLoss",
    "L1Loss",
    "MSELoss",
    "MultiMarginLoss",
    "NLLLoss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "distillation_loss",
    "kl_div",
    "l1_loss",
    "mse_loss",
    "multi_margin_loss",
    "nll_loss",
]
