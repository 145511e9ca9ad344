"""The linear classifier f(x) = Wx + b trained with the SVM or softmax loss by minibatch SGD.

This is the course's "parametric approach": unlike kNN, the training set is summarized in
C·D + C numbers, and prediction is one matrix multiply. Each row of W is a template that
is matched against the image by a dot product; ``templates()`` gives them back as images.

Training (``fit``): W starts small and random (``init_scale``·N(0, 1), b = 0); each epoch
visits the examples once, in a fresh random order, in minibatches of ``batch_size``; each
step moves W and b against the loss's analytic gradient (``glassnet.classic.losses``):
W ← W − lr·dL/dW. The generator (default: glassnet's) drives initialization and batch
order, so a seed reproduces a run.
"""

import numpy as np

from glassnet.classic._validation import (
    check_choice,
    check_features,
    check_labels,
    check_number,
    check_positive_int,
)
from glassnet.classic.losses import LOSSES, softmax_loss, svm_loss
from glassnet.errors import ConfigError, NotFittedError, ShapeError
from glassnet.random import resolve_generator


class LinearClassifier:
    """A linear classifier s = Wx + b with the multiclass SVM or softmax loss.

    Args:
        loss: "svm" (hinge, margin 1) or "softmax" (cross-entropy).
        reg: L2 regularization strength, reg·Σ W² (biases are not regularized).
        lr: SGD learning rate.
        epochs: passes over the training set.
        batch_size: examples per SGD step.
        num_classes: C; default: the largest training label + 1.
        init_scale: standard deviation of the initial weights.
        generator: ``np.random.Generator`` for initialization and batch order.

    Shape:
        - X: (N, D) or (N, *image_shape) numbers, used as float32 (images are flattened;
          ``templates()`` restores their shape).
        - y: (N,) integer labels in [0, C).

    Raises (in ``fit``):
        ConfigError: the loss or weights became NaN/Inf (the learning rate is too large).

    Attributes (after ``fit``):
        weight: (C, D) float32.  bias: (C,) float32.
        loss_history: the minibatch loss of every step, as floats.

    Example:
        >>> from glassnet.data import blobs
        >>> X, y = blobs(50, 3, generator=np.random.default_rng(0))
        >>> model = LinearClassifier("softmax", lr=0.1, epochs=20)
        >>> model.fit(X, y).score(X, y) > 0.9
        True
        >>> model.templates().shape
        (3, 2)
    """

    def __init__(
        self,
        loss: str = "softmax",
        *,
        reg: float = 1e-4,
        lr: float = 1e-3,
        epochs: int = 10,
        batch_size: int = 200,
        num_classes: int | None = None,
        init_scale: float = 1e-3,
        generator: np.random.Generator | None = None,
    ):
        where = "LinearClassifier"
        check_choice(where, "loss", loss, LOSSES)
        self.loss = loss
        self.reg = check_number(where, "reg", reg, positive=False)
        self.lr = check_number(where, "lr", lr, positive=True)
        self.epochs = check_positive_int(where, "epochs", epochs)
        self.batch_size = check_positive_int(where, "batch_size", batch_size)
        if num_classes is not None:
            num_classes = check_positive_int(where, "num_classes", num_classes)
        self.num_classes = num_classes
        self.init_scale = check_number(where, "init_scale", init_scale, positive=False)
        resolve_generator(generator)  # validates the type now; resolved again in fit
        self.generator = generator
        self.weight = None
        self.bias = None
        self.input_shape = None
        self.loss_history = []

    def fit(self, X, y) -> "LinearClassifier":
        """Train from scratch by minibatch SGD (see the module docstring). Returns ``self``."""
        input_shape = np.shape(X)[1:]
        X = check_features("LinearClassifier.fit", X, dtype=np.float32)
        y = check_labels("LinearClassifier.fit", y, len(X), self.num_classes)
        if len(X) == 0:
            raise ShapeError(
                "LinearClassifier.fit: expected at least one training example, but got an "
                "empty X. Pass the training data."
            )
        num_classes = self.num_classes or int(y.max()) + 1
        rng = resolve_generator(self.generator)
        self.input_shape = input_shape
        self.weight = (self.init_scale * rng.standard_normal((num_classes, X.shape[1]))).astype(
            np.float32
        )
        self.bias = np.zeros(num_classes, dtype=np.float32)
        self.loss_history = []
        for _ in range(self.epochs):
            order = rng.permutation(len(X))
            for start in range(0, len(X), self.batch_size):
                batch = order[start : start + self.batch_size]
                # NOTE: a too-large lr overflows float32; that is reported below, not warned.
                with np.errstate(over="ignore", invalid="ignore"):
                    loss, grad_weight, grad_bias = self.loss_and_gradients(X[batch], y[batch])
                    self.weight -= self.lr * grad_weight
                    self.bias -= self.lr * grad_bias
                self._check_finite(loss)
                self.loss_history.append(loss)
        return self

    def _check_finite(self, loss: float) -> None:
        if not (np.isfinite(loss) and np.isfinite(self.weight).all()):
            raise ConfigError(
                f"LinearClassifier.fit: expected a finite loss and weights, but got loss {loss} "
                f"at step {len(self.loss_history) + 1}: training diverged. Lower lr "
                f"(now {self.lr:g}) or standardize the features."
            )

    def loss_and_gradients(self, X: np.ndarray, y: np.ndarray):
        """``(loss, grad_weight, grad_bias)`` of the current parameters on (X, y)."""
        if self.loss == "svm":
            return svm_loss(self.weight, self.bias, X, y, self.reg)
        return softmax_loss(self.weight, self.bias, X, y, self.reg)

    def decision_function(self, X) -> np.ndarray:
        """The (N, C) class scores s = XWᵀ + b."""
        X = self._check_query("LinearClassifier.decision_function", X)
        return X @ self.weight.T + self.bias

    def predict(self, X) -> np.ndarray:
        """The highest-scoring class of each example, shape (N,)."""
        return self.decision_function(X).argmax(axis=1)

    def score(self, X, y) -> float:
        """Accuracy of ``predict(X)`` against ``y`` (0.0 for an empty X)."""
        predictions = self.predict(X)
        y = check_labels("LinearClassifier.score", y, len(predictions))
        return float(np.mean(predictions == y)) if len(y) else 0.0

    def templates(self, *, normalize: bool = False) -> np.ndarray:
        """The rows of W reshaped like the training images: what each class "looks for".

        Args:
            normalize: rescale each template to [0, 1] (for ``imshow``); a constant
                template becomes all zeros.

        Returns:
            (C, *image_shape) array, or (C, D) when the training data was already flat.
        """
        self._check_fitted("LinearClassifier.templates")
        templates = self.weight.reshape(len(self.weight), *self.input_shape).copy()
        if normalize:
            flat = templates.reshape(len(templates), -1)
            low = flat.min(axis=1, keepdims=True)
            span = flat.max(axis=1, keepdims=True) - low
            flat -= low
            np.divide(flat, span, out=flat, where=span > 0)
        return templates

    def __repr__(self) -> str:
        return (
            f"LinearClassifier(loss={self.loss!r}, reg={self.reg:g}, lr={self.lr:g}, "
            f"epochs={self.epochs}, batch_size={self.batch_size})"
        )

    def _check_fitted(self, where: str) -> None:
        if self.weight is None:
            raise NotFittedError(
                f"{where}: the classifier is not fitted yet. Call fit(X, y) first."
            )

    def _check_query(self, where: str, X) -> np.ndarray:
        self._check_fitted(where)
        X = check_features(where, X, dtype=np.float32)
        if X.shape[1] != self.weight.shape[1]:
            raise ShapeError(
                f"{where}: expected {self.weight.shape[1]} features per example (as in fit), "
                f"but got {X.shape[1]}. Preprocess inputs like the training data."
            )
        return X
