"""linear against the composite x @ W.T + b, the float64 check and PyTorch."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.errors import DTypeError, ShapeError
from glassnet.ops.fused import linear


def test_linear_hand_checked_case():
    x = gn.tensor([[1.0, 2.0]], requires_grad=True)
    w = gn.tensor([[1.0, 0.0], [1.0, -1.0], [0.5, 0.5]], requires_grad=True)
    b = gn.tensor([0.0, 1.0, 2.0], requires_grad=True)
    y = linear(x, w, b)
    assert y.tolist() == [[1.0, 0.0, 3.5]]
    y.sum().backward()
    assert x.grad.tolist() == [[2.5, -0.5]]  # column sums of w
    assert w.grad.tolist() == [[1.0, 2.0]] * 3  # x, once per output
    assert b.grad.tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("x_shape", [(5, 4), (2, 3, 4), (4,)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_matches_the_composite_in_values_and_gradients(x_shape, with_bias):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(x_shape), rng.standard_normal((3, 4)), rng.standard_normal(3)]
    fused = [gn.tensor(a, dtype="float64", requires_grad=True) for a in arrays]
    composite = [gn.tensor(a, dtype="float64", requires_grad=True) for a in arrays]
    y = linear(*fused) if with_bias else linear(*fused[:2])
    z = composite[0] @ composite[1].T
    z = z + composite[2] if with_bias else z
    np.testing.assert_allclose(y.data, z.data, rtol=1e-12, atol=1e-12)
    grad = rng.standard_normal(y.shape)
    y.backward(grad)
    z.backward(grad)
    for a, b in zip(fused[: 2 + with_bias], composite):
        np.testing.assert_allclose(a.grad, b.grad, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("x_shape", [(5, 4), (2, 3, 4), (1, 4)])
def test_linear_gradients_pass_the_float64_check(x_shape):
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(x_shape), rng.standard_normal((3, 4)), rng.standard_normal(3)]
    inputs = [gn.tensor(a, dtype="float64", requires_grad=True) for a in arrays]
    gn.gradcheck(linear, inputs)


def test_linear_keeps_float32_and_handles_an_empty_batch():
    x = gn.zeros(0, 4, requires_grad=True)
    w = gn.ones(3, 4, requires_grad=True)
    y = linear(x, w, gn.zeros(3))
    assert y.shape == (0, 3) and y.dtype == np.float32
    y.sum().backward()
    assert x.grad.shape == (0, 4) and w.grad.tolist() == [[0.0] * 4] * 3


def test_linear_adds_a_bias_of_a_wider_dtype_without_writing_in_place():
    # float32 x·Wᵀ plus a float64 bias is float64 (NumPy's promotion): the op cannot add
    # the bias in place, and takes its other path.
    x, w = np.array([[1.0, 2.0]], np.float32), np.array([[1.0, -1.0], [0.5, 0.25]], np.float32)
    bias = gn.tensor([0.1, 1e-9], dtype="float64", requires_grad=True)
    y = linear(gn.tensor(x), gn.tensor(w), bias)
    assert y.dtype == np.float64
    np.testing.assert_allclose(y.data, [[-1.0 + 0.1, 1.0 + 1e-9]], rtol=1e-15)
    y.sum().backward()
    assert bias.grad.tolist() == [1.0, 1.0]


def test_linear_rejects_a_feature_mismatch_naming_both_shapes():
    expected = (
        r"linear: input has 7 features but weight expects in_features=8 "
        r"\(x.shape=\(32, 7\), weight.shape=\(10, 8\)\)\. Check the previous layer's out_features"
    )
    with pytest.raises(ShapeError, match=expected):
        linear(gn.zeros(32, 7), gn.zeros(10, 8))


def test_linear_rejects_a_bad_weight_rank_and_bias_length():
    with pytest.raises(ShapeError, match=r"linear: expected a 2-d weight .* but got shape \(8,\)"):
        linear(gn.zeros(2, 8), gn.zeros(8))
    with pytest.raises(ShapeError, match=r"linear: expected a bias of shape \(10,\) .* \(8,\)"):
        linear(gn.zeros(2, 8), gn.zeros(10, 8), gn.zeros(8))


def test_linear_rejects_an_integer_input():
    with pytest.raises(DTypeError, match="linear: expected a floating input, but got dtype int"):
        linear(gn.tensor([[1, 2]]), gn.zeros(3, 2))


def test_linear_matches_torch_in_float32():
    torch = pytest.importorskip("torch", reason="PyTorch is the optional reference")
    rng = np.random.default_rng(2)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in ((6, 5), (4, 5), (4,))]
    ours = [gn.tensor(a, requires_grad=True) for a in arrays]
    y = linear(*ours)
    grad = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(grad)
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y_ref = torch.nn.functional.linear(*theirs)
    y_ref.backward(torch.tensor(grad))
    np.testing.assert_allclose(y.data, y_ref.detach().numpy(), rtol=1e-5, atol=1e-5)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-5, atol=1e-5)
