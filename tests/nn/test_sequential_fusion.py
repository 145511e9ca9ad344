"""Sequential runs a ReLU directly followed by a MaxPool2d as one fused op (pool first), and
only when neither module has hooks: results bit-identical either way."""

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
from glassnet.diagnose.telemetry import LayerProbe
from glassnet.ops.fused.pooling import MaxPool2d as MaxPoolOp
from glassnet.ops.fused.relu_max_pool import ReLUMaxPool2d
from tests.threads import POOL_MODES, pool_mode

POOLS = {
    "2x2": lambda: nn.MaxPool2d(2),
    "3x3_stride2_pad1": lambda: nn.MaxPool2d(3, stride=2, padding=1),
    "3x3_stride2_ceil_mode": lambda: nn.MaxPool2d(3, stride=2, ceil_mode=True),
    "2x2_dilation2": lambda: nn.MaxPool2d(2, stride=1, dilation=2),
}


def _model(pool, dtype):
    rng = np.random.default_rng(0)
    conv = nn.Conv2d(2, 3, 3, padding=1, generator=rng)
    model = nn.Sequential(conv, nn.ReLU(), pool, nn.Flatten())
    for p in model.parameters():
        p.data = p.data.astype(dtype)
    return model


def _run(model, x, layer_by_layer=False):
    """Output, input gradient and parameter gradients, calling the model or each layer."""
    for p in model.parameters():
        p.grad = None
    t = gn.tensor(x, dtype=x.dtype.name, requires_grad=True)
    if layer_by_layer:
        y = t
        for module in model:
            y = module(y)
    else:
        y = model(t)
    y.backward(np.random.default_rng(2).standard_normal(y.shape).astype(x.dtype))
    return y, [y.data, t.grad] + [p.grad for p in model.parameters()]


@pytest.mark.filterwarnings("ignore::glassnet.errors.UncoveredInputWarning")  # 7x9, on purpose
@pytest.mark.parametrize("mode", POOL_MODES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("pool", POOLS)
def test_sequential_fuses_relu_then_max_pool_with_identical_results(pool, dtype, mode):
    model = _model(POOLS[pool](), dtype)
    x = np.random.default_rng(1).standard_normal((3, 2, 7, 9)).astype(dtype)
    with pool_mode(mode):
        fused_y, fused = _run(model, x)
        _, separate = _run(model, x, layer_by_layer=True)
    assert type(fused_y._ctx.inputs[0]._ctx) is ReLUMaxPool2d  # the flatten's input
    for a, b in zip(fused, separate):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("hooked", [1, 2])
@pytest.mark.parametrize("kind", ["forward", "pre"])
def test_a_hook_on_the_relu_or_the_pool_keeps_them_two_modules(hooked, kind):
    model = _model(nn.MaxPool2d(2), np.float64)
    seen = []
    register = (model[hooked].register_forward_hook if kind == "forward"
                else model[hooked].register_forward_pre_hook)
    register(lambda module, *args: seen.append(args[-1] if kind == "forward" else args[0][0]))
    x = np.random.default_rng(1).standard_normal((2, 2, 6, 6))
    y, hooked_results = _run(model, x)
    assert type(y._ctx.inputs[0]._ctx) is MaxPoolOp
    if (hooked, kind) in [(1, "forward"), (2, "pre")]:  # the relu's output, the pool's input
        relu_output = gn.relu(model[0](gn.tensor(x, dtype="float64")))
        np.testing.assert_array_equal(seen[0].data, relu_output.data)
    model[hooked]._forward_hooks.clear()
    model[hooked]._forward_pre_hooks.clear()
    y, fused_results = _run(model, x)
    assert type(y._ctx.inputs[0]._ctx) is ReLUMaxPool2d
    for a, b in zip(hooked_results, fused_results):
        np.testing.assert_array_equal(a, b)


def test_the_telemetry_probe_still_sees_the_relu_output():
    model = _model(nn.MaxPool2d(2), np.float64)
    probe = LayerProbe(model)
    probe.active = True
    model(gn.tensor(np.random.default_rng(1).standard_normal((2, 2, 6, 6)), dtype="float64",
                    requires_grad=True))
    layers = probe.take()
    assert layers["1"]["type"] == "ReLU" and "dead" in layers["1"]
    probe.remove()


def test_only_a_relu_directly_before_a_max_pool_is_fused():
    rng = np.random.default_rng(0)
    x = gn.tensor(rng.standard_normal((2, 2, 6, 6)), requires_grad=True)
    not_adjacent = nn.Sequential(nn.ReLU(), nn.Identity(), nn.MaxPool2d(2))
    assert type(not_adjacent(x)._ctx) is MaxPoolOp
    other_activation = nn.Sequential(nn.LeakyReLU(), nn.MaxPool2d(2))
    assert type(other_activation(x)._ctx) is MaxPoolOp
    avg = nn.Sequential(nn.ReLU(), nn.AvgPool2d(2))
    assert type(avg(x)._ctx) is not ReLUMaxPool2d
    assert type(nn.Sequential(nn.ReLU(), nn.MaxPool2d(2))(x)._ctx) is ReLUMaxPool2d
