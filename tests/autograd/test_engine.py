"""The graph walk: the lecture's examples, backward patterns, accumulation, graph release."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.errors import GraphError, ShapeError


def leaf(value, dtype="float64"):
    return gn.tensor(value, dtype=dtype, requires_grad=True)


def test_lecture_circuit_x_plus_y_times_z():
    x, y, z = leaf(-2.0), leaf(5.0), leaf(-4.0)
    f = (x + y) * z
    f.backward()
    assert f.item() == -12.0
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)


def test_lecture_sigmoid_neuron():
    w = leaf([2.0, -3.0, -3.0])
    x = leaf([-1.0, -2.0])
    out = gn.sigmoid(w[0] * x[0] + w[1] * x[1] + w[2])
    out.backward()
    assert round(out.item(), 2) == 0.73
    np.testing.assert_array_equal(np.round(w.grad, 2), [-0.20, -0.39, 0.20])
    np.testing.assert_array_equal(np.round(x.grad, 2), [0.39, -0.59])


def test_add_distributes_the_gradient_unchanged():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).backward(np.array([5.0, 7.0]))
    np.testing.assert_array_equal(a.grad, [5.0, 7.0])
    np.testing.assert_array_equal(b.grad, [5.0, 7.0])


def test_mul_swaps_its_inputs():
    a, b = leaf([2.0]), leaf([-3.0])
    (a * b).backward(np.array([1.0]))
    assert a.grad[0] == -3.0 and b.grad[0] == 2.0


def test_max_routes_the_gradient_to_the_larger_input():
    a, b = leaf([1.0, 5.0]), leaf([4.0, 2.0])
    gn.maximum(a, b).backward(np.array([10.0, 20.0]))
    np.testing.assert_array_equal(a.grad, [0.0, 20.0])
    np.testing.assert_array_equal(b.grad, [10.0, 0.0])


def test_max_reduction_splits_the_gradient_among_ties():
    x = leaf([3.0, 1.0, 3.0])
    x.max().backward()
    np.testing.assert_array_equal(x.grad, [0.5, 0.0, 0.5])


def test_gradients_meeting_at_a_branch_add_up():
    x = leaf(3.0)
    y = x * x + x  # x is used three times
    y.backward()
    assert x.grad == 2 * 3.0 + 1


def test_diamond_graph_visits_shared_node_once():
    x = leaf(2.0)
    shared = x * 3.0
    out = shared * shared + shared.exp()
    out.backward()
    expected = 2 * (3 * 2.0) * 3 + np.exp(6.0) * 3
    assert x.grad == pytest.approx(expected)


def test_gradients_accumulate_across_backward_calls_until_cleared():
    x = leaf([1.0, 2.0])
    (x * 2).sum().backward()
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [4.0, 4.0])
    x.grad = None
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


def test_leaves_sharing_one_gradient_array_get_independent_copies():
    a, b = leaf([1.0]), leaf([2.0])
    (a + b).backward(np.array([1.0]))
    a.grad *= 10
    assert b.grad[0] == 1.0


def test_non_scalar_output_needs_an_explicit_gradient():
    x = leaf([1.0, 2.0])
    with pytest.raises(GraphError, match=r"expected a scalar output, but got shape \(2,\)"):
        (x * 2).backward()


def test_explicit_gradient_must_have_the_output_shape():
    x = leaf([1.0, 2.0])
    with pytest.raises(ShapeError, match=r"gradient of shape \(2,\).*got \(3,\)"):
        (x * 2).backward(np.ones(3))


def test_backward_on_a_tensor_without_grad_is_an_error():
    with pytest.raises(GraphError, match="does not require grad"):
        gn.tensor([1.0]).sum().backward()


def test_second_backward_through_a_released_graph_is_an_error():
    x = leaf(2.0)
    y = x * x
    y.backward()
    with pytest.raises(GraphError, match="already freed.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = leaf(2.0)
    y = x * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad == 8.0


def test_backward_frees_the_saved_arrays():
    x = leaf(np.ones(3))
    y = (x * x).sum()
    product = y._ctx.inputs[0]._ctx
    assert product.saved is not None
    y.backward()
    assert product.saved is None


def test_a_chain_of_100000_ops_needs_no_recursion():
    x = leaf(0.0)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.backward()
    assert y.item() == 100_000.0 and x.grad == 1.0


def test_no_grad_records_nothing():
    x = leaf([1.0])
    with gn.no_grad():
        y = x * 2
    assert not y.requires_grad and y.is_leaf
    assert gn.is_grad_enabled()


def test_no_grad_works_as_a_decorator_and_restores_on_error():
    @gn.no_grad()
    def double(t):
        return t * 2

    assert not double(leaf([1.0])).requires_grad
    with pytest.raises(ZeroDivisionError), gn.no_grad():
        raise ZeroDivisionError
    assert gn.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    x = leaf([1.0])
    with gn.no_grad(), gn.enable_grad():
        assert (x * 2).requires_grad


def test_detach_shares_data_but_cuts_the_graph():
    x = leaf([1.0, 2.0])
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf
    (x * d).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_constants_get_no_gradient_and_inputs_without_grad_stay_none():
    x = leaf([1.0, 2.0])
    c = gn.tensor([3.0, 4.0], dtype="float64")
    (x * c + np.array([1.0, 1.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])
    assert c.grad is None


def test_nan_in_backward_is_not_hidden():
    x = leaf([0.0, 1.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        gn.sqrt(x).sum().backward()
    assert np.isinf(x.grad[0]) and x.grad[1] == 0.5
