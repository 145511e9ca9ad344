"""LBFGS (on SciPy's L-BFGS-B): full-batch minima, several parameters, torch's minimum."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import optim
from glassnet.errors import ConfigError
from glassnet.nn.loss import binary_cross_entropy_with_logits


def _rosenbrock(p):
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def test_minimizes_rosenbrock_in_one_step_call():
    p = gn.tensor([-1.5, 2.0], dtype="float64", requires_grad=True)
    optimizer = optim.LBFGS([p], max_iter=200)

    def closure():
        loss = _rosenbrock(p)
        loss.backward()
        return loss

    first = optimizer.step(closure)
    assert first.item() == pytest.approx(2.5**2 + 100 * (2.0 - 2.25) ** 2)
    np.testing.assert_allclose(p.data, [1.0, 1.0], atol=1e-5)
    assert optimizer.step_count == 1 and optimizer.result.success


def _least_squares_problem():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 3))
    y = x @ np.array([[1.0, -2.0], [0.5, 0.0], [3.0, 1.0]]) + np.array([0.2, -0.7])
    return x, y + 0.01 * rng.standard_normal((40, 2))


def test_solves_least_squares_over_several_parameters():
    x, y = _least_squares_problem()
    weight = gn.zeros(3, 2, dtype=np.float64, requires_grad=True)
    bias = gn.zeros(2, dtype=np.float64, requires_grad=True)
    optimizer = optim.LBFGS([weight, bias], max_iter=100, tolerance_grad=1e-10)

    def closure():
        residual = gn.tensor(x, dtype="float64") @ weight + bias - y
        loss = (residual * residual).mean()
        loss.backward()
        return loss

    optimizer.step(closure)
    design = np.hstack([x, np.ones((40, 1))])
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    np.testing.assert_allclose(weight.data, solution[:3], atol=1e-6)
    np.testing.assert_allclose(bias.data, solution[3], atol=1e-6)


def test_float32_parameters_are_written_back_as_float32():
    p = gn.tensor([3.0, -1.0], requires_grad=True)
    optimizer = optim.LBFGS([p])

    def closure():
        loss = ((p - 2.0) * (p - 2.0)).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    assert p.data.dtype == np.float32
    np.testing.assert_allclose(p.data, [2.0, 2.0], atol=1e-5)


def test_reaches_the_same_minimum_as_torch_lbfgs_on_regularized_logistic_regression():
    torch = pytest.importorskip("torch", reason="torch.optim.LBFGS is the optional reference")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((60, 4))
    y = (x @ np.array([1.0, -1.0, 2.0, 0.0]) + 0.5 * rng.standard_normal(60) > 0).astype(float)
    w = gn.zeros(4, dtype=np.float64, requires_grad=True)
    optimizer = optim.LBFGS([w], max_iter=200, tolerance_grad=1e-10, tolerance_change=1e-14)

    def closure():
        logits = gn.tensor(x, dtype="float64") @ w
        loss = binary_cross_entropy_with_logits(logits, y) + 0.05 * (w * w).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    w_t = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    reference = torch.optim.LBFGS(
        [w_t], max_iter=200, tolerance_grad=1e-10, tolerance_change=1e-14,
        line_search_fn="strong_wolfe",
    )

    def torch_closure():
        reference.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            torch.tensor(x) @ w_t, torch.tensor(y)
        ) + 0.05 * (w_t * w_t).sum()
        loss.backward()
        return loss

    reference.step(torch_closure)
    np.testing.assert_allclose(w.data, w_t.detach().numpy(), atol=1e-6)


def test_rejects_missing_closure_and_bad_settings():
    p = gn.tensor([1.0], requires_grad=True)
    with pytest.raises(ConfigError, match="LBFGS.step: expected a closure"):
        optim.LBFGS([p]).step()
    with pytest.raises(ConfigError, match="max_iter >= 1"):
        optim.LBFGS([p], max_iter=0)
    with pytest.raises(ConfigError, match="max_eval >= 1 or None"):
        optim.LBFGS([p], max_eval=0)
