"""Batch normalization and layer normalization.

Batch norm normalizes each channel over the batch (and positions): at training time with
the batch's mean and variance, while keeping running averages of them; at evaluation time
with those running averages, so a prediction does not depend on the rest of the batch.
Layer norm normalizes each example over its own features, the same in training and
evaluation. Both then scale by γ (``weight``) and shift by β (``bias``).
"""

import numpy as np

from glassnet.errors import ConfigError, ShapeError
from glassnet.nn import _args
from glassnet.nn.module import Module
from glassnet.nn.parameter import Buffer, Parameter
from glassnet.ops import fused
from glassnet.ops.elementwise import sqrt
from glassnet.ops.reduction import mean


def batch_norm(
    x, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5
):
    """Normalize each channel (axis 1) of x, then scale by ``weight`` and shift by ``bias``.

    y = γ·(x − μ)/√(σ² + eps) + β, with μ, σ² the batch's statistics per channel when
    ``training`` (and the running statistics updated in place:
    r ← (1 − momentum)·r + momentum·stat, the variance unbiased), else the running ones.

    Args:
        x: Tensor (N, C), (N, C, L) or (N, C, H, W).
        running_mean, running_var: (C,) arrays or Buffers, or None (batch statistics only).
        weight, bias: (C,) Tensors or None.
        training: use batch statistics (True) or the running ones (False).
        momentum: the weight of the new batch in the running statistics, in [0, 1].
        eps: added to the variance.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> F.batch_norm(gn.tensor([[1.0], [3.0]]), None, None, training=True, eps=0.0)
        tensor([[-1.],
                [ 1.]])
    """
    _args.check_input(x, (2, 3, 4), "(N, C), (N, C, L) or (N, C, H, W)", "batch_norm")
    momentum = _args.as_float(momentum, "momentum", "batch_norm")
    if not 0.0 <= momentum <= 1.0:
        raise ConfigError(
            f"batch_norm: expected momentum in [0, 1], but got {momentum}. It is the weight "
            "of the new batch in the running statistics (PyTorch's convention), e.g. 0.1."
        )
    eps = _args.as_float(eps, "eps", "batch_norm")
    return fused.batch_norm(
        x,
        weight,
        bias,
        _data(running_mean),
        _data(running_var),
        training=bool(training),
        momentum=momentum,
        eps=eps,
    )


