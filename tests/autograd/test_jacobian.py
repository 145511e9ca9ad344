"""gn.jacobian: the sigmoid's diagonal Jacobian, the softmax's full one, a linear map's
matrix, centered differences on a composite, constants, and bad arguments."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.errors import DTypeError


def _vector(n, seed=0):
    return np.random.default_rng(seed).standard_normal(n)


def test_sigmoid_of_a_vector_has_a_diagonal_jacobian():
    x = _vector(6)
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(gn.jacobian(gn.sigmoid, x), np.diag(s * (1 - s)), rtol=1e-12)


def test_softmax_jacobian_is_diag_s_minus_s_st():
    x = _vector(5)
    s = np.exp(x - x.max()) / np.exp(x - x.max()).sum()
    J = gn.jacobian(lambda t: gn.ops.softmax(t, axis=0), x)
    np.testing.assert_allclose(J, np.diag(s) - np.outer(s, s), atol=1e-14)


def test_linear_map_jacobian_is_its_matrix_and_shapes_follow_output_then_input():
    W = np.random.default_rng(1).standard_normal((3, 2, 4))
    x = np.random.default_rng(2).standard_normal((4, 5))
    J = gn.jacobian(lambda t: gn.tensor(W, dtype="float64") @ t, x)
    assert J.shape == (3, 2, 5, 4, 5)
    expected = np.einsum("abi,cj->abcij", W, np.eye(5)).transpose(0, 1, 4, 3, 2)
    np.testing.assert_allclose(J, expected, atol=1e-14)


def test_matches_centered_differences_on_a_composite():
    x = _vector(4, seed=3)

    def fn(t):
        return (t * t).tanh() * t.sum() + t.exp()

    eps, numeric = 1e-6, np.zeros((4, 4))
    for j in range(4):
        step = np.eye(4)[j] * eps
        with gn.no_grad():
            plus = fn(gn.tensor(x + step, dtype="float64")).data
            minus = fn(gn.tensor(x - step, dtype="float64")).data
        numeric[:, j] = (plus - minus) / (2 * eps)
    np.testing.assert_allclose(gn.jacobian(fn, x), numeric, rtol=1e-6, atol=1e-8)


def test_leaves_its_input_alone_and_gives_zeros_for_a_constant_function():
    x = gn.tensor([1.0, 2.0], dtype="float64", requires_grad=True)
    J = gn.jacobian(lambda t: t * 3.0, x)
    np.testing.assert_array_equal(J, 3.0 * np.eye(2))
    assert x.grad is None and x.data.tolist() == [1.0, 2.0]
    np.testing.assert_array_equal(gn.jacobian(lambda t: gn.ones(3), [1.0, 2.0]), np.zeros((3, 2)))
    assert gn.jacobian(gn.sigmoid, gn.tensor([0.0])).dtype == np.float32


def test_bad_arguments_are_clear_errors():
    with pytest.raises(DTypeError, match="floating point x"):
        gn.jacobian(gn.sigmoid, np.array([1, 2]))
    with pytest.raises(DTypeError, match="return a glassnet Tensor"):
        gn.jacobian(lambda t: t.data, [1.0])
