"""relu_max_pool2d against the pair it replaces, max_pool2d(relu(x)): bit-identical values
and gradients over every pooling geometry of test_pooling (padding, ceil_mode, dilation,
overlapping windows, odd sizes), in float64 and float32; and the float64 gradient check."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.ops.fused import max_pool2d, relu_max_pool2d

from .test_pooling import ALL_CASES, _x


def _pair_and_fused(x, options, grad):
    results = []
    for fn in (lambda t: max_pool2d(gn.relu(t), **options),
               lambda t: relu_max_pool2d(t, **options)):
        t = gn.tensor(x, dtype=x.dtype.name, requires_grad=True)
        z = fn(t)
        z.backward(grad)
        results.append((z.data, t.grad))
    return results


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", ALL_CASES)
def test_relu_max_pool2d_is_bit_identical_to_max_pool2d_of_relu(case, dtype):
    x, options = _x(case, dtype)
    x[..., ::3] = 0.0  # ties at zero, and windows whose maximum is 0
    x[:, :1] = -np.abs(x[:, :1])  # a channel of windows with no positive element
    shape = max_pool2d(gn.tensor(x), **options).shape
    grad = np.random.default_rng(1).standard_normal(shape).astype(dtype)
    (pair_z, pair_grad), (fused_z, fused_grad) = _pair_and_fused(x, options, grad)
    assert fused_z.dtype == pair_z.dtype == dtype and fused_grad.dtype == dtype
    np.testing.assert_array_equal(fused_z, pair_z)
    np.testing.assert_array_equal(fused_grad, pair_grad)


@pytest.mark.parametrize("case", ALL_CASES)
def test_relu_max_pool2d_passes_the_float64_check(case):
    x, options = _x(case)
    x[np.abs(x) < 1e-3] = 0.5  # steps around relu's kink at 0
    gn.gradcheck(lambda t: relu_max_pool2d(t, **options),
                 [gn.tensor(x, dtype="float64", requires_grad=True)])


def test_relu_max_pool2d_on_channels_last_input_keeps_its_memory_order():
    x = np.random.default_rng(0).standard_normal((3, 5, 6, 4)).transpose(0, 3, 1, 2)
    z = relu_max_pool2d(gn.tensor(x), kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))
    assert z.data.transpose(0, 2, 3, 1).flags.c_contiguous
    np.testing.assert_array_equal(
        z.data, max_pool2d(gn.relu(gn.tensor(x)), kernel_size=(2, 2), stride=(2, 2),
                           padding=(0, 0)).data)
