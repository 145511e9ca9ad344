"""gradcheck: passes correct backwards, catches wrong ones and says where."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.autograd.function import Function
from glassnet.errors import DTypeError, GradientCheckError


class WrongSquare(Function):
    """x² with a backward that is off by a factor of 2 in the second element."""

    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return x * x

    def backward(self, grad_z):
        (x,) = self.saved
        grad = 2 * x * grad_z
        grad[1] *= 2
        return grad


def test_passes_a_correct_function_and_reports_each_input():
    a = gn.tensor([[1.0, 2.0], [3.0, 4.0]], dtype="float64", requires_grad=True)
    b = gn.tensor([0.5, -1.0], dtype="float64", requires_grad=True)
    result = gn.gradcheck(lambda a, b: (a * b).exp().sum(axis=1), [a, b])
    assert len(result.max_relative_errors) == 2
    assert all(err < 1e-7 for err in result.max_relative_errors)


def test_fails_a_wrong_backward_naming_the_input_and_the_index():
    const = gn.tensor([1.0, 1.0, 1.0], dtype="float64")
    x = gn.tensor([1.0, 2.0, 3.0], dtype="float64", requires_grad=True)
    with pytest.raises(GradientCheckError, match=r"input 1 fails at index \(1,\)"):
        gn.gradcheck(lambda c, x: WrongSquare.apply(x) + c, [const, x])


def test_inputs_without_grad_are_not_checked():
    x = gn.tensor([1.0, 2.0], dtype="float64", requires_grad=True)
    c = gn.tensor([3.0, 4.0], dtype="float64")
    result = gn.gradcheck(lambda x, c: x * c, [x, c])
    assert result.max_relative_errors[1] is None


def test_rejects_float32_inputs():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(DTypeError, match="input 0 has dtype float32.*float64"):
        gn.gradcheck(lambda x: x * x, [x])


def test_restores_data_and_existing_gradients():
    x = gn.tensor([1.0, 2.0], dtype="float64", requires_grad=True)
    x.grad = np.array([7.0, 7.0])
    before = x.data.copy()
    gn.gradcheck(lambda x: (x * x).sum(), [x])
    np.testing.assert_array_equal(x.data, before)
    np.testing.assert_array_equal(x.grad, [7.0, 7.0])


def test_checks_parameters_used_inside_the_function():
    weight = gn.tensor([[0.5, -1.0], [2.0, 0.1]], dtype="float64", requires_grad=True)
    inputs = gn.tensor([[1.0, 2.0]], dtype="float64")
    result = gn.gradcheck(lambda w: (inputs @ weight).tanh().sum(), [weight])
    assert result.max_relative_errors[0] < 1e-7
