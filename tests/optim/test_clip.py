"""Gradient clipping by total norm and by value: exact values on small cases."""

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet.errors import ConfigError
from glassnet.optim import clip_grad_norm, clip_grad_value


def _with_grads(*grads):
    params = []
    for grad in grads:
        param = gn.zeros(len(grad), dtype=np.float64, requires_grad=True)
        param.grad = np.array(grad, dtype=np.float64)
        params.append(param)
    return params


def test_clip_grad_norm_scales_all_gradients_by_the_total_norm():
    a, b = _with_grads([3.0, 0.0], [0.0, 4.0])
    total = clip_grad_norm([a, b], max_norm=2.0)
    assert total == 5.0
    scale = 2.0 / (5.0 + 1e-6)
    np.testing.assert_array_equal(a.grad, [3.0 * scale, 0.0])
    np.testing.assert_array_equal(b.grad, [0.0, 4.0 * scale])


def test_clip_grad_norm_leaves_small_gradients_alone():
    (a,) = _with_grads([0.3, 0.4])
    assert clip_grad_norm(a, max_norm=1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(a.grad, [0.3, 0.4])


def test_clip_grad_norm_with_inf_and_one_norms():
    a, b = _with_grads([1.0, -6.0], [2.0])
    assert clip_grad_norm([a, b], max_norm=3.0, norm_type=math.inf) == 6.0
    np.testing.assert_allclose(a.grad, np.array([1.0, -6.0]) * 3.0 / (6.0 + 1e-6))
    c, d = _with_grads([1.0, -6.0], [2.0])
    assert clip_grad_norm([c, d], max_norm=100.0, norm_type=1.0) == 9.0


def test_clip_grad_norm_skips_parameters_without_gradient():
    (a,) = _with_grads([3.0, 4.0])
    unused = gn.zeros(2, requires_grad=True)
    assert clip_grad_norm([a, unused], 1.0) == 5.0
    assert clip_grad_norm([unused], 1.0) == 0.0


def test_clip_grad_norm_matches_torch():
    torch = pytest.importorskip("torch", reason="torch's clip_grad_norm_ is the optional reference")
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal((3, 2)) * 5, rng.standard_normal(4)]
    ours = []
    for grad in grads:
        param = gn.zeros(*grad.shape, dtype=np.float64, requires_grad=True)
        param.grad = grad.copy()
        ours.append(param)
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for param, grad in zip(theirs, grads):
        param.grad = torch.tensor(grad)
    total = clip_grad_norm(ours, 1.5)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.5)
    assert total == pytest.approx(expected.item(), rel=1e-12)
    for mine, ref in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, ref.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_with_nan_gradient():
    (a,) = _with_grads([np.nan, 1.0])
    assert math.isnan(clip_grad_norm([a], 1.0))
    with pytest.raises(FloatingPointError, match="total gradient norm is nan"):
        clip_grad_norm([a], 1.0, error_if_nonfinite=True)


def test_clip_grad_value_clips_each_element_in_place():
    a, b = _with_grads([-3.0, 0.2, 5.0], [0.9, -0.9])
    grad = a.grad
    clip_grad_value([a, b], 1.0)
    assert a.grad is grad
    np.testing.assert_array_equal(a.grad, [-1.0, 0.2, 1.0])
    np.testing.assert_array_equal(b.grad, [0.9, -0.9])


def test_clipping_rejects_non_positive_limits():
    (a,) = _with_grads([1.0])
    with pytest.raises(ConfigError, match="max_norm > 0"):
        clip_grad_norm([a], 0.0)
    with pytest.raises(ConfigError, match="norm_type >= 1"):
        clip_grad_norm([a], 1.0, norm_type=0.5)
    with pytest.raises(ConfigError, match="clip_value > 0"):
        clip_grad_value([a], -1.0)
