"""A small residual CNN: a stem, stages of residual blocks, global average pooling, FC."""

from glassnet import nn
from glassnet.models.architecture import architecture
from glassnet.models.choices import initializer


def residual_block(in_channels: int, out_channels: int, init_fn, generator) -> nn.Sequential:
    """y = relu(body(x) + shortcut(x)) with body = conv−BN−relu−conv−BN; the shortcut is a
    1×1 convolution when the block changes the width."""
    body = nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False, init=init_fn,
                  generator=generator),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False, init=init_fn,
                  generator=generator),
        nn.BatchNorm2d(out_channels),
    )
    projection = None
    if in_channels != out_channels:
        projection = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, 1, bias=False, init=init_fn,
                      generator=generator),
            nn.BatchNorm2d(out_channels),
        )
    return nn.Sequential(nn.Residual(body, projection), nn.ReLU())


@architecture("resnet")
def resnet(in_channels: int = 1, num_classes: int = 10, *, channels=(16, 32, 64),
           blocks_per_stage: int = 1, init: str = "kaiming_normal",
           generator=None) -> nn.Sequential:
    """A small ResNet (He et al., 2016): a 3×3 stem, then stages of residual blocks, each
    stage after the first starting with a 2×2 max-pool that halves the resolution; global
    average pooling and one FC layer. The skip connections keep gradients flowing through
    depth.

    NOTE: glassnet rejects convolutions whose output size (W − F + 2P)/S + 1 is not a whole
    number (the course's rule), which rules out the usual stride-2 3×3 convolution on even
    sizes; pooling between stages downsamples instead.

    Example:
        >>> import glassnet as gn
        >>> resnet(channels=[8, 16])(gn.zeros(2, 1, 28, 28)).shape
        (2, 10)
    """
    init_fn = initializer(init)
    channels = list(channels)
    layers = [
        nn.Conv2d(in_channels, channels[0], 3, padding=1, bias=False, init=init_fn,
                  generator=generator),
        nn.BatchNorm2d(channels[0]),
        nn.ReLU(),
    ]
    width = channels[0]
    for stage, stage_width in enumerate(channels):
        if stage > 0:
            layers.append(nn.MaxPool2d(2))
        for _ in range(blocks_per_stage):
            layers.append(residual_block(width, stage_width, init_fn, generator))
            width = stage_width
    layers += [nn.GlobalAvgPool2d(), nn.Linear(width, num_classes, generator=generator)]
    return nn.Sequential(*layers)
