"""Max and average pooling against naive nested loops, the float64 check and PyTorch, over
square and non-square kernels and strides in both orientations, padding, dilation (max),
ceil_mode and sizes the windows do not tile."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.errors import ShapeError
from glassnet.ops.fused import avg_pool1d, avg_pool2d, conv2d, max_pool1d, max_pool2d

from . import _reference

# (x shape, kernel, stride, padding, dilation, ceil_mode)
CASES = {
    "2x2_tiles": ((2, 3, 6, 8), (2, 2), (2, 2), (0, 0), (1, 1), False),
    "2x2_odd_size_drops_the_edge": ((1, 2, 7, 5), (2, 2), (2, 2), (0, 0), (1, 1), False),
    "3x3_stride2_pad1_overlapping": ((2, 2, 7, 9), (3, 3), (2, 2), (1, 1), (1, 1), False),
    "tall_kernel": ((1, 2, 5, 6), (3, 2), (1, 1), (1, 0), (1, 1), False),
    "wide_kernel": ((1, 2, 3, 6), (2, 3), (1, 1), (0, 1), (1, 1), False),
    "wide_kernel_tiles": ((2, 2, 4, 9), (2, 3), (2, 3), (0, 0), (1, 1), False),
    "tall_kernel_tiles": ((2, 2, 9, 4), (3, 2), (3, 2), (0, 0), (1, 1), False),
    "tall_stride": ((1, 2, 9, 6), (2, 2), (3, 1), (1, 0), (1, 1), False),
    "wide_stride": ((1, 2, 6, 9), (2, 2), (1, 3), (0, 1), (1, 1), False),
    "disjoint_with_gaps": ((1, 2, 9, 6), (2, 2), (3, 3), (1, 1), (1, 1), False),
    "ceil_mode_overlapping_alexnet": ((2, 2, 8, 8), (3, 3), (2, 2), (0, 0), (1, 1), True),
    "ceil_mode_drops_a_window_starting_in_padding": (
        (1, 2, 5, 5), (2, 2), (2, 2), (1, 1), (1, 1), True),
    "ceil_mode_wide_kernel": ((1, 2, 7, 9), (2, 3), (2, 2), (1, 1), (1, 1), True),
    "batch_of_1_single_window": ((1, 1, 4, 4), (4, 4), (1, 1), (0, 0), (1, 1), False),
}
# Max pooling only (PyTorch's average pooling has no dilation).
DILATED = {
    "dilation2_wide_stride": ((1, 2, 9, 8), (3, 2), (1, 2), (1, 1), (2, 2), False),
    "dilation_ceil_mode_tall_stride": ((1, 2, 10, 7), (2, 2), (3, 2), (1, 0), (2, 3), True),
}
ALL_CASES = {**CASES, **DILATED}
POOLS = {"max": max_pool2d, "avg": avg_pool2d}
MODE_CASES = [(c, m) for c in CASES for m in POOLS] + [(c, "max") for c in DILATED]


def _x(case, dtype=np.float64, seed=0):
    shape, kernel, stride, padding, dilation, ceil_mode = ALL_CASES[case]
    x = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return x, {"kernel_size": kernel, "stride": stride, "padding": padding,
               "dilation": dilation, "ceil_mode": ceil_mode}


def _pool(mode, x, options):
    if mode == "avg":
        options = {k: v for k, v in options.items() if k != "dilation"}
    return POOLS[mode](x, **options)


def _reference_pool(mode, x, options):
    return _reference.pool2d(x, options["kernel_size"], options["stride"], options["padding"],
                             mode, options["dilation"], options["ceil_mode"])


@pytest.mark.parametrize(("case", "mode"), MODE_CASES)
def test_pool2d_matches_the_naive_loop(case, mode):
    x, options = _x(case)
    y = _pool(mode, gn.tensor(x, dtype="float64"), options)
    np.testing.assert_allclose(y.data, _reference_pool(mode, x, options), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("case", ALL_CASES)
def test_max_pool2d_backward_matches_the_naive_loop(case):
    x, options = _x(case)
    x_t = gn.tensor(x, dtype="float64", requires_grad=True)
    y = max_pool2d(x_t, **options)
    grad = np.random.default_rng(1).standard_normal(y.shape)
    y.backward(grad)
    expected = _reference.max_pool2d_backward(
        x, grad, options["kernel_size"], options["stride"], options["padding"],
        options["dilation"], options["ceil_mode"])
    np.testing.assert_allclose(x_t.grad, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("case", "mode"), MODE_CASES)
def test_pool2d_gradients_pass_the_float64_check(case, mode):
    x, options = _x(case)
    x_t = gn.tensor(x, dtype="float64", requires_grad=True)
    gn.gradcheck(lambda t: _pool(mode, t, options), [x_t])


def test_max_pool2d_with_a_wide_kernel_routes_each_windows_gradient_once():
    # A (2, 3) kernel, stride 1, over 3x6: 2 x 4 = 8 windows, each routing 1 to its maximum.
    # Distinct values (a ramp plus a shuffle) put each window's maximum at one known place.
    x = np.random.default_rng(5).permutation(18).reshape(1, 1, 3, 6).astype(np.float64)
    x_t = gn.tensor(x, dtype="float64", requires_grad=True)
    y = max_pool2d(x_t, kernel_size=(2, 3), stride=(1, 1), padding=(0, 0))
    assert y.shape == (1, 1, 2, 4)
    y.sum().backward()
    expected = np.zeros_like(x)
    for h in range(2):
        for w in range(4):
            window = x[0, 0, h : h + 2, w : w + 3]
            i, j = np.unravel_index(np.argmax(window), window.shape)
            expected[0, 0, h + i, w + j] += 1.0
    assert x_t.grad.sum() == 8.0
    np.testing.assert_array_equal(x_t.grad, expected)


def test_pooling_an_odd_size_gives_zero_gradient_to_the_row_and_column_it_drops():
    # 7x7 with 2x2 windows: (7 − 2)/2 + 1 = 3.5, so row 6 and column 6 are never read.
    for mode in POOLS:
        x_t = gn.tensor(np.random.default_rng(6).standard_normal((2, 3, 7, 7)) + 5.0,
                        dtype="float64", requires_grad=True)
        y = POOLS[mode](x_t, kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))
        assert y.shape == (2, 3, 3, 3)
        y.sum().backward()
        assert np.all(x_t.grad[:, :, 6, :] == 0) and np.all(x_t.grad[:, :, :, 6] == 0), mode


def test_max_pool2d_routes_a_tie_to_the_first_maximum_like_pytorch():
    x = gn.tensor([[[[1.0, 1.0], [1.0, 0.0]]]], requires_grad=True)
    max_pool2d(x, kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)).sum().backward()
    assert x.grad.tolist() == [[[[1.0, 0.0], [0.0, 0.0]]]]


def test_max_pool2d_pads_with_minus_infinity_not_zero():
    x = gn.full((1, 1, 2, 2), -3.0)
    y = max_pool2d(x, kernel_size=(2, 2), stride=(1, 1), padding=(1, 1))
    assert y.tolist() == [[[[-3.0] * 3] * 3]]


def test_avg_pool2d_counts_the_padded_zeros_in_the_average():
    x = gn.ones(1, 1, 2, 2)
    y = avg_pool2d(x, kernel_size=(2, 2), stride=(1, 1), padding=(1, 1))
    assert y.tolist() == [[[[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]]]]


def test_avg_pool2d_ceil_mode_divides_a_cut_off_window_by_its_part_inside():
    # 3 columns, window 2, stride 2, ceil_mode: the second window covers column 2 only.
    x = gn.tensor([[[[2.0, 4.0, 9.0]]]])
    y = avg_pool2d(x, kernel_size=(1, 2), stride=(1, 2), padding=(0, 0), ceil_mode=True)
    assert y.tolist() == [[[[3.0, 9.0]]]]


@pytest.mark.parametrize("mode", POOLS)
def test_pool2d_of_channels_last_input_equals_pool2d_of_contiguous_input(mode):
    # conv2d returns channels-last memory; pooling must not care about the memory order.
    x, options = _x("3x3_stride2_pad1_overlapping")
    channels_last = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    grad = np.random.default_rng(4).standard_normal((2, 2, 4, 5))
    results = []
    for array in (x, channels_last):
        x_t = gn.tensor(array, dtype="float64", requires_grad=True)
        y = _pool(mode, x_t, options)
        y.backward(grad)
        results.append((y.data, x_t.grad))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_max_pool2d_after_conv2d_keeps_float32_and_gives_the_naive_gradient():
    rng = np.random.default_rng(5)
    x = gn.tensor(rng.standard_normal((2, 3, 6, 6)))
    w = gn.tensor(rng.standard_normal((4, 3, 3, 3)))
    h = conv2d(x, w, padding=(1, 1))
    h.requires_grad = True  # a leaf holding conv2d's channels-last output
    y = max_pool2d(h, kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))
    assert y.dtype == np.float32
    np.testing.assert_array_equal(
        y.data, _reference.pool2d(h.data, (2, 2), (2, 2), (0, 0), "max")
    )
    grad = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(grad)
    assert h.grad.dtype == np.float32
    np.testing.assert_array_equal(
        h.grad, _reference.max_pool2d_backward(h.data, grad, (2, 2), (2, 2), (0, 0))
    )


# (x shape, kernel, stride, padding, dilation, ceil_mode, modes)
CASES_1D = {
    "k3_s2_p1": ((2, 3, 11), 3, 2, 1, 1, False, ("max", "avg")),
    "ceil_mode": ((2, 3, 9), 2, 2, 0, 1, True, ("max", "avg")),
    "ceil_mode_padded_stride3": ((1, 2, 10), 3, 3, 1, 1, True, ("max", "avg")),
    "dilation2": ((1, 2, 12), 3, 2, 1, 2, False, ("max",)),
}
MODE_CASES_1D = [(c, m) for c in CASES_1D for m in CASES_1D[c][6]]
POOLS_1D = {"max": max_pool1d, "avg": avg_pool1d}


def _options_1d(case, mode):
    _, kernel, stride, padding, dilation, ceil_mode, _ = CASES_1D[case]
    options = {"kernel_size": kernel, "stride": stride, "padding": padding,
               "ceil_mode": ceil_mode}
    return options if mode == "avg" else {**options, "dilation": dilation}


@pytest.mark.parametrize(("case", "mode"), MODE_CASES_1D)
def test_pool1d_matches_the_2d_loop_on_a_height_one_image_and_passes_the_float64_check(case,
                                                                                        mode):
    shape, kernel, stride, padding, dilation, ceil_mode, _ = CASES_1D[case]
    x = np.random.default_rng(6).standard_normal(shape)
    options = _options_1d(case, mode)
    y = POOLS_1D[mode](gn.tensor(x, dtype="float64"), **options)
    expected = _reference.pool2d(x[:, :, None], (1, kernel), (1, stride), (0, padding), mode,
                                 (1, dilation), ceil_mode)[:, :, 0]
    np.testing.assert_allclose(y.data, expected, rtol=1e-12, atol=1e-12)
    x_t = gn.tensor(x, dtype="float64", requires_grad=True)
    gn.gradcheck(lambda t: POOLS_1D[mode](t, **options), [x_t])


def test_pool2d_rejects_padding_over_half_the_kernel():
    with pytest.raises(ShapeError, match=r"max_pool2d: expected padding at most half the kernel "
                                         r"size, but got padding P=2 for kernel F=3"):
        max_pool2d(gn.zeros(1, 1, 6, 6), kernel_size=(3, 3), stride=(1, 1), padding=(2, 2))


def test_pool2d_rejects_a_window_larger_than_the_input_naming_the_sizes():
    with pytest.raises(ShapeError, match=r"avg_pool2d: expected the window to fit in the padded "
                                         r"input, but got kernel F=4 for input size W=3"):
        avg_pool2d(gn.zeros(1, 1, 7, 3), kernel_size=(4, 4), stride=(2, 2), padding=(0, 0))


def test_pool_rejects_a_wrong_rank():
    with pytest.raises(ShapeError, match=r"max_pool1d: expected a 3-d input \(N, C, L\)"):
        max_pool1d(gn.zeros(1, 6), kernel_size=2, stride=2, padding=0)
    with pytest.raises(ShapeError, match=r"max_pool2d: expected a 4-d input \(N, C, H, W\)"):
        max_pool2d(gn.zeros(1, 6, 6), kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))


def _compare_with_torch(ours, theirs, x, seed):
    torch = pytest.importorskip("torch", reason="PyTorch is the optional reference")
    x_t = gn.tensor(x, requires_grad=True)
    y = ours(x_t)
    grad = np.random.default_rng(seed).standard_normal(y.shape).astype(np.float32)
    y.backward(grad)
    x_ref = torch.tensor(x, requires_grad=True)
    y_ref = theirs(x_ref)
    y_ref.backward(torch.tensor(grad))
    np.testing.assert_allclose(y.data, y_ref.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(x_t.grad, x_ref.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("case", "mode"), MODE_CASES)
def test_pool2d_matches_torch_in_float32(case, mode):
    torch = pytest.importorskip("torch", reason="PyTorch is the optional reference")
    x, options = _x(case, np.float32)
    k, s, p, d, ceil = (options[key] for key in ("kernel_size", "stride", "padding",
                                                 "dilation", "ceil_mode"))

    def theirs(t):
        if mode == "max":
            return torch.nn.functional.max_pool2d(t, k, s, p, d, ceil_mode=ceil)
        return torch.nn.functional.avg_pool2d(t, k, s, p, ceil_mode=ceil)

    _compare_with_torch(lambda t: _pool(mode, t, options), theirs, x, seed=7)


@pytest.mark.parametrize(("case", "mode"), MODE_CASES_1D)
def test_pool1d_matches_torch_in_float32(case, mode):
    torch = pytest.importorskip("torch", reason="PyTorch is the optional reference")
    x = np.random.default_rng(8).standard_normal(CASES_1D[case][0]).astype(np.float32)
    options = _options_1d(case, mode)
    theirs = getattr(torch.nn.functional, f"{mode}_pool1d")
    _compare_with_torch(lambda t: POOLS_1D[mode](t, **options),
                        lambda t: theirs(t, **options), x, seed=9)
