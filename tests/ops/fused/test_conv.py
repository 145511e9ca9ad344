"""conv2d/conv1d against a naive nested loop, the float64 gradient check and PyTorch, over a
table of strides, paddings, dilations, groups, odd and even sizes and non-square kernels."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.errors import DTypeError, ShapeError
from glassnet.ops.fused import conv1d, conv2d
from glassnet.ops.fused.conv import Conv2d, DepthwiseConv2d

from . import _reference

# (x shape, weight shape, stride, padding, dilation, groups)
CASES = {
    "3x3_pad1": ((2, 3, 6, 6), (4, 3, 3, 3), (1, 1), (1, 1), (1, 1), 1),
    "stride2_odd_size": ((2, 2, 7, 7), (3, 2, 3, 3), (2, 2), (0, 0), (1, 1), 1),
    "stride2_pad1_even_size_resnet": ((1, 2, 8, 6), (3, 2, 3, 3), (2, 2), (1, 1), (1, 1), 1),
    "stride2_pad1_non_square_input": ((1, 2, 9, 7), (3, 2, 3, 3), (2, 2), (1, 1), (1, 1), 1),
    "tall_kernel_wide_stride": ((2, 2, 7, 9), (2, 2, 3, 2), (1, 2), (1, 0), (1, 1), 1),
    "wide_kernel_tall_stride": ((2, 2, 9, 7), (2, 2, 2, 3), (2, 1), (0, 1), (1, 1), 1),
    "1x1": ((2, 5, 4, 3), (3, 5, 1, 1), (1, 1), (0, 0), (1, 1), 1),
    "1x1_stride2_even_size": ((1, 3, 6, 6), (2, 3, 1, 1), (2, 2), (0, 0), (1, 1), 1),
    "kernel_larger_than_stride": ((1, 1, 8, 8), (2, 1, 4, 4), (2, 2), (1, 1), (1, 1), 1),
    "lecture_7x7_f3_s3_drops_the_edge": ((1, 2, 7, 7), (2, 2, 3, 3), (3, 3), (0, 0), (1, 1), 1),
    "dilation2": ((2, 2, 9, 8), (3, 2, 3, 3), (1, 1), (2, 2), (2, 2), 1),
    "dilation_non_square_stride2": ((1, 2, 10, 9), (2, 2, 3, 2), (2, 1), (1, 0), (2, 3), 1),
    "groups2": ((2, 4, 6, 5), (6, 2, 3, 3), (1, 1), (1, 1), (1, 1), 2),
    "groups3_stride2_wide_kernel": ((1, 6, 7, 8), (3, 2, 2, 3), (2, 2), (1, 0), (1, 1), 3),
    "depthwise_3x3": ((2, 4, 6, 7), (4, 1, 3, 3), (1, 1), (1, 1), (1, 1), 4),
    "depthwise_stride2_even_size": ((2, 3, 8, 8), (3, 1, 3, 3), (2, 2), (1, 1), (1, 1), 3),
    "depthwise_floor_drops_the_edge": ((1, 2, 7, 7), (2, 1, 3, 3), (3, 3), (0, 0), (1, 1), 2),
    "depthwise_multiplier2_dilated_tall_kernel": (
        (1, 3, 9, 8), (6, 1, 3, 2), (2, 1), (2, 1), (2, 1), 3),
    "batch_of_1": ((1, 1, 5, 5), (2, 1, 3, 3), (1, 1), (1, 1), (1, 1), 1),
}

# (x shape, weight shape, stride, padding, dilation, groups) for conv1d
CASES_1D = {
    "stride2_pad1": ((2, 3, 9), (4, 3, 3), 2, 1, 1, 1),
    "floor_drops_the_last_element": ((2, 2, 9), (2, 2, 4), 2, 0, 1, 1),
    "grouped_stride3": ((1, 4, 11), (6, 2, 2), 3, 1, 1, 2),
    "depthwise_dilated": ((2, 4, 10), (4, 1, 3), 1, 2, 2, 4),
}


def _arrays(case, dtype, seed=0, cases=CASES):
    x_shape, w_shape, *settings = cases[case]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype)
    return x, w, b, settings


def _options(settings):
    stride, padding, dilation, groups = settings
    return {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}


@pytest.mark.parametrize("case", CASES)
def test_conv2d_matches_the_naive_loop(case):
    x, w, b, settings = _arrays(case, np.float64)
    y = conv2d(gn.tensor(x, dtype="float64"), gn.tensor(w, dtype="float64"),
               gn.tensor(b, dtype="float64"), **_options(settings))
    np.testing.assert_allclose(y.data, _reference.conv2d(x, w, b, *settings), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_conv2d_gradients_pass_the_float64_check(case):
    x, w, b, settings = _arrays(case, np.float64)
    inputs = [gn.tensor(a, dtype="float64", requires_grad=True) for a in (x, w, b)]
    gn.gradcheck(lambda x, w, b: conv2d(x, w, b, **_options(settings)), inputs)


@pytest.mark.parametrize("case", [c for c in CASES if CASES[c][1][1] == 1 and CASES[c][5] > 1])
def test_the_depthwise_op_equals_the_grouped_gemm_op(case):
    # Two algorithms for groups = C_in: offsets with element-wise products, and im2col with
    # one GEMM per group. Outputs and every gradient agree.
    x, w, b, settings = _arrays(case, np.float64)
    options = _options(settings)
    grad = None
    results = []
    for op in (DepthwiseConv2d, Conv2d):
        inputs = [gn.tensor(a, dtype="float64", requires_grad=True) for a in (x, w, b)]
        y = op.apply(*inputs, **options)
        grad = np.random.default_rng(3).standard_normal(y.shape) if grad is None else grad
        y.backward(grad)
        results.append([y.data] + [t.grad for t in inputs])
    for mine, other in zip(*results):
        np.testing.assert_allclose(mine, other, rtol=1e-12, atol=1e-12)


def test_the_depthwise_op_sums_over_several_batch_blocks_like_the_gemm_op():
    # 3 samples of 2×130×130 float64 outputs (270 KB each) make 3 cache blocks of one sample.
    rng = np.random.default_rng(4)
    x, w, b = (rng.standard_normal(s) for s in ((3, 2, 130, 130), (2, 1, 3, 3), (2,)))
    grad = rng.standard_normal((3, 2, 130, 130))
    results = []
    for op in (DepthwiseConv2d, Conv2d):
        inputs = [gn.tensor(a, dtype="float64", requires_grad=True) for a in (x, w, b)]
        y = op.apply(*inputs, stride=(1, 1), padding=(1, 1), dilation=(1, 1), groups=2)
        y.backward(grad)
        results.append([y.data] + [t.grad for t in inputs])
    for mine, other in zip(*results):
        np.testing.assert_allclose(mine, other, rtol=1e-10, atol=1e-10)


def test_conv2d_without_bias_passes_the_float64_check():
    x, w, _, settings = _arrays("stride2_pad1_non_square_input", np.float64)
    inputs = [gn.tensor(a, dtype="float64", requires_grad=True) for a in (x, w)]
    gn.gradcheck(lambda x, w: conv2d(x, w, **_options(settings)), inputs)


def test_conv2d_hand_checked_case():
    # A 2x2 box filter of ones over a 3x3 grid of 0..8: each output sums its window.
    x = gn.tensor(np.arange(9.0).reshape(1, 1, 3, 3))
    y = conv2d(x, gn.ones(1, 1, 2, 2), gn.tensor([0.5]))
    assert y.tolist() == [[[[8.5, 12.5], [20.5, 24.5]]]]


def test_dilated_and_depthwise_hand_checked_cases():
    x = gn.tensor(np.arange(9.0).reshape(1, 1, 3, 3))
    # dilation 2: the 2x2 kernel's taps are the grid's four corners, 0 + 2 + 6 + 8
    assert conv2d(x, gn.ones(1, 1, 2, 2), dilation=(2, 2)).tolist() == [[[[16.0]]]]
    # depthwise: channel c is only scaled by its own 1x1 weight c + 1
    x2 = gn.tensor(np.ones((1, 2, 1, 2)))
    y = conv2d(x2, gn.tensor([[[[1.0]]], [[[2.0]]]]), groups=2)
    assert y.tolist() == [[[[1.0, 1.0]], [[2.0, 2.0]]]]


def test_the_lectures_7x7_f3_s3_gives_pytorchs_2x2_and_never_reads_the_edge():
    # (7 − 3)/3 + 1 = 2.33: two windows per axis read rows and columns 0..5; the last row
    # and column are never read, so their gradient is exactly zero.
    x, w, b, settings = _arrays("lecture_7x7_f3_s3_drops_the_edge", np.float64)
    x_t = gn.tensor(x, dtype="float64", requires_grad=True)
    y = conv2d(x_t, gn.tensor(w, dtype="float64"), gn.tensor(b, dtype="float64"),
               **_options(settings))
    assert y.shape == (1, 2, 2, 2)
    y.sum().backward()
    assert np.all(x_t.grad[:, :, 6, :] == 0) and np.all(x_t.grad[:, :, :, 6] == 0)
    assert np.all(x_t.grad[:, :, :6, :6] != 0)


def test_conv2d_keeps_float32_and_skips_the_input_gradient_when_not_needed():
    x, w, b, settings = _arrays("3x3_pad1", np.float32)
    x_t = gn.tensor(x)  # the first layer's image: no gradient wanted
    w_t, b_t = gn.tensor(w, requires_grad=True), gn.tensor(b, requires_grad=True)
    y = conv2d(x_t, w_t, b_t, **_options(settings))
    y.sum().backward()
    assert y.dtype == np.float32 and w_t.grad.dtype == np.float32
    assert x_t.grad is None
    assert w_t.grad.shape == w.shape and w_t.grad.flags.c_contiguous


@pytest.mark.parametrize("case", ["3x3_pad1", "groups2", "depthwise_3x3"])
def test_conv2d_returns_channels_last_memory_and_accepts_either_input_order(case):
    x, w, b, settings = _arrays(case, np.float64)
    channels_last = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    w_t, b_t = gn.tensor(w, dtype="float64"), gn.tensor(b, dtype="float64")
    a = conv2d(gn.tensor(x, dtype="float64"), w_t, b_t, **_options(settings))
    c = conv2d(gn.as_tensor(channels_last, dtype="float64"), w_t, b_t, **_options(settings))
    np.testing.assert_array_equal(a.data, c.data)
    assert a.data.transpose(0, 2, 3, 1).flags.c_contiguous


def test_conv2d_handles_an_empty_batch():
    y = conv2d(gn.zeros(0, 3, 5, 5), gn.zeros(2, 3, 3, 3), padding=(1, 1))
    assert y.shape == (0, 2, 5, 5)


@pytest.mark.parametrize("case", CASES_1D)
def test_conv1d_matches_the_2d_loop_on_a_height_one_image_and_passes_the_float64_check(case):
    x, w, b, (stride, padding, dilation, groups) = _arrays(case, np.float64, cases=CASES_1D)
    options = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    y = conv1d(*(gn.tensor(a, dtype="float64") for a in (x, w, b)), **options)
    expected = _reference.conv2d(x[:, :, None], w[:, :, None], b, (1, stride), (0, padding),
                                 (1, dilation), groups)[:, :, 0]
    np.testing.assert_allclose(y.data, expected, rtol=1e-12, atol=1e-12)
    inputs = [gn.tensor(a, dtype="float64", requires_grad=True) for a in (x, w, b)]
    gn.gradcheck(lambda x, w, b: conv1d(x, w, b, **options), inputs)


def test_conv2d_rejects_a_channel_mismatch_naming_both_shapes():
    expected = (
        r"conv2d: input has 4 channels but weight expects in_channels=3 "
        r"\(x.shape=\(2, 4, 8, 8\), weight.shape=\(6, 3, 3, 3\)\)\. Check the previous layer"
    )
    with pytest.raises(ShapeError, match=expected):
        conv2d(gn.zeros(2, 4, 8, 8), gn.zeros(6, 3, 3, 3))


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "groups", "match"),
    [
        ((1, 4, 6, 6), (5, 2, 3, 3), 2, r"conv2d: expected out_channels divisible by groups, "
         r"but got weight.shape\[0\]=5 with groups=2"),
        ((1, 5, 6, 6), (4, 2, 3, 3), 2, r"conv2d: input has 5 channels but weight expects "
         r"in_channels = 2 per group x groups=2 = 4 .*and groups\."),
        ((1, 4, 6, 6), (4, 4, 3, 3), 0, r"conv2d: expected groups to be an int >= 1, but got 0"),
    ],
)
def test_conv2d_rejects_groups_that_do_not_divide_the_channels(x_shape, w_shape, groups, match):
    with pytest.raises(ShapeError, match=match):
        conv2d(gn.zeros(*x_shape), gn.zeros(*w_shape), groups=groups)


def test_conv2d_rejects_a_dilated_kernel_larger_than_the_padded_input():
    with pytest.raises(ShapeError, match=r"conv2d: expected the window to fit in the padded "
                                         r"input, but got kernel F=3 with dilation D=3 \(it "
                                         r"spans 7\) for input size W=5 with padding P=0"):
        conv2d(gn.zeros(1, 1, 5, 5), gn.zeros(1, 1, 3, 3), dilation=(3, 3))


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


def _compare_with_torch(ours_fn, torch_fn, arrays, seed):
    """Same float32 inputs and output gradient: outputs and every input's gradient agree."""
    torch = pytest.importorskip("torch", reason="PyTorch is the optional reference")
    ours = [gn.tensor(a, requires_grad=True) for a in arrays]
    y = ours_fn(*ours)
    grad = np.random.default_rng(seed).standard_normal(y.shape).astype(np.float32)
    y.backward(grad)
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y_t = torch_fn(*theirs)
    y_t.backward(torch.tensor(grad))
    # NOTE: float32 sums of at most a few hundred terms: 1e-5 covers their rounding.
    np.testing.assert_allclose(y.data, y_t.detach().numpy(), rtol=1e-5, atol=1e-5)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", CASES)
def test_conv2d_matches_torch_in_float32(case):
    torch = pytest.importorskip("torch", reason="PyTorch is the optional reference")
    x, w, b, settings = _arrays(case, np.float32)
    _compare_with_torch(lambda *t: conv2d(*t, **_options(settings)),
                        lambda *t: torch.nn.functional.conv2d(*t, **_options(settings)),
                        (x, w, b), seed=2)


@pytest.mark.parametrize("case", CASES_1D)
def test_conv1d_matches_torch_in_float32(case):
    torch = pytest.importorskip("torch", reason="PyTorch is the optional reference")
    x, w, b, (stride, padding, dilation, groups) = _arrays(case, np.float32, cases=CASES_1D)
    options = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    _compare_with_torch(lambda *t: conv1d(*t, **options),
                        lambda *t: torch.nn.functional.conv1d(*t, **options),
                        (x, w, b), seed=3)
