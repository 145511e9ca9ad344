"""SVM and softmax losses of the linear classifier: the lecture's worked examples, the
initial-loss checks, vectorized == naive, gradients through gradcheck and against torch."""

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet.autograd.function import Function
from glassnet.classic import softmax_loss, softmax_loss_naive, svm_loss, svm_loss_naive
from glassnet.errors import ConfigError, DTypeError, ShapeError

VECTORIZED = {"svm": svm_loss, "softmax": softmax_loss}
NAIVE = {"svm": svm_loss_naive, "softmax": softmax_loss_naive}

# The lecture's three training images (rows) and their scores for cat, car, frog.
LECTURE_SCORES = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
LECTURE_LABELS = np.array([0, 1, 2])  # cat, car, frog


def lecture_problem(rows=slice(None)):
    """W = I and b = 0, so the examples' features are their scores."""
    return np.eye(3), np.zeros(3), LECTURE_SCORES[rows], LECTURE_LABELS[rows]


def random_problem(seed=0, N=12, D=5, C=4, weight_scale=1.0):
    rng = np.random.default_rng(seed)
    W = weight_scale * rng.standard_normal((C, D))
    b = rng.standard_normal(C)
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, N)
    return W, b, X, y


@pytest.mark.parametrize(("row", "expected"), [(0, 2.9), (1, 0.0), (2, 12.9)])
def test_svm_loss_per_image_matches_the_lecture(row, expected):
    loss, _, _ = svm_loss(*lecture_problem(slice(row, row + 1)))
    assert loss == pytest.approx(expected, abs=1e-12)


def test_svm_loss_of_the_three_lecture_images_averages_to_5_27():
    loss, _, _ = svm_loss(*lecture_problem())
    assert loss == pytest.approx((2.9 + 0.0 + 12.9) / 3, abs=1e-12)
    assert round(loss, 2) == 5.27


def test_softmax_loss_of_the_lecture_cat_image_is_2_04():
    loss, _, _ = softmax_loss(*lecture_problem(slice(0, 1)))
    probabilities = np.exp([3.2, 5.1, -1.7]) / np.exp([3.2, 5.1, -1.7]).sum()
    assert round(probabilities[0], 2) == 0.13
    assert loss == pytest.approx(-math.log(probabilities[0]), rel=1e-12)
    assert round(loss, 2) == 2.04


@pytest.mark.parametrize(("loss_name", "expected"), [("svm", 9.0), ("softmax", math.log(10))])
def test_initial_loss_with_tiny_weights_is_c_minus_1_for_svm_and_ln_c_for_softmax(
    loss_name, expected
):
    W, _, X, y = random_problem(N=500, D=50, C=10, weight_scale=1e-6)
    loss, _, _ = VECTORIZED[loss_name](W, np.zeros(10), X, y, reg=0.0)
    assert loss == pytest.approx(expected, abs=1e-3)


def test_regularization_adds_reg_times_the_sum_of_squared_weights():
    W, b, X, y = random_problem(seed=1)
    for loss_fn in VECTORIZED.values():
        plain, _, _ = loss_fn(W, b, X, y, reg=0.0)
        regularized, _, _ = loss_fn(W, b, X, y, reg=0.3)
        assert regularized - plain == pytest.approx(0.3 * np.sum(W * W), rel=1e-12)


