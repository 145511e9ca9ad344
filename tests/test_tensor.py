"""Tensor creation, the dtype policy, operators with Python numbers, comparisons, repr."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.errors import DTypeError


@pytest.mark.parametrize(
    "data",
    [[1.0, 2.0], 1.5, np.array([1.0, 2.0], dtype=np.float64), np.float16([1.0])],
    ids=["list", "python_float", "float64_array", "float16_array"],
)
def test_floating_data_becomes_float32(data):
    assert gn.tensor(data).dtype == np.float32


def test_float64_when_asked_for_stays_float64_end_to_end():
    x = gn.tensor([1.0, 2.0], dtype="float64", requires_grad=True)
    y = (x * 2.0 + 1).exp().sum()
    y.backward()
    assert y.dtype == np.float64 and x.grad.dtype == np.float64


def test_integer_and_bool_data_keep_their_dtype():
    assert gn.tensor([1, 2]).dtype == np.int64
    assert gn.tensor([True, False]).dtype == np.bool_


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(DTypeError, match="only floating tensors can require gradients"):
        gn.tensor([1, 2], requires_grad=True)


@pytest.mark.parametrize(
    ("data", "kind"),
    [(["a", "b"], "string"), ([1 + 2j], "complex"), (np.array([object()]), "object")],
)
def test_unsupported_dtypes_are_rejected_at_creation(data, kind):
    with pytest.raises(DTypeError, match=kind):
        gn.tensor(data)


def test_ragged_lists_are_rejected_with_a_clear_error():
    with pytest.raises(DTypeError, match="cannot convert"):
        gn.tensor([[1.0], [2.0, 3.0]])


def test_tensor_copies_its_input():
    array = np.zeros(3, dtype=np.float32)
    t = gn.tensor(array)
    array[0] = 5
    assert t.data[0] == 0


def test_as_tensor_shares_memory_when_it_can():
    array = np.zeros(3, dtype=np.float32)
    assert gn.as_tensor(array).data is array


def test_binary_ops_follow_numpy_promotion():
    f32 = gn.tensor([1.0])
    assert (f32 * 2.0).dtype == np.float32  # Python scalars are weak
    assert (f32 + gn.tensor([1.0], dtype="float64")).dtype == np.float64
    assert (gn.tensor([1, 2]) * 0.5).dtype == np.float64  # as NumPy: int * float


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (lambda t: 1 + t, [3.0, 5.0]),
        (lambda t: 1 - t, [-1.0, -3.0]),
        (lambda t: 3 * t, [6.0, 12.0]),
        (lambda t: 8 / t, [4.0, 2.0]),
        (lambda t: 2**t, [4.0, 16.0]),
        (lambda t: t**2, [4.0, 16.0]),
        (lambda t: -t, [-2.0, -4.0]),
        (lambda t: abs(-t), [2.0, 4.0]),
        (lambda t: np.array([1.0, 1.0]) + t, [3.0, 5.0]),
    ],
)
def test_operators_with_numbers_on_either_side(expression, expected):
    t = gn.tensor([2.0, 4.0], requires_grad=True)
    out = expression(t)
    assert isinstance(out, gn.Tensor) and out.requires_grad
    np.testing.assert_allclose(out.data, expected)


def test_numpy_array_on_the_left_keeps_the_graph():
    t = gn.tensor([2.0, 4.0], dtype="float64", requires_grad=True)
    (np.array([3.0, 5.0]) * t).sum().backward()
    np.testing.assert_array_equal(t.grad, [3.0, 5.0])


def test_matmul_operator_on_both_sides():
    a = gn.tensor([[1.0, 2.0]])
    assert (a @ np.eye(2)).shape == (1, 2)
    assert (np.eye(1) @ a).shape == (1, 2)


def test_comparisons_return_boolean_tensors_without_grad():
    t = gn.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result in (t > 1, t >= 2, t < 2, t <= 1, t == 2, t != 2):
        assert result.dtype == np.bool_ and not result.requires_grad
    np.testing.assert_array_equal((t > 1.5).data, [False, True, True])


def test_array_facts_and_conversions():
    t = gn.tensor(np.arange(6.0).reshape(2, 3))
    assert (t.shape, t.ndim, t.size, len(t)) == ((2, 3), 2, 6, 2)
    assert t.numpy() is t.data
    assert gn.tensor([[4.0]]).item() == 4.0
    assert np.asarray(t).shape == (2, 3)


def test_repr_shows_dtype_and_grad_only_when_not_default():
    assert repr(gn.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(gn.tensor([1, 2])) == "tensor([1, 2], dtype=int64)"
    assert repr(gn.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"


def test_constructors_shapes_and_dtypes():
    assert gn.zeros(2, 3).shape == (2, 3) and gn.zeros((2, 3)).dtype == np.float32
    assert gn.ones(4, dtype="float64").dtype == np.float64
    np.testing.assert_array_equal(gn.full((2,), 7.0).data, [7.0, 7.0])
    assert gn.arange(5).dtype == np.int64 and gn.arange(0.0, 1.0, 0.25).size == 4
    assert gn.zeros_like(gn.ones(3, dtype="float64")).dtype == np.float64
    assert gn.randn(3, 4).dtype == np.float32 and gn.rand(2).data.max() < 1


def test_random_constructors_are_reproducible_with_a_seed_or_generator():
    gn.manual_seed(3)
    first = gn.randn(5).data
    gn.manual_seed(3)
    np.testing.assert_array_equal(first, gn.randn(5).data)
    a = gn.rand(4, generator=np.random.default_rng(1)).data
    b = gn.rand(4, generator=np.random.default_rng(1)).data
    np.testing.assert_array_equal(a, b)


def test_constructors_reject_negative_sizes_and_bad_seeds():
    with pytest.raises(ValueError, match="non-negative integers"):
        gn.zeros(-1)
    with pytest.raises(ValueError, match="non-negative integer seed"):
        gn.manual_seed(-5)
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        gn.randn(2, generator=42)


def test_tensor_methods_delegate_to_ops():
    t = gn.tensor([[1.0, -2.0], [3.0, 4.0]])
    np.testing.assert_allclose(t.sum(axis=1).data, [-1.0, 7.0])
    np.testing.assert_allclose(t.max(axis=1, keepdims=True).data, [[1.0], [4.0]])
    np.testing.assert_allclose(t.var(axis=0).data, [1.0, 9.0])
    assert t.reshape(4).shape == (4,) and t.reshape((1, 4)).shape == (1, 4)
    assert t.transpose().shape == (2, 2) and t.unsqueeze(0).shape == (1, 2, 2)
    np.testing.assert_allclose(t.relu().data, [[1.0, 0.0], [3.0, 4.0]])
    np.testing.assert_allclose(t.clip(-1, 1).data, [[1.0, -1.0], [1.0, 1.0]])
