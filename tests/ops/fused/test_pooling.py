"""Max and average pooling against naive nested loops, the float64 check and PyTorch."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.errors import ShapeError
from glassnet.ops.fused import avg_pool1d, avg_pool2d, conv2d, max_pool1d, max_pool2d

from . import _reference

# (x shape, kernel, stride, padding)
CASES = {
    "2x2_tiles": ((2, 3, 6, 8), (2, 2), (2, 2), (0, 0)),
    "3x3_stride2_pad1_overlapping": ((2, 2, 7, 9), (3, 3), (2, 2), (1, 1)),
    "non_square_overlapping": ((1, 2, 5, 6), (3, 2), (1, 1), (1, 0)),
    "disjoint_with_gaps": ((1, 2, 9, 6), (2, 2), (3, 3), (1, 1)),
    "batch_of_1_single_window": ((1, 1, 4, 4), (4, 4), (1, 1), (0, 0)),
}
POOLS = {"max": max_pool2d, "avg": avg_pool2d}


def _x(case, dtype=np.float64, seed=0):
    shape, kernel, stride, padding = CASES[case]
    x = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return x, dict(kernel_size=kernel, stride=stride, padding=padding)


@pytest.mark.parametrize("mode", POOLS)
@pytest.mark.parametrize("case", CASES)
def test_pool2d_matches_the_naive_loop(case, mode):
    x, options = _x(case)
    y = POOLS[mode](gn.tensor(x, dtype="float64"), **options)
    expected = _reference.pool2d(x, options["kernel_size"], options["stride"],
                                 options["padding"], mode)
    np.testing.assert_allclose(y.data, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_max_pool2d_backward_matches_the_naive_loop(case):
    x, options = _x(case)
    x_t = gn.tensor(x, dtype="float64", requires_grad=True)
    y = max_pool2d(x_t, **options)
    grad = np.random.default_rng(1).standard_normal(y.shape)
    y.backward(grad)
    expected = _reference.max_pool2d_backward(
        x, grad, options["kernel_size"], options["stride"], options["padding"]
    )
    np.testing.assert_allclose(x_t.grad, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", POOLS)
@pytest.mark.parametrize("case", CASES)
def test_pool2d_gradients_pass_the_float64_check(case, mode):
    x, options = _x(case)
    x_t = gn.tensor(x, dtype="float64", requires_grad=True)
    gn.gradcheck(lambda t: POOLS[mode](t, **options), [x_t])


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


@pytest.mark.parametrize("mode", POOLS)
def test_pool2d_of_channels_last_input_equals_pool2d_of_contiguous_input(mode):
    # conv2d returns channels-last memory; pooling must not care about the memory order.
    x, options = _x("3x3_stride2_pad1_overlapping")
    channels_last = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    grad = np.random.default_rng(4).standard_normal((2, 2, 4, 5))
    results = []
    for array in (x, channels_last):
        x_t = gn.tensor(array, dtype="float64", requires_grad=True)
        y = POOLS[mode](x_t, **options)
        y.backward(grad)
        results.append((y.data, x_t.grad))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_max_pool2d_after_conv2d_keeps_float32_and_gives_the_naive_gradient():
    rng = np.random.default_rng(5)
    x = gn.tensor(rng.standard_normal((2, 3, 6, 6)))
    w = gn.tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True)
    h = conv2d(x, w, padding=(1, 1))
    y = max_pool2d(h, kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))
    assert y.dtype == np.float32
    np.testing.assert_array_equal(
        y.data, _reference.pool2d(h.data, (2, 2), (2, 2), (0, 0), "max")
    )


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pool1d_matches_pool2d_on_a_height_one_image_and_passes_the_float64_check(mode):
    pool1d = {"max": max_pool1d, "avg": avg_pool1d}[mode]
    x = np.random.default_rng(6).standard_normal((2, 3, 11))
    y = pool1d(gn.tensor(x, dtype="float64"), kernel_size=3, stride=2, padding=1)
    expected = _reference.pool2d(x[:, :, None], (1, 3), (1, 2), (0, 1), mode)[:, :, 0]
    np.testing.assert_allclose(y.data, expected, rtol=1e-12, atol=1e-12)
    x_t = gn.tensor(x, dtype="float64", requires_grad=True)
    gn.gradcheck(lambda t: pool1d(t, kernel_size=3, stride=2, padding=1), [x_t])


def test_pool2d_rejects_padding_over_half_the_kernel():
    with pytest.raises(ShapeError, match=r"max_pool2d: expected padding at most half the kernel "
                                         r"size, but got padding P=2 for kernel F=3"):
        max_pool2d(gn.zeros(1, 1, 6, 6), kernel_size=(3, 3), stride=(1, 1), padding=(2, 2))


def test_pool2d_rejects_windows_that_do_not_tile_naming_the_sizes():
    with pytest.raises(ShapeError, match=r"avg_pool2d: .* = 3\.5 for input size W=7, kernel F=2"):
        avg_pool2d(gn.zeros(1, 1, 7, 7), kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))


def test_pool_rejects_a_wrong_rank():
    with pytest.raises(ShapeError, match=r"max_pool1d: expected a 3-d input \(N, C, L\)"):
        max_pool1d(gn.zeros(1, 6), kernel_size=2, stride=2, padding=0)
    with pytest.raises(ShapeError, match=r"max_pool2d: expected a 4-d input \(N, C, H, W\)"):
        max_pool2d(gn.zeros(1, 6, 6), kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))


@pytest.mark.parametrize("mode", POOLS)
@pytest.mark.parametrize("case", CASES)
def test_pool2d_matches_torch_in_float32(case, mode):
    torch = pytest.importorskip("torch", reason="PyTorch is the optional reference")
    x, options = _x(case, np.float32)
    x_t = gn.tensor(x, requires_grad=True)
    y = POOLS[mode](x_t, **options)
    grad = np.random.default_rng(7).standard_normal(y.shape).astype(np.float32)
    y.backward(grad)
    x_ref = torch.tensor(x, requires_grad=True)
    torch_pool = getattr(torch.nn.functional, f"{mode}_pool2d")
    y_ref = torch_pool(x_ref, options["kernel_size"], options["stride"], options["padding"])
    y_ref.backward(torch.tensor(grad))
    np.testing.assert_allclose(y.data, y_ref.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(x_t.grad, x_ref.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pool1d_matches_torch_in_float32(mode):
    torch = pytest.importorskip("torch", reason="PyTorch is the optional reference")
    pool1d = {"max": max_pool1d, "avg": avg_pool1d}[mode]
    x = np.random.default_rng(8).standard_normal((2, 3, 9)).astype(np.float32)
    x_t = gn.tensor(x, requires_grad=True)
    y = pool1d(x_t, kernel_size=3, stride=2, padding=1)
    grad = np.random.default_rng(9).standard_normal(y.shape).astype(np.float32)
    y.backward(grad)
    x_ref = torch.tensor(x, requires_grad=True)
    y_ref = getattr(torch.nn.functional, f"{mode}_pool1d")(x_ref, 3, 2, 1)
    y_ref.backward(torch.tensor(grad))
    np.testing.assert_allclose(y.data, y_ref.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(x_t.grad, x_ref.grad.numpy(), rtol=1e-5, atol=1e-5)
