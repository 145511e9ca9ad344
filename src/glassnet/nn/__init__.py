"""``glassnet.nn``: modules, layers, activations, initializers and the model summary.

    >>> import glassnet as gn
    >>> import glassnet.nn as nn
    >>> model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    >>> model(gn.zeros(32, 784)).shape
    (32, 10)

``import glassnet.nn.functional as F`` gives the same math as functions;
``glassnet.nn.init`` the initializers.
"""

from glassnet.nn import functional, init, prune
from glassnet.nn.activation import (
    ELU,
    GELU,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Tanh,
)
from glassnet.nn.container import ModuleList, Sequential
from glassnet.nn.conv import Conv1d, Conv2d
from glassnet.nn.dropout import Dropout
from glassnet.nn.flatten import Flatten
from glassnet.nn.linear import Identity, Linear
from glassnet.nn.loss import (
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
from glassnet.nn.maxout import Maxout
from glassnet.nn.module import HookHandle, LoadResult, Module
from glassnet.nn.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from glassnet.nn.parameter import Buffer, Parameter
from glassnet.nn.pooling import (
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    GlobalAvgPool2d,
    MaxPool1d,
    MaxPool2d,
)
from glassnet.nn.recurrent import RNN, RNNCell
from glassnet.nn.regularization import (
    apply_max_norm,
    elastic_net_penalty,
    l1_penalty,
    l2_penalty,
)
from glassnet.nn.residual import Residual
from glassnet.nn.summary import LayerSummary, ModelSummary, summary
from glassnet.nn.weight_normalization import remove_weight_norm, weight_norm

__all__ = [
    "ELU",
    "GELU",
    "RNN",
    "AdaptiveAvgPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "Buffer",
    "Conv1d",
    "Conv2d",
    "CrossEntropyLoss",
    "DistillationLoss",
    "Dropout",
    "Flatten",
    "GlobalAvgPool2d",
    "HookHandle",
    "Identity",
    "KLDivLoss",
    "L1Loss",
    "LayerNorm",
    "LayerSummary",
    "LeakyReLU",
    "Linear",
    "LoadResult",
    "LogSoftmax",
    "MSELoss",
    "MaxPool1d",
    "MaxPool2d",
    "Maxout",
    "ModelSummary",
    "Module",
    "ModuleList",
    "MultiMarginLoss",
    "NLLLoss",
    "Parameter",
    "RNNCell",
    "ReLU",
    "Residual",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Tanh",
    "apply_max_norm",
    "elastic_net_penalty",
    "functional",
    "init",
    "l1_penalty",
    "l2_penalty",
    "prune",
    "remove_weight_norm",
    "summary",
    "weight_norm",
]
