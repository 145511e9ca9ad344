"""The course's CNN pattern: [(CONV − [BN] − RELU) × N − POOL?] × M − (FC − RELU) × K − FC."""

from glassnet import nn
from glassnet.errors import ConfigError
from glassnet.models.architecture import architecture
from glassnet.models.choices import activation as make_activation
from glassnet.models.choices import initializer


@architecture("cnn")
def cnn(in_channels: int = 1, image_size: int = 28, num_classes: int = 10, *,
        channels=(32, 64), convs_per_block: int = 1, kernel_size: int = 3, pool: bool = True,
        hidden=(128,), activation: str = "relu", batch_norm: bool = False,
        dropout: float = 0.0, init: str = "default", generator=None) -> nn.Sequential:
    """A convolutional network for square images.

    The defaults are the reference CNN of PERF.md: Conv(1→32, 3×3, pad 1)−ReLU−MaxPool2 −
    Conv(32→64)−ReLU−MaxPool2 − Flatten − FC(3136→128)−ReLU − FC(128→10).

    Args:
        in_channels, image_size: input shape (in_channels, image_size, image_size).
        num_classes: number of outputs.
        channels: the width of each of the M blocks.
        convs_per_block: N, the convolutions in each block ("same" padding keeps the size).
        kernel_size: odd kernel size of every convolution.
        pool: end each block with a 2×2 max-pool (halving the size).
        hidden: widths of the K fully connected hidden layers.
        activation: nonlinearity name; batch_norm: BatchNorm2d/1d before each activation;
        dropout: drop probability before each FC layer; init: initialization by name.
        generator: the np.random.Generator for initialization and dropout.

    Example:
        >>> import glassnet as gn
        >>> cnn()(gn.zeros(2, 1, 28, 28)).shape
        (2, 10)
    """
    if kernel_size % 2 != 1:
        raise ConfigError(f"cnn: expected an odd kernel_size, but got {kernel_size}.")
    init_fn = initializer(init)
    layers, width, size = [], in_channels, image_size
    for block_width in channels:
        for _ in range(convs_per_block):
            layers.append(nn.Conv2d(width, block_width, kernel_size, padding=kernel_size // 2,
                                    init=init_fn, generator=generator))
            if batch_norm:
                layers.append(nn.BatchNorm2d(block_width))
            layers.append(make_activation(activation))
            width = block_width
        if pool:
            layers.append(nn.MaxPool2d(2))
            size //= 2
    if size < 1:
        raise ConfigError(
            f"cnn: {len(channels)} pooling blocks shrink a {image_size}x{image_size} image to "
            "nothing. Use fewer blocks, pool=False, or larger images."
        )
    layers.append(nn.Flatten())
    features = width * size * size
    for hidden_width in hidden:
        if dropout > 0:
            layers.append(nn.Dropout(dropout, generator=generator))
        layers.append(nn.Linear(features, hidden_width, init=init_fn, generator=generator))
        if batch_norm:
            layers.append(nn.BatchNorm1d(hidden_width))
        layers.append(make_activation(activation))
        features = hidden_width
    if dropout > 0:
        layers.append(nn.Dropout(dropout, generator=generator))
    layers.append(nn.Linear(features, num_classes, init=init_fn, generator=generator))
    return nn.Sequential(*layers)
