"""Losses of the linear classifier f(x) = Wx + b, with their analytic gradients, in NumPy.

Notation: N examples x_i (rows of X, shape (N, D)), C classes, weights W (C, D) and biases
b (C,) laid out like PyTorch's ``nn.Linear`` (so s_i = W x_i + b are the C class scores of
example i), y_i the correct class. Both losses are the average over examples plus
L2 regularization of the weights, reg·Σ W² (biases are not regularized):

    L = 1/N Σ_i L_i + reg·Σ W²

Multiclass SVM (hinge) loss with margin Δ:

    L_i = Σ_{j≠y_i} max(0, s_j − s_{y_i} + Δ)
    dL_i/ds_j = 1[s_j − s_{y_i} + Δ > 0] (j ≠ y_i),   dL_i/ds_{y_i} = −Σ_{j≠y_i} 1[...]

(at a margin of exactly 0 the hinge has a kink; the gradient taken there is 0).

Softmax (cross-entropy) loss, computed from shifted scores s − max(s) so exp never
overflows:

    L_i = −log(e^{s_{y_i}} / Σ_j e^{s_j})
    dL_i/ds_j = p_j − 1[j = y_i],   p = softmax(s)

In both cases dL/dW = (dL/ds)ᵀ X + 2·reg·W and dL/db = Σ_i dL/ds_i. Each loss comes in the
course's two versions: ``*_naive`` loops over examples and classes (to read and check), the
other is vectorized with no Python loop (to use). They are tested equal.
"""

import numpy as np

from glassnet.classic._validation import check_labels, check_number
from glassnet.errors import ShapeError

LOSSES = ("svm", "softmax")


def svm_loss(W, b, X, y, reg: float = 0.0, *, margin: float = 1.0):
    """Multiclass SVM loss and its gradients, vectorized (see the module docstring).

    Args:
        W: (C, D) weights.  b: (C,) biases.  X: (N, D) examples, N ≥ 1.
        y: (N,) integer labels in [0, C).
        reg: L2 regularization strength (≥ 0), applied as reg·Σ W².
        margin: the hinge's margin Δ.

    Returns:
        ``(loss, grad_W, grad_b)``: a float and arrays shaped like ``W`` and ``b``.

    Example (the lecture's "cat" image, scores cat 3.2, car 5.1, frog −1.7; W = I):
        >>> loss, grad_W, grad_b = svm_loss(np.eye(3), np.zeros(3), [[3.2, 5.1, -1.7]], [0])
        >>> round(loss, 4)
        2.9
        >>> grad_b
        array([-1.,  1.,  0.])
    """
    W, b, X, y = _check_problem("svm_loss", W, b, X, y)
    reg = check_number("svm_loss", "reg", reg, positive=False)
    loss, grad_scores = svm_scores_loss(X @ W.T + b, y, margin)
    return _with_weights(loss, grad_scores, W, X, reg)


def softmax_loss(W, b, X, y, reg: float = 0.0):
    """Softmax cross-entropy loss and its gradients, vectorized (see the module docstring).

    Args and returns as in ``svm_loss`` (without ``margin``).

    Example (the lecture's "cat" image: p(cat) = 0.13, loss −ln 0.13 = 2.04):
        >>> loss, grad_W, grad_b = softmax_loss(np.eye(3), np.zeros(3), [[3.2, 5.1, -1.7]], [0])
        >>> round(loss, 2)
        2.04
    """
    W, b, X, y = _check_problem("softmax_loss", W, b, X, y)
    reg = check_number("softmax_loss", "reg", reg, positive=False)
    loss, grad_scores = softmax_scores_loss(X @ W.T + b, y)
    return _with_weights(loss, grad_scores, W, X, reg)


def svm_scores_loss(scores: np.ndarray, y: np.ndarray, margin: float = 1.0):
    """Mean hinge loss of (N, C) ``scores`` and its gradient with respect to them."""
    N = len(scores)
    rows = np.arange(N)
    margins = scores - scores[rows, y][:, None] + margin
    np.maximum(margins, 0.0, out=margins)
    margins[rows, y] = 0.0
    violated = (margins > 0).astype(scores.dtype)
    violated[rows, y] = -violated.sum(axis=1)
    return float(margins.sum()) / N, violated / N