def _data(value):
    return value.data if isinstance(value, Buffer) else value


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalize over the last ``len(normalized_shape)`` axes of each example.

    y = γ·(x − μ)/√(σ² + eps) + β, with μ, σ² the mean and (biased) variance over those axes.
    Built from primitive ops, so its gradient comes from theirs.

    Args:
        x: Tensor (..., *normalized_shape).
        normalized_shape: an int or a tuple, the trailing shape to normalize over.
        weight, bias: Tensors of shape ``normalized_shape`` or None.
        eps: added to the variance.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn.functional as F
        >>> F.layer_norm(gn.tensor([[1.0, 3.0], [10.0, 30.0]]), 2, eps=0.0)
        tensor([[-1.,  1.],
                [-1.,  1.]])
    """
    shape = _normalized_shape(normalized_shape, "layer_norm")
    _args.check_input(x, None, "(..., *normalized_shape)", "layer_norm", min_rank=1)
    if x.shape[x.ndim - len(shape) :] != shape or x.ndim < len(shape):
        raise ShapeError(
            f"layer_norm: expected an input whose trailing shape is normalized_shape="
            f"{shape}, but got shape {x.shape}. Check the feature sizes."
        )
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    centered = x - mean(x, axis=axes, keepdims=True)
    variance = mean(centered * centered, axis=axes, keepdims=True)
    y = centered / sqrt(variance + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def _normalized_shape(value, where: str) -> tuple:
    values = (value,) if not isinstance(value, (tuple, list)) else tuple(value)
    return tuple(_args.as_int(v, "normalized_shape", where, minimum=1) for v in values)


class _BatchNorm(Module):
    _ranks = (2, 3)
    _layout = "(N, C) or (N, C, L)"

    def __init__(self, num_features, eps, momentum, affine, track_running_stats, dtype):
        super().__init__()
        name = type(self).__name__
        self.num_features = _args.as_int(num_features, "num_features", name, minimum=1)
        self.eps = _args.as_float(eps, "eps", name)
        self.momentum = _args.as_float(momentum, "momentum", name)
        if not 0.0 <= self.momentum <= 1.0:
            raise ConfigError(f"{name}: expected momentum in [0, 1], but got {momentum}.")
        self.affine = bool(affine)
        self.track_running_stats = bool(track_running_stats)
        dtype = _args.dtype_of(dtype)
        channels = self.num_features
        self.weight = Parameter(np.ones(channels, dtype)) if affine else None
        self.bias = Parameter(np.zeros(channels, dtype)) if affine else None
        if self.track_running_stats:
            self.running_mean = Buffer(np.zeros(channels, dtype))
            self.running_var = Buffer(np.ones(channels, dtype))
            self.num_batches_tracked = Buffer(np.array(0, dtype=np.int64))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def forward(self, x):
        name = type(self).__name__
        _args.check_input(x, self._ranks, self._layout, name)
        _args.check_channels(x, self.num_features, name)
        use_batch_stats = self.training or not self.track_running_stats
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data += 1
        return batch_norm(
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            use_batch_stats,
            self.momentum,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) features or (N, C, L) sequences, per channel C.

    Args:
        num_features: C.
        eps: added to the variance.
        momentum: weight of each new batch in the running statistics (PyTorch's
            convention: running = 0.9·running + 0.1·batch for momentum 0.1).
        affine: learn γ (``weight``, ones) and β (``bias``, zeros).
        track_running_stats: keep ``running_mean``/``running_var`` buffers for eval mode;
            when False, batch statistics are used in both modes.
        generator: unused (the initialization is deterministic); accepted like every layer.
        dtype: the parameters' and buffers' dtype.

    Shape:
        (N, C) or (N, C, L) → the same.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn as nn
        >>> bn = nn.BatchNorm1d(3)
        >>> bn(gn.randn(16, 3)).shape, list(bn.state_dict())
        ((16, 3), ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'])
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        *,
        generator=None,
        dtype=np.float32,
    ):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype)


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) images per channel (statistics over N, H, W).

    Arguments as ``BatchNorm1d``.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn as nn
        >>> nn.BatchNorm2d(8)(gn.randn(4, 8, 5, 5)).shape
        (4, 8, 5, 5)
    """

    _ranks = (4,)
    _layout = "(N, C, H, W)"

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        *,
        generator=None,
        dtype=np.float32,
    ):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype)


class LayerNorm(Module):
    """Layer normalization over the trailing ``normalized_shape`` of each example.

    Args:
        normalized_shape: an int or a tuple (e.g. the number of features).
        eps: added to the variance.
        elementwise_affine: learn γ (ones) and β (zeros) of shape ``normalized_shape``.
        bias: learn β (only with ``elementwise_affine``).
        generator: unused (deterministic initialization); accepted like every layer.
        dtype: the parameters' dtype.

    Shape:
        (..., *normalized_shape) → the same.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn as nn
        >>> nn.LayerNorm(10)(gn.randn(4, 10)).shape
        (4, 10)
    """

    def __init__(
        self,
        normalized_shape,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        *,
        generator=None,
        dtype=np.float32,
    ):
        super().__init__()
        self.normalized_shape = _normalized_shape(normalized_shape, "LayerNorm")
        self.eps = _args.as_float(eps, "eps", "LayerNorm")
        self.elementwise_affine = bool(elementwise_affine)
        dtype = _args.dtype_of(dtype)
        shape = self.normalized_shape
        self.weight = Parameter(np.ones(shape, dtype)) if elementwise_affine else None
        self.bias = Parameter(np.zeros(shape, dtype)) if elementwise_affine and bias else None

    def forward(self, x):
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )
