"""Regression losses: mean squared error and mean absolute error."""



from glassnet import ops
from glassnet.nn.loss._common import (
    matching_targets,
    reduce_losses,
)
from glassnet.ops.fused.softmax_cross_entropy import (
    check_reduction,
)


def mse_loss(input, target, *, reduction: str = "mean"):
    """Mean squared error: L = (x − t)², averaged over all elements by default.

    Shapes must match exactly: a silent broadcast of (N, 1) against (N,) is a classic bug.

    Example:
        >>> import glassnet as gn
        >>> mse_loss(gn.tensor([1.0, 2.0]), gn.tensor([0.0, 4.0])).item()    # (1 + 4) / 2
        2.5
    """
    check_reduction(reduction, "mse_loss")
    diff = input - matching_targets(input, target, "mse_loss")
    return reduce_losses(diff * diff, reduction)


def l1_loss(input, target, *, reduction: str = "mean"):
    """Mean absolute error: L = |x − t|; its gradient at x = t is 0.

    Example:
        >>> import glassnet as gn
        >>> l1_loss(gn.tensor([1.0, 2.0]), gn.tensor([0.0, 4.0])).item()    # (1 + 2) / 2
        1.5
    """
    check_reduction(reduction, "l1_loss")
    return reduce_losses(ops.abs(input - matching_targets(input, target, "l1_loss")), reduction)


