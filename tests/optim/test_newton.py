"""Newton's method: one step on a quadratic, the logistic-regression Hessian, quadratic
convergence, Rosenbrock, damping towards gradient descent, and bad arguments."""

import itertools

import numpy as np
import pytest

import glassnet as gn
from glassnet import optim
from glassnet.errors import ConfigError, DTypeError, GraphError
from glassnet.nn.loss import binary_cross_entropy_with_logits


def _quadratic(seed=0, n=4):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((n, n))
    return M @ M.T + n * np.eye(n), rng.standard_normal(n)


def test_one_step_solves_a_quadratic_exactly():
    A, b = _quadratic()
    w = gn.zeros(4, dtype="float64", requires_grad=True)
    optimizer = optim.Newton([w])

    def closure():
        loss = 0.5 * (w * (gn.tensor(A, dtype="float64") @ w)).sum() - (w * b).sum()
        loss.backward()
        return loss

    assert optimizer.step(closure).item() == 0.0
    np.testing.assert_allclose(w.data, np.linalg.solve(A, b), rtol=1e-9)
    np.testing.assert_allclose(optimizer.hessian, A, rtol=1e-8)


def _logistic_problem():
    rng = np.random.default_rng(1)
    X = np.hstack([rng.standard_normal((60, 2)), np.ones((60, 1))])
    y = (X[:, 0] - 0.5 * X[:, 1] + 0.3 * rng.standard_normal(60) > 0).astype(np.float64)
    return X, y


def test_hessian_of_logistic_regression_and_quadratic_convergence():
    X, y = _logistic_problem()
    w = gn.zeros(3, dtype="float64", requires_grad=True)
    optimizer = optim.Newton([w])

    def closure():
        loss = binary_cross_entropy_with_logits(gn.tensor(X, dtype="float64") @ w, y)
        loss.backward()
        return loss

    optimizer.step(closure)
    p = np.full(60, 0.5)  # the Hessian at w = 0: Xᵀ diag(p(1−p)) X / N
    np.testing.assert_allclose(optimizer.hessian, X.T @ (X * (p * (1 - p))[:, None]) / 60,
                               rtol=1e-7)
    norms = [np.linalg.norm(optimizer.gradient)]
    for _ in range(8):
        optimizer.step(closure)  # optimizer.gradient: the gradient before that step
        norms.append(np.linalg.norm(optimizer.gradient))
    assert norms[-1] < 1e-12
    # Quadratic convergence: once close, each gradient norm is a constant times the previous
    # one squared (here about 40·g²; gradient descent would only shrink it by a factor).
    close = [n for n in norms if 1e-11 < n < 1e-2]
    assert len(close) >= 3
    assert all(b < 100 * a**2 for a, b in itertools.pairwise(close))


def test_reaches_the_minimum_of_rosenbrock():
    p = gn.tensor([-1.2, 1.0], dtype="float64", requires_grad=True)
    optimizer = optim.Newton([p])

    def closure():
        loss = (1 - p[0]) ** 2 + 100 * (p[1] - p[0] * p[0]) ** 2
        loss.backward()
        return loss

    for _ in range(10):
        optimizer.step(closure)
    np.testing.assert_allclose(p.data, [1.0, 1.0], atol=1e-8)


def test_large_damping_turns_the_step_into_gradient_descent():
    A, b = _quadratic()
    w = gn.zeros(4, dtype="float64", requires_grad=True)

    def closure():
        loss = 0.5 * (w * (gn.tensor(A, dtype="float64") @ w)).sum() - (w * b).sum()
        loss.backward()
        return loss

    optim.Newton([w], lr=1e4, damping=1e4).step(closure)  # θ − (lr/λ)·g = θ + b
    np.testing.assert_allclose(w.data, b, rtol=2e-3)


def test_bad_arguments_and_a_singular_hessian_are_clear_errors():
    w = gn.zeros(2, dtype="float64", requires_grad=True)
    with pytest.raises(ConfigError, match="at most 2000 parameters"):
        optim.Newton([gn.zeros(2001, dtype="float64", requires_grad=True)])
    with pytest.raises(DTypeError, match="float64 parameters"):
        optim.Newton([gn.zeros(2, requires_grad=True)])
    with pytest.raises(ConfigError, match="damping"):
        optim.Newton([w], damping=-1.0)
    with pytest.raises(ConfigError, match="eps > 0"):
        optim.Newton([w], eps=0.0)
    with pytest.raises(ConfigError, match="expected a closure"):
        optim.Newton([w]).step()

    w.data[...] = [1.0, 2.0]

    def flat_direction():
        loss = (w[0] + w[1]) ** 2  # the Hessian [[2, 2], [2, 2]] is singular
        loss.backward()
        return loss

    with pytest.raises(GraphError, match="singular"):
        optim.Newton([w]).step(flat_direction)
    np.testing.assert_array_equal(w.data, [1.0, 2.0])  # left where it was
    optim.Newton([w], damping=1e-3).step(flat_direction)
    assert abs(w.data.sum()) < 1e-2
