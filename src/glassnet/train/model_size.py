"""How many parameters a configured model will have, and whether training it fits in memory,
computed from the options before a single array is allocated.

``glassnet train --hidden 10000000`` would otherwise ask NumPy for 29 GiB and die with an
allocation error (or, where the system overcommits memory, get it and be killed later).
:func:`check_model_size` refuses such a model with the figures instead.
"""

import inspect
import math
import os

from glassnet import models
from glassnet.errors import ConfigError

BYTES_PER_PARAMETER = 4  # float32
# Arrays per parameter while training: the parameter, its gradient, the optimizer's slots.
OPTIMIZER_SLOTS = {"sgd": 0, "momentum": 1, "nesterov": 1, "adagrad": 1, "rmsprop": 1,
                   "adam": 2, "adamw": 2}


def parameter_count(config, input_shape: tuple, num_classes: int) -> int:
    """The number of trainable parameters ``build_model`` would create (exact).

    Args:
        config: a TrainConfig (model, hidden, channels, batch_norm).
        input_shape: one example's (channels, height, width).
        num_classes: outputs of the last layer.

    Example:
        >>> from glassnet.train.config import TrainConfig
        >>> parameter_count(TrainConfig(model="mlp", hidden=[256, 128]), (1, 28, 28), 10)
        235146
    """
    channels, size = input_shape[0], input_shape[-1]
    features = math.prod(input_shape)
    if config.model == "softmax_regression":
        return _linear(features, num_classes)
    if config.model == "mlp":
        hidden = config.hidden if config.hidden is not None else _default(models.mlp, "hidden")
        return _dense_stack(features, hidden, num_classes, config.batch_norm)
    widths = config.channels if config.channels is not None else _default(
        models.resnet if config.model == "resnet" else models.cnn, "channels")
    if config.model == "resnet":
        return _resnet(channels, widths, num_classes)
    hidden = config.hidden if config.hidden is not None else _default(models.cnn, "hidden")
    count, width = 0, channels
    for block_width in widths:  # 3×3 convolutions, each block halving the size
        count += 9 * width * block_width + block_width + 2 * block_width * config.batch_norm
        width, size = block_width, size // 2
    return count + _dense_stack(width * size * size, hidden, num_classes, config.batch_norm)


def check_model_size(config, input_shape: tuple, num_classes: int) -> None:
    """Refuse a model whose training would need more memory than this machine has.

    Raises:
        ConfigError: with the parameter count, their size, the training estimate (with
            gradients and the optimizer's state) and the machine's memory.
    """
    memory = physical_memory()
    count = parameter_count(config, input_shape, num_classes)
    arrays = 2 + OPTIMIZER_SLOTS.get(config.optimizer, 2)
    needed = count * BYTES_PER_PARAMETER * arrays
    if memory is None or needed <= memory:
        return
    raise ConfigError(
        f"model: this {config.model} would have {count:,} parameters, {_gib(count * 4)} as "
        f"float32, and training it needs about {_gib(needed)} (the parameters, their "
        f"gradients and {config.optimizer}'s state), but this machine has {_gib(memory)} of "
        "memory. Use smaller widths (--hidden, --channels)."
    )


def physical_memory() -> int | None:
    """The machine's memory in bytes, or None where the system does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def _default(builder, name: str) -> list:
    return list(inspect.signature(builder).parameters[name].default)


def _linear(in_features: int, out_features: int) -> int:
    return (in_features + 1) * out_features


def _dense_stack(features: int, hidden, num_classes: int, batch_norm: bool) -> int:
    count = 0
    for width in hidden:
        count += _linear(features, width) + 2 * width * batch_norm
        features = width
    return count + _linear(features, num_classes)


def _resnet(channels: int, widths, num_classes: int) -> int:
    """Stem (conv without bias + BN), one residual block per stage, global pooling, FC."""
    count, width = 9 * channels * widths[0] + 2 * widths[0], widths[0]
    for stage_width in widths:
        count += 9 * width * stage_width + 9 * stage_width * stage_width + 4 * stage_width
        if width != stage_width:  # the 1×1 projection and its BN
            count += width * stage_width + 2 * stage_width
        width = stage_width
    return count + _linear(width, num_classes)


def _gib(size: int) -> str:
    return f"{size / 2**30:,.1f} GiB"
