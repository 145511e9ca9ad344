"""conv2d/conv1d against a naive nested loop, the float64 gradient check and PyTorch."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.errors import DTypeError, ShapeError
from glassnet.ops.fused import conv1d, conv2d

from . import _reference

# (x shape, weight shape, stride, padding): every case the issue lists.
CASES = {
    "3x3_pad1": ((2, 3, 6, 6), (4, 3, 3, 3), (1, 1), (1, 1)),
    "stride2": ((2, 2, 7, 7), (3, 2, 3, 3), (2, 2), (0, 0)),
    "stride2_pad1_non_square": ((1, 2, 9, 7), (3, 2, 3, 3), (2, 2), (1, 1)),
    "non_square_kernel_and_stride": ((2, 2, 5, 9), (2, 2, 1, 3), (1, 2), (0, 1)),
    "1x1": ((2, 5, 4, 3), (3, 5, 1, 1), (1, 1), (0, 0)),
    "kernel_larger_than_stride": ((1, 1, 8, 8), (2, 1, 4, 4), (2, 2), (1, 1)),
    "batch_of_1": ((1, 1, 5, 5), (2, 1, 3, 3), (1, 1), (1, 1)),
}


def _arrays(case, dtype, seed=0):
    x_shape, w_shape, stride, padding = CASES[case]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype)
    return x, w, b, stride, padding


@pytest.mark.parametrize("case", CASES)
def test_conv2d_matches_the_naive_loop(case):
    x, w, b, stride, padding = _arrays(case, np.float64)
    y = conv2d(gn.tensor(x, dtype="float64"), gn.tensor(w, dtype="float64"),
               gn.tensor(b, dtype="float64"), stride=stride, padding=padding)
    np.testing.assert_allclose(y.data, _reference.conv2d(x, w, b, stride, padding), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_conv2d_gradients_pass_the_float64_check(case):
    x, w, b, stride, padding = _arrays(case, np.float64)
    inputs = [gn.tensor(a, dtype="float64", requires_grad=True) for a in (x, w, b)]
    gn.gradcheck(lambda x, w, b: conv2d(x, w, b, stride=stride, padding=padding), inputs)


def test_conv2d_without_bias_passes_the_float64_check():
    x, w, _, stride, padding = _arrays("stride2_pad1_non_square", np.float64)
    inputs = [gn.tensor(a, dtype="float64", requires_grad=True) for a in (x, w)]
    gn.gradcheck(lambda x, w: conv2d(x, w, stride=stride, padding=padding), inputs)


def test_conv2d_hand_checked_case():
    # A 2x2 box filter of ones over a 3x3 grid of 0..8: each output sums its window.
    x = gn.tensor(np.arange(9.0).reshape(1, 1, 3, 3))
    y = conv2d(x, gn.ones(1, 1, 2, 2), gn.tensor([0.5]))
    assert y.tolist() == [[[[8.5, 12.5], [20.5, 24.5]]]]


def test_conv2d_keeps_float32_and_skips_the_input_gradient_when_not_needed():
    x, w, b, stride, padding = _arrays("3x3_pad1", np.float32)
    x_t = gn.tensor(x)  # the first layer's image: no gradient wanted
    w_t, b_t = gn.tensor(w, requires_grad=True), gn.tensor(b, requires_grad=True)
    y = conv2d(x_t, w_t, b_t, stride=stride, padding=padding)
    y.sum().backward()
    assert y.dtype == np.float32 and w_t.grad.dtype == np.float32
    assert x_t.grad is None
    assert w_t.grad.shape == w.shape and w_t.grad.flags.c_contiguous


def test_conv2d_gives_the_same_result_for_contiguous_and_channels_last_inputs():
    x, w, b, stride, padding = _arrays("3x3_pad1", np.float64)
    channels_last = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    w_t, b_t = gn.tensor(w, dtype="float64"), gn.tensor(b, dtype="float64")
    a = conv2d(gn.tensor(x, dtype="float64"), w_t, b_t, stride=stride, padding=padding)
    c = conv2d(gn.as_tensor(channels_last, dtype="float64"), w_t, b_t, stride=stride,
               padding=padding)
    np.testing.assert_array_equal(a.data, c.data)


def test_conv2d_handles_an_empty_batch():
    y = conv2d(gn.zeros(0, 3, 5, 5), gn.zeros(2, 3, 3, 3), padding=(1, 1))
    assert y.shape == (0, 2, 5, 5)


def test_conv1d_matches_conv2d_on_a_height_one_image_and_passes_the_float64_check():
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((2, 3, 9)), rng.standard_normal((4, 3, 3)), rng.standard_normal(4)
    y = conv1d(*(gn.tensor(a, dtype="float64") for a in (x, w, b)), stride=2, padding=1)
    expected = _reference.conv2d(x[:, :, None], w[:, :, None], b, (1, 2), (0, 1))[:, :, 0]
    np.testing.assert_allclose(y.data, expected, rtol=1e-12, atol=1e-12)
    inputs = [gn.tensor(a, dtype="float64", requires_grad=True) for a in (x, w, b)]
    gn.gradcheck(lambda x, w, b: conv1d(x, w, b, stride=2, padding=1), inputs)


def test_conv2d_rejects_a_channel_mismatch_naming_both_shapes():
    expected = (
        r"conv2d: input has 4 channels but weight expects in_channels=3 "
        r"\(x.shape=\(2, 4, 8, 8\), weight.shape=\(6, 3, 3, 3\)\)\. Check the previous layer"
    )
    with pytest.raises(ShapeError, match=expected):
        conv2d(gn.zeros(2, 4, 8, 8), gn.zeros(6, 3, 3, 3))


def test_conv2d_rejects_the_lectures_7x7_f3_s3_layer():
    with pytest.raises(ShapeError, match=r"conv2d: .* = 2\.33 for input size W=7, kernel F=3"):
        conv2d(gn.zeros(1, 3, 7, 7), gn.zeros(2, 3, 3, 3), stride=(3, 3))


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "b_shape", "match"),
    [
        ((3, 8, 8), (6, 3, 3, 3), None, r"conv2d: expected a 4-d input \(N, C, H, W\), but got "
         r"shape \(3, 8, 8\)"),
        ((1, 3, 8, 8), (6, 3, 3), None, r"conv2d: expected a 4-d weight"),
        ((1, 3, 8, 8), (6, 3, 3, 3), (5,), r"conv2d: expected a bias of shape \(6,\)"),
        ((1, 3, 8), (6, 2, 3), None, r"conv1d: input has 3 channels but weight expects "
         r"in_channels=2"),
    ],
)
def test_conv_rejects_bad_ranks_and_bias(x_shape, w_shape, b_shape, match):
    op = conv2d if len(w_shape) != 3 or len(x_shape) == 4 else conv1d
    bias = None if b_shape is None else gn.zeros(*b_shape)
    with pytest.raises(ShapeError, match=match):
        op(gn.zeros(*x_shape), gn.zeros(*w_shape), bias)


def test_conv2d_rejects_an_integer_input():
    with pytest.raises(DTypeError, match="conv2d: expected a floating input, but got dtype int"):
        conv2d(gn.tensor(np.ones((1, 1, 3, 3), dtype=np.int64)), gn.zeros(1, 1, 3, 3))


@pytest.mark.parametrize("case", CASES)
def test_conv2d_matches_torch_in_float32(case):
    torch = pytest.importorskip("torch", reason="PyTorch is the optional reference")
    x, w, b, stride, padding = _arrays(case, np.float32)
    grad = np.random.default_rng(2).standard_normal(
        (x.shape[0], w.shape[0], *_reference._out_size(x.shape, w.shape[2:], stride, padding))
    ).astype(np.float32)
    ours = [gn.tensor(a, requires_grad=True) for a in (x, w, b)]
    y = conv2d(*ours, stride=stride, padding=padding)
    y.backward(grad)
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    y_t = torch.nn.functional.conv2d(*theirs, stride=stride, padding=padding)
    y_t.backward(torch.tensor(grad))
    np.testing.assert_allclose(y.data, y_t.detach().numpy(), rtol=1e-5, atol=1e-5)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-5, atol=1e-5)


def test_conv1d_matches_torch_in_float32():
    torch = pytest.importorskip("torch", reason="PyTorch is the optional reference")
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in ((2, 3, 10), (5, 3, 4), (5,))]
    ours = [gn.tensor(a, requires_grad=True) for a in arrays]
    y = conv1d(*ours, stride=2, padding=1)
    grad = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(grad)
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y_t = torch.nn.functional.conv1d(*theirs, stride=2, padding=1)
    y_t.backward(torch.tensor(grad))
    np.testing.assert_allclose(y.data, y_t.detach().numpy(), rtol=1e-5, atol=1e-5)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-5, atol=1e-5)
