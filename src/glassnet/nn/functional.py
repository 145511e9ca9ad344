"""``glassnet.nn.functional`` (imported as ``F``): every layer's math as a function.

Layers call these; use them directly for stateless code (``F.relu(x)``) or to write a
layer's forward by hand. Each function checks its user-level arguments (ranks, channels,
padding, probabilities) and names itself in the error. The functions live beside their
layers (``glassnet.nn.conv``, ``glassnet.nn.pooling``, ...) and are gathered here.

Example:
    >>> import glassnet as gn
    >>> import glassnet.nn.functional as F
    >>> F.relu(gn.tensor([-1.0, 2.0]))
    tensor([0., 2.])
"""

from glassnet.nn.activation import (
    elu,
    gelu,
    leaky_relu,
    log_softmax,
    relu,
    sigmoid,
    softmax,
    softplus,
    tanh,
)
from glassnet.nn.conv import conv1d, conv2d
from glassnet.nn.dropout import dropout
from glassnet.nn.encoding import one_hot, pad
from glassnet.nn.linear import linear
from glassnet.nn.loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    distillation_loss,
    kl_div,
    l1_loss,
    mse_loss,
    multi_margin_loss,
    nll_loss,
)
from glassnet.nn.maxout import maxout
from glassnet.nn.normalization import batch_norm, layer_norm
from glassnet.nn.pooling import (
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    global_avg_pool2d,
    max_pool1d,
    max_pool2d,
)
from glassnet.nn.recurrent import rnn_cell

__all__ = [
    "adaptive_avg_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv1d",
    "conv2d",
    "cross_entropy",
    "distillation_loss",
    "dropout",
    "elu",
    "gelu",
    "global_avg_pool2d",
    "kl_div",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "max_pool1d",
    "max_pool2d",
    "maxout",
    "mse_loss",
    "multi_margin_loss",
    "nll_loss",
    "one_hot",
    "pad",
    "relu",
    "rnn_cell",
    "sigmoid",
    "softmax",
    "softplus",
    "tanh",
]
