"""The activation ops: forward against SciPy/NumPy references, derivatives at hand-checked
points, float64 gradient checks, float32 kept, stability at ±1000, and PyTorch parity."""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
import scipy.special

import glassnet as gn
from glassnet.errors import ConfigError
from glassnet.ops import elu, gelu, leaky_relu, log_softmax, softmax, softplus


@dataclass(frozen=True)
class ActivationSpec:
    name: str
    op: Callable
    ref: Callable
    torch_op: Callable  # torch.nn.functional name applied to a torch tensor
    avoid_zero: bool = False  # kink at 0


def _softmax_ref(x):
    return scipy.special.softmax(x, axis=-1)


SPECS = [
    ActivationSpec(
        "leaky_relu",
        lambda x: leaky_relu(x, 0.1),
        lambda x: np.where(x > 0, x, 0.1 * x),
        lambda F, t: F.leaky_relu(t, 0.1),
        avoid_zero=True,
    ),
    ActivationSpec(
        "elu",
        lambda x: elu(x, 1.5),
        lambda x: np.where(x > 0, x, 1.5 * np.expm1(np.minimum(x, 0))),
        lambda F, t: F.elu(t, 1.5),
        avoid_zero=True,
    ),
    ActivationSpec("softplus", softplus, lambda x: np.logaddexp(0, x), lambda F, t: F.softplus(t)),
    ActivationSpec(
        "gelu",
        gelu,
        lambda x: x * 0.5 * (1 + scipy.special.erf(x / math.sqrt(2))),
        lambda F, t: F.gelu(t),
    ),
    ActivationSpec(
        "gelu_tanh",
        lambda x: gelu(x, approximate="tanh"),
        lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
        lambda F, t: F.gelu(t, approximate="tanh"),
    ),
    ActivationSpec("softmax", softmax, _softmax_ref, lambda F, t: F.softmax(t, dim=-1)),
    ActivationSpec(
        "softmax_axis0",
        lambda x: softmax(x, axis=0),
        lambda x: scipy.special.softmax(x, axis=0),
        lambda F, t: F.softmax(t, dim=0),
    ),
    ActivationSpec(
        "log_softmax",
        log_softmax,
        lambda x: scipy.special.log_softmax(x, axis=-1),
        lambda F, t: F.log_softmax(t, dim=-1),
    ),
]