@pytest.mark.parametrize("loss_name", ["svm", "softmax"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_vectorized_loss_and_gradients_equal_the_naive_loops(loss_name, seed):
    W, b, X, y = random_problem(seed)
    fast = VECTORIZED[loss_name](W, b, X, y, reg=0.05)
    slow = NAIVE[loss_name](W, b, X, y, reg=0.05)
    assert fast[0] == pytest.approx(slow[0], rel=1e-12)
    np.testing.assert_allclose(fast[1], slow[1], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(fast[2], slow[2], rtol=1e-10, atol=1e-14)


class LinearLoss(Function):
    """A NumPy loss as a glassnet op: forward is the loss, backward its analytic gradient."""

    __slots__ = ()

    def forward(self, W, b, X, y, *, loss_fn, reg):
        loss, grad_W, grad_b = loss_fn(W, b, X, y, reg)
        self.save_for_backward(grad_W, grad_b)
        return np.array(loss)

    def backward(self, grad_loss):
        grad_W, grad_b = self.saved
        return grad_loss * grad_W, grad_loss * grad_b, None, None


@pytest.mark.parametrize("loss_name", ["svm", "softmax"])
def test_analytic_gradient_passes_gradcheck(loss_name):
    W, b, X, y = random_problem(seed=3, N=8, D=4, C=3)
    weight = gn.tensor(W, dtype="float64", requires_grad=True)
    bias = gn.tensor(b, dtype="float64", requires_grad=True)
    result = gn.gradcheck(
        lambda w, b_: LinearLoss.apply(w, b_, X, y, loss_fn=VECTORIZED[loss_name], reg=0.1),
        [weight, bias],
    )
    assert max(result.max_relative_errors) < 1e-6


def test_hinge_gradient_is_zero_exactly_at_the_kink():
    # Scores (1, 0) with label 0: the margin 0 − 1 + 1 is exactly 0.
    loss, grad_W, grad_b = svm_loss(np.eye(2), np.zeros(2), [[1.0, 0.0]], [0])
    assert loss == 0.0
    np.testing.assert_array_equal(grad_b, [0.0, 0.0])
    np.testing.assert_array_equal(grad_W, np.zeros((2, 2)))


def test_softmax_loss_is_finite_for_huge_scores():
    loss, grad_W, _ = softmax_loss(np.eye(3), np.zeros(3), [[1000.0, -1000.0, 999.0]], [2])
    assert loss == pytest.approx(math.log1p(math.exp(1.0)), rel=1e-12)  # −log σ(−1)
    assert np.isfinite(grad_W).all()


def test_float32_parameters_give_float32_gradients():
    W, b, X, y = random_problem()
    W, b, X = (a.astype(np.float32) for a in (W, b, X))
    _, grad_W, grad_b = softmax_loss(W, b, X, y)
    assert grad_W.dtype == np.float32 and grad_b.dtype == np.float32


@pytest.mark.parametrize("loss_name", ["svm", "softmax"])
def test_losses_and_gradients_match_torch(loss_name):
    torch = pytest.importorskip("torch", reason="torch is the optional reference")
    W, b, X, y = random_problem(seed=4)
    w_t = torch.tensor(W, requires_grad=True)
    b_t = torch.tensor(b, requires_grad=True)
    scores = torch.from_numpy(X) @ w_t.T + b_t
    target = torch.from_numpy(y)
    if loss_name == "softmax":
        data_loss = torch.nn.functional.cross_entropy(scores, target)
    else:  # torch divides each example's hinge sum by the number of classes
        data_loss = W.shape[0] * torch.nn.functional.multi_margin_loss(scores, target)
    total = data_loss + 0.2 * (w_t**2).sum()
    total.backward()
    loss, grad_W, grad_b = VECTORIZED[loss_name](W, b, X, y, reg=0.2)
    assert loss == pytest.approx(total.item(), rel=1e-12)
    np.testing.assert_allclose(grad_W, w_t.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(grad_b, b_t.grad.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("loss_fn", [svm_loss, softmax_loss, svm_loss_naive, softmax_loss_naive])
def test_losses_reject_bad_input(loss_fn):
    W, b, X, y = random_problem(C=4)
    with pytest.raises(ValueError, match=r"labels in \[0, 3\], but got min \d and max 4"):
        loss_fn(W, b, X, np.where(y == 0, 4, y))
    with pytest.raises(DTypeError, match="integer class labels"):
        loss_fn(W, b, X, y.astype(float))
    with pytest.raises(ShapeError, match=r"one label per example \(12\), but got 11"):
        loss_fn(W, b, X, y[:-1])
    shapes = r"W \(C, D\).*but got W \(4, 5\), b \(4,\) and X \(12, 6\)"
    with pytest.raises(ShapeError, match=shapes):
        loss_fn(W, b, np.zeros((12, 6)), y)
    with pytest.raises(ShapeError, match="at least one example"):
        loss_fn(W, b, np.zeros((0, 5)), y[:0])


def test_negative_regularization_is_rejected():
    with pytest.raises(ConfigError, match="reg to be a non-negative number, but got -1"):
        svm_loss(*random_problem(), reg=-1.0)
