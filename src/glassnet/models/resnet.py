"""ResNet (He et al., 2016): a stem, stages of residual blocks that downsample with stride-2
convolutions, global average pooling, FC.

The module tree and parameter names are torchvision's ResNet (``conv1``, ``bn1``,
``layer1.0.conv1``, ``layer2.0.downsample.0``, …, ``fc``), so a ``state_dict`` moves
between the two libraries as it is: ``resnet(3, 1000, channels=(64, 128, 256, 512),
blocks_per_stage=(2, 2, 2, 2), stem="imagenet")`` is ResNet-18, key for key.
"""

from glassnet import nn
from glassnet.errors import ConfigError
from glassnet.models.architecture import architecture
from glassnet.models.choices import initializer

STEMS = ("cifar", "imagenet")


class BasicBlock(nn.Module):
    """y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)): two 3×3 convolutions with
    batch norm, the first with the block's stride.

    The shortcut is x itself, or ``downsample(x)`` (a 1×1 convolution with the same stride
    and batch norm: He et al.'s projection shortcut, option B) when the block changes the
    width or the resolution. The identity path gives the gradient a route around the
    convolutions: dL/dx = dL/dy·(∂f/∂x + I).

    Example:
        >>> import glassnet as gn
        >>> block = BasicBlock(16, 32, stride=2)
        >>> block(gn.zeros(1, 16, 28, 28)).shape
        (1, 32, 14, 14)
        >>> [name for name, _ in block.named_parameters()][-2:]
        ['downsample.1.weight', 'downsample.1.bias']
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1, *, init=None,
                 generator=None):
        super().__init__()
        conv = {"bias": False, "init": init, "generator": generator}
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, **conv)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, **conv)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, **conv),
                nn.BatchNorm2d(out_channels),
            )

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        shortcut = x if self.downsample is None else self.downsample(x)
        return self.relu(out + shortcut)


class ResNet(nn.Module):
    """The network ``resnet`` builds; attributes named as torchvision's ResNet.

    forward: conv1 − bn1 − relu − [maxpool] − layer1 − … − layerK − avgpool − fc, where
    ``avgpool`` averages each channel (PyTorch's ``AdaptiveAvgPool2d(1)`` and flatten).
    """

    def __init__(self, in_channels, num_classes, channels, blocks, stem, init, generator):
        super().__init__()
        conv = {"bias": False, "init": init, "generator": generator}
        if stem == "imagenet":
            self.conv1 = nn.Conv2d(in_channels, channels[0], 7, 2, 3, **conv)
        else:
            self.conv1 = nn.Conv2d(in_channels, channels[0], 3, 1, 1, **conv)
        self.bn1 = nn.BatchNorm2d(channels[0])
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1) if stem == "imagenet" else None
        self.num_stages = len(channels)
        width = channels[0]
        for stage, (stage_width, count) in enumerate(zip(channels, blocks)):
            layer = []
            for index in range(count):
                stride = 2 if stage > 0 and index == 0 else 1
                layer.append(BasicBlock(width, stage_width, stride, init=init,
                                        generator=generator))
                width = stage_width
            # NOTE: torchvision's names, layer1 … layerK, are plain attributes like any other.
            setattr(self, f"layer{stage + 1}", nn.Sequential(*layer))
        self.avgpool = nn.GlobalAvgPool2d()
        self.fc = nn.Linear(width, num_classes, generator=generator)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        if self.maxpool is not None:
            x = self.maxpool(x)
        for stage in range(self.num_stages):
            x = getattr(self, f"layer{stage + 1}")(x)
        return self.fc(self.avgpool(x))


@architecture("resnet")
def resnet(in_channels: int = 1, num_classes: int = 10, *, channels=(16, 32, 64),
           blocks_per_stage=1, stem: str = "cifar", init: str = "kaiming_normal",
           generator=None) -> ResNet:
    """A ResNet with basic blocks (He et al., 2016, "Deep Residual Learning for Image
    Recognition"): a stem, then one stage per entry of ``channels``; every stage after the
    first halves the resolution with a stride-2 3×3 convolution in its first block (and a
    1×1 stride-2 projection on the shortcut); global average pooling and one FC layer.

    Args:
        in_channels, num_classes: the image's channels and the number of outputs.
        channels: the width of each stage.
        blocks_per_stage: residual blocks per stage, one int for all or one per stage
            ((2, 2, 2, 2) is ResNet-18, (3, 4, 6, 3) ResNet-34).
        stem: ``"cifar"``: a 3×3 stride-1 convolution, for small images (28×28, 32×32; He
            et al.'s CIFAR-10 networks); ``"imagenet"``: a 7×7 stride-2 convolution and a
            3×3 stride-2 max-pool with padding 1, which divide the resolution by 4.
        init: the convolutions' initialization by name (He's normal by default).
        generator: the np.random.Generator for the initialization.

    Raises:
        ConfigError: an unknown stem, or blocks_per_stage that is not one positive int per
            stage.

    Example:
        >>> import glassnet as gn
        >>> resnet(channels=[8, 16])(gn.zeros(2, 1, 28, 28)).shape
        (2, 10)
        >>> resnet18 = resnet(3, 1000, channels=(64, 128, 256, 512),
        ...                   blocks_per_stage=(2, 2, 2, 2), stem="imagenet")
        >>> sum(p.size for p in resnet18.parameters())  # torchvision's resnet18: 11,689,512
        11689512
    """
    if stem not in STEMS:
        raise ConfigError(f"resnet: expected stem to be one of {list(STEMS)}, but got {stem!r}.")
    channels = [int(c) for c in channels]
    blocks = [blocks_per_stage] * len(channels) if isinstance(blocks_per_stage, int) else list(
        blocks_per_stage)
    if len(blocks) != len(channels) or not all(
        isinstance(b, int) and not isinstance(b, bool) and b >= 1 for b in blocks
    ):
        raise ConfigError(
            f"resnet: expected blocks_per_stage to be a positive int or one per stage "
            f"({len(channels)} stages), but got {blocks_per_stage!r}."
        )
    return ResNet(in_channels, num_classes, channels, blocks, stem, initializer(init), generator)
