"""Multi-layer perceptron of any depth: (FC − [BN] − activation − [dropout]) × K − FC."""

from glassnet import nn
from glassnet.errors import ConfigError
from glassnet.models.architecture import architecture
from glassnet.models.choices import activation as make_activation
from glassnet.models.choices import initializer


@architecture("mlp")
def mlp(in_features: int = 784, hidden=(256, 128), out_features: int = 10, *,
        activation: str = "relu", dropout: float = 0.0, batch_norm: bool = False,
        init: str = "default", generator=None) -> nn.Sequential:
    """A fully connected network; the input is flattened first, so images work as they are.

    Args:
        in_features: features per example after flattening (784 for 28×28 images).
        hidden: the width of each hidden layer, e.g. ``[256, 128]``; empty for none.
        out_features: number of outputs (classes).
        activation: name of the nonlinearity after each hidden layer.
        dropout: drop probability after each hidden activation (0 disables dropout).
        batch_norm: insert BatchNorm1d between each hidden Linear and its activation.
        init: weight initialization by name (see ``glassnet.models.choices``).
        generator: the np.random.Generator for initialization and dropout.

    Example:
        >>> import glassnet as gn
        >>> model = mlp(784, [256, 128], 10)
        >>> model(gn.zeros(4, 784)).shape
        (4, 10)
    """
    hidden = list(hidden)
    if any(not isinstance(width, int) or width < 1 for width in hidden):
        raise ConfigError(f"mlp: expected positive integer widths in hidden, but got {hidden}.")
    layers = [nn.Flatten()]
    width = in_features
    for next_width in hidden:
        layers.append(nn.Linear(width, next_width, init=initializer(init), generator=generator))
        if batch_norm:
            layers.append(nn.BatchNorm1d(next_width))
        layers.append(make_activation(activation))
        if dropout > 0:
            layers.append(nn.Dropout(dropout, generator=generator))
        width = next_width
    layers.append(nn.Linear(width, out_features, init=initializer(init), generator=generator))
    return nn.Sequential(*layers)
