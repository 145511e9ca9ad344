"""The course's first "optimization" strategy: guess W at random and keep the best guess.

Each trial draws W ~ scale·N(0, 1) (and b = 0), evaluates the loss on the whole training
set and keeps the lowest. It needs no gradient and shows why we want one: the lecture
quotes about 15.5% test accuracy on CIFAR-10 after 1000 guesses (chance is 10%), against
≈ 40% for the same linear classifier trained by gradient descent.
"""

from dataclasses import dataclass, field

import numpy as np

from glassnet.classic._validation import (
    check_choice,
    check_features,
    check_labels,
    check_number,
    check_positive_int,
)
from glassnet.classic.linear import LinearClassifier
from glassnet.classic.losses import LOSSES, softmax_scores_loss, svm_scores_loss
from glassnet.errors import ShapeError
from glassnet.random import resolve_generator


@dataclass
class RandomSearchResult:
    """The best of the random guesses.

    Attributes:
        model: a ``LinearClassifier`` holding the best W (ready for ``predict``/``score``).
        best_loss: its training loss.
        losses: the training loss of every trial, in order (for a plot).
    """

    model: LinearClassifier
    best_loss: float
    losses: np.ndarray = field(repr=False)


def random_search(
    X,
    y,
    *,
    trials: int = 1000,
    loss: str = "svm",
    scale: float = 1e-4,
    num_classes: int | None = None,
    generator: np.random.Generator | None = None,
) -> RandomSearchResult:
    """Sample W ``trials`` times and keep the one with the lowest training loss.

    Args:
        X: (N, D) or (N, *image_shape) training examples.
        y: (N,) integer labels in [0, C).
        trials: how many random W to try.
        loss: "svm" or "softmax" (no regularization: only the data loss is compared).
        scale: standard deviation of the random weights (the course's 0.0001).
        num_classes: C; default: the largest label + 1.
        generator: ``np.random.Generator`` for the guesses.

    Returns:
        A ``RandomSearchResult``.

    Example:
        >>> from glassnet.data import blobs
        >>> X, y = blobs(50, 3, generator=np.random.default_rng(0))
        >>> result = random_search(X, y, trials=50, generator=np.random.default_rng(0))
        >>> len(result.losses), bool(result.best_loss == result.losses.min())
        (50, True)
        >>> result.model.predict(X).shape
        (150,)
    """
    where = "random_search"
    check_choice(where, "loss", loss, LOSSES)
    trials = check_positive_int(where, "trials", trials)
    scale = check_number(where, "scale", scale, positive=True)
    input_shape = np.shape(X)[1:]
    X = check_features(where, X, dtype=np.float32)
    y = check_labels(where, y, len(X), num_classes)
    if len(X) == 0:
        raise ShapeError(f"{where}: expected at least one training example, but got an empty X.")
    num_classes = num_classes or int(y.max()) + 1
    rng = resolve_generator(generator)
    scores_loss = svm_scores_loss if loss == "svm" else softmax_scores_loss

    losses = np.empty(trials)
    best_weight, best_loss = None, np.inf
    for trial in range(trials):
        weight = (scale * rng.standard_normal((num_classes, X.shape[1]))).astype(np.float32)
        losses[trial], _ = scores_loss(X @ weight.T, y)
        if losses[trial] < best_loss:  # the first of equal losses is kept
            best_weight, best_loss = weight, losses[trial]

    model = LinearClassifier(loss, reg=0.0, num_classes=num_classes, init_scale=scale)
    model.weight = best_weight
    model.bias = np.zeros(num_classes, dtype=np.float32)
    model.input_shape = input_shape
    return RandomSearchResult(model, float(best_loss), losses)