def softmax_scores_loss(scores: np.ndarray, y: np.ndarray):
    """Mean cross-entropy of (N, C) ``scores`` and its gradient with respect to them."""
    N = len(scores)
    rows = np.arange(N)
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    grad_scores = np.exp(log_probs)
    grad_scores[rows, y] -= 1.0
    return -float(log_probs[rows, y].sum()) / N, grad_scores / N


def svm_loss_naive(W, b, X, y, reg: float = 0.0, *, margin: float = 1.0):
    """The SVM loss with explicit loops over examples and classes, as first written in the
    course. Same arguments and results as ``svm_loss``; much slower."""
    W, b, X, y = _check_problem("svm_loss_naive", W, b, X, y)
    reg = check_number("svm_loss_naive", "reg", reg, positive=False)
    grad_W, grad_b = np.zeros_like(W), np.zeros_like(b)
    loss = 0.0
    for i in range(len(X)):
        scores = W @ X[i] + b
        for j in range(len(W)):
            if j == y[i]:
                continue
            hinge = scores[j] - scores[y[i]] + margin
            if hinge > 0:
                loss += hinge
                grad_W[j] += X[i]
                grad_W[y[i]] -= X[i]
                grad_b[j] += 1.0
                grad_b[y[i]] -= 1.0
    N = len(X)
    return float(loss / N + reg * np.sum(W * W)), grad_W / N + 2.0 * reg * W, grad_b / N


def softmax_loss_naive(W, b, X, y, reg: float = 0.0):
    """The softmax loss with explicit loops over examples and classes, as first written in
    the course. Same arguments and results as ``softmax_loss``; much slower."""
    W, b, X, y = _check_problem("softmax_loss_naive", W, b, X, y)
    reg = check_number("softmax_loss_naive", "reg", reg, positive=False)
    grad_W, grad_b = np.zeros_like(W), np.zeros_like(b)
    loss = 0.0
    for i in range(len(X)):
        scores = W @ X[i] + b
        scores = scores - scores.max()  # the same shift as the vectorized version
        normalizer = np.sum(np.exp(scores))
        loss += np.log(normalizer) - scores[y[i]]
        for j in range(len(W)):
            probability = np.exp(scores[j]) / normalizer
            grad_W[j] += (probability - (j == y[i])) * X[i]
            grad_b[j] += probability - (j == y[i])
    N = len(X)
    return float(loss / N + reg * np.sum(W * W)), grad_W / N + 2.0 * reg * W, grad_b / N


def _with_weights(data_loss: float, grad_scores, W, X, reg: float):
    """Chain dL/ds back to W and b through s = XWᵀ + b, adding the regularization."""
    loss = data_loss + reg * float(np.sum(W * W))
    grad_W = grad_scores.T @ X
    if reg:
        grad_W += 2.0 * reg * W
    return loss, grad_W, grad_scores.sum(axis=0)


def _check_problem(where: str, W, b, X, y):
    W, b, X = np.asarray(W), np.asarray(b), np.asarray(X)
    dtype = np.result_type(W, b, X, np.float32)
    W, b, X = (a.astype(dtype, copy=False) for a in (W, b, X))
    if W.ndim != 2 or b.shape != (len(W),) or X.ndim != 2 or X.shape[1] != W.shape[1]:
        raise ShapeError(
            f"{where}: expected W (C, D), b (C,) and X (N, D), but got W {W.shape}, "
            f"b {b.shape} and X {X.shape}. Flatten images to rows, e.g. X.reshape(len(X), -1)."
        )
    if len(X) == 0:
        raise ShapeError(
            f"{where}: expected at least one example, but got X of shape {X.shape}. "
            "The mean loss over an empty batch is undefined."
        )
    return W, b, X, check_labels(where, y, len(X), num_classes=len(W))
