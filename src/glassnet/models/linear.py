"""Softmax regression: one linear layer from the flattened input to the class scores."""

from glassnet import nn
from glassnet.models.architecture import architecture
from glassnet.models.choices import initializer


@architecture("softmax_regression")
def softmax_regression(in_features: int = 784, num_classes: int = 10, *, init: str = "default",
                       generator=None) -> nn.Sequential:
    """f(x) = W·flatten(x) + b; trained with cross-entropy it is multinomial logistic
    regression, the course's linear classifier.

    Example:
        >>> import glassnet as gn
        >>> softmax_regression(784, 10)(gn.zeros(2, 1, 28, 28)).shape
        (2, 10)
    """
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(in_features, num_classes, init=initializer(init), generator=generator),
    )