def _inputs(spec, dtype, shape=(3, 5), seed=0):
    values = np.random.default_rng(seed).uniform(-3, 3, size=shape)
    if spec.avoid_zero:
        values = np.where(np.abs(values) < 0.1, 0.1 + np.abs(values), values)
    return values.astype(dtype)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_forward_matches_reference(spec):
    x = _inputs(spec, np.float64)
    out = spec.op(gn.tensor(x, dtype="float64"))
    np.testing.assert_allclose(out.data, spec.ref(x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_gradient_matches_finite_differences(spec):
    x = gn.tensor(_inputs(spec, np.float64), dtype="float64", requires_grad=True)
    result = gn.gradcheck(spec.op, [x])
    assert result.max_relative_errors[0] < 1e-5


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_float32_stays_float32_forward_and_backward(spec):
    x = gn.tensor(_inputs(spec, np.float32), requires_grad=True)
    out = spec.op(x)
    assert out.dtype == np.float32
    out.backward(np.ones(out.shape, dtype=np.float32))
    assert x.grad.dtype == np.float32 and x.grad.shape == x.shape


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_large_inputs_give_finite_values_and_gradients_without_warnings(spec):
    # pytest turns RuntimeWarning (overflow, invalid) into errors for the whole suite.
    x = gn.tensor([[-1000.0, -50.0, 0.5, 50.0, 1000.0]], requires_grad=True)
    out = spec.op(x)
    out.backward(np.ones(out.shape, dtype=np.float32))
    assert np.isfinite(out.data).all()
    assert np.isfinite(x.grad).all()


def _derivative(op, values):
    x = gn.tensor(values, dtype="float64", requires_grad=True)
    op(x).sum().backward()
    return x.grad


def test_sigmoid_and_softplus_saturate_exactly_at_large_inputs():
    assert gn.sigmoid(gn.tensor([-1000.0])).item() == 0.0
    assert softplus(gn.tensor([1000.0])).item() == 1000.0
    assert softplus(gn.tensor([-1000.0])).item() == 0.0


def test_leaky_relu_derivative_is_one_above_zero_and_slope_at_and_below_zero():
    grad = _derivative(lambda x: leaky_relu(x, 0.2), [-3.0, 0.0, 2.0])
    np.testing.assert_array_equal(grad, [0.2, 0.2, 1.0])


def test_elu_values_and_derivative_at_hand_checked_points():
    out = elu(gn.tensor([-1.0, 0.0, 2.0], dtype="float64"), 2.0)
    np.testing.assert_allclose(out.data, [2 * (math.exp(-1) - 1), 0.0, 2.0], rtol=1e-15)
    grad = _derivative(lambda x: elu(x, 2.0), [-1.0, 0.0, 2.0])
    # x < 0: α·eˣ; at 0 the left derivative α (PyTorch's convention); x > 0: 1.
    np.testing.assert_allclose(grad, [2 * math.exp(-1), 2.0, 1.0], rtol=1e-15)


def test_softplus_derivative_is_the_sigmoid():
    grad = _derivative(softplus, [-2.0, 0.0, 3.0])
    np.testing.assert_allclose(grad, scipy.special.expit([-2.0, 0.0, 3.0]), rtol=1e-14)


def test_gelu_value_and_derivative_at_hand_checked_points():
    # GELU(1) = Φ(1) = 0.8413447460685429; GELU'(0) = Φ(0) = 0.5; GELU'(1) = Φ(1) + φ(1).
    out = gelu(gn.tensor([0.0, 1.0], dtype="float64"))
    np.testing.assert_allclose(out.data, [0.0, 0.8413447460685429], rtol=1e-14)
    grad = _derivative(gelu, [0.0, 1.0])
    np.testing.assert_allclose(
        grad, [0.5, 0.8413447460685429 + math.exp(-0.5) / math.sqrt(2 * math.pi)], rtol=1e-14
    )


def test_softmax_rows_sum_to_one_and_uniform_logits_give_uniform_probabilities():
    out = softmax(gn.tensor([[0.0, 0.0, 0.0, 0.0], [1.0, 2.0, 3.0, 4.0]], dtype="float64"))
    np.testing.assert_allclose(out.data.sum(axis=1), [1.0, 1.0], rtol=1e-15)
    np.testing.assert_allclose(out.data[0], [0.25] * 4, rtol=1e-15)


def test_softmax_gradient_of_sum_is_zero():
    # Σ softmax = 1 whatever x is, so its gradient vanishes.
    grad = _derivative(softmax, [[1.0, -2.0, 0.5]])
    np.testing.assert_allclose(grad, 0.0, atol=1e-15)


def test_log_softmax_stays_finite_where_softmax_underflows():
    out = log_softmax(gn.tensor([0.0, -1000.0]))
    np.testing.assert_allclose(out.data, [0.0, -1000.0])


def test_softmax_of_a_row_of_minus_infinity_except_one_is_one_hot():
    out = softmax(gn.tensor([[-np.inf, 0.0, -np.inf]]))
    np.testing.assert_array_equal(out.data, [[0.0, 1.0, 0.0]])


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(ConfigError, match=r"gelu: expected approximate to be one of"):
        gelu(gn.tensor([1.0]), approximate="erf")


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_matches_torch_forward_and_backward(spec):
    torch = pytest.importorskip("torch", reason="PyTorch is the optional reference")
    F = torch.nn.functional
    x = _inputs(spec, np.float32, shape=(4, 6), seed=3)
    grad_out = np.random.default_rng(4).standard_normal(x.shape).astype(np.float32)
    ours = gn.tensor(x, requires_grad=True)
    out = spec.op(ours)
    out.backward(grad_out)
    theirs = torch.tensor(x, requires_grad=True)
    expected = spec.torch_op(F, theirs)
    expected.backward(torch.tensor(grad_out))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_relu_split_over_the_thread_pool_equals_inline_and_passes_gradcheck(dtype):
    from tests.threads import pool_mode

    x = np.random.default_rng(0).standard_normal((5, 4, 3, 2)).transpose(0, 3, 1, 2)
    x[np.abs(x) < 1e-3] = 0.5  # away from the kink for the float64 check
    grad = np.random.default_rng(1).standard_normal(x.shape).astype(dtype)
    results = {}
    for mode in ("inline", "blocks"):
        with pool_mode(mode):
            t = gn.tensor(x, dtype=dtype, requires_grad=True)
            z = gn.relu(t)
            z.backward(grad)
            results[mode] = (z.data, t.grad)
            if dtype == "float64":
                gn.gradcheck(gn.relu, [gn.tensor(x, dtype=dtype, requires_grad=True)])
    for inline, blocks in zip(results["inline"], results["blocks"]):
        np.testing.assert_array_equal(inline, blocks)
    assert results["blocks"][0].transpose(0, 2, 3, 1).flags.c_contiguous  # keeps memory order
