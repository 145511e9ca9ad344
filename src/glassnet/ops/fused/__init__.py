"""Fused ops: hot paths written as one op each, with a hand-derived backward.

Each is tested against the composite of primitive ops it replaces, or a naive nested-loop
reference kept in the tests, and against PyTorch when it is installed.
"""

from glassnet.ops.fused.batch_norm import batch_norm
from glassnet.ops.fused.conv import conv1d, conv2d
from glassnet.ops.fused.linear import linear
from glassnet.ops.fused.output_size import conv_output_size
from glassnet.ops.fused.pooling import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from glassnet.ops.fused.relu_max_pool import relu_max_pool2d

__all__ = [
    "avg_pool1d",
    "avg_pool2d",
    "batch_norm",
    "conv1d",
    "conv2d",
    "conv_output_size",
    "linear",
    "max_pool1d",
    "max_pool2d",
    "relu_max_pool2d",
]
