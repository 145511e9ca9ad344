"""batch_norm against the composite of primitive ops, the float64 check and PyTorch."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.errors import ConfigError, ShapeError
from glassnet.ops.fused import batch_norm

SHAPES = [(6, 3), (4, 3, 5), (3, 3, 4, 5)]


def _composite(x, weight, bias, eps):
    """Training-mode batch norm from glassnet's primitive ops (their own backward)."""
    axes = (0, *range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    mean = x.mean(axis=axes, keepdims=True)
    centered = x - mean
    var = (centered * centered).mean(axis=axes, keepdims=True)
    x_hat = centered / (var + eps).sqrt()
    return x_hat * weight.reshape(shape) + bias.reshape(shape)


def _arrays(shape, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * 2 + 1
    return x, rng.standard_normal(shape[1]), rng.standard_normal(shape[1])


@pytest.mark.parametrize("shape", SHAPES)
def test_batch_norm_training_matches_the_composite_in_values_and_gradients(shape):
    arrays = _arrays(shape)
    fused = [gn.tensor(a, dtype="float64", requires_grad=True) for a in arrays]
    composite = [gn.tensor(a, dtype="float64", requires_grad=True) for a in arrays]
    y = batch_norm(*fused, None, None, training=True, eps=1e-5)
    z = _composite(*composite, eps=1e-5)
    np.testing.assert_allclose(y.data, z.data, rtol=1e-10, atol=1e-12)
    grad = np.random.default_rng(1).standard_normal(shape)
    y.backward(grad)
    z.backward(grad)
    for a, b in zip(fused, composite):
        np.testing.assert_allclose(a.grad, b.grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", SHAPES)
def test_batch_norm_gradients_pass_the_float64_check(shape, training):
    arrays = _arrays(shape)
    inputs = [gn.tensor(a, dtype="float64", requires_grad=True) for a in arrays]
    rng = np.random.default_rng(2)
    mean, var = rng.standard_normal(shape[1]), rng.random(shape[1]) + 0.5

    def fn(x, w, b):
        # Fresh copies: in training the op updates the running statistics in place.
        return batch_norm(x, w, b, mean.copy(), var.copy(), training=training)

    gn.gradcheck(fn, inputs)


def test_batch_norm_without_affine_parameters_passes_the_float64_check():
    x = gn.tensor(_arrays((4, 3, 5))[0], dtype="float64", requires_grad=True)
    gn.gradcheck(lambda t: batch_norm(t, None, None, None, None, training=True), [x])


def test_batch_norm_training_normalizes_and_updates_the_running_statistics_in_place():
    x = gn.tensor([[1.0, 10.0], [3.0, 30.0], [5.0, 50.0]])
    mean, var = np.zeros(2, np.float32), np.ones(2, np.float32)
    y = batch_norm(x, gn.tensor([2.0, 1.0]), gn.tensor([0.0, 1.0]), mean, var,
                   training=True, momentum=0.5, eps=0.0)
    # Batch means (3, 30); biased variances (8/3, 800/3); unbiased (4, 400).
    x_hat = np.array([-1.0, 0.0, 1.0]) * np.sqrt(3 / 2)
    np.testing.assert_allclose(y.data, np.stack([2 * x_hat, x_hat + 1], axis=1), rtol=1e-6)
    np.testing.assert_allclose(mean, [1.5, 15.0], rtol=1e-6)
    np.testing.assert_allclose(var, [0.5 + 2.0, 0.5 + 200.0], rtol=1e-6)
    assert y.dtype == np.float32 and mean.dtype == np.float32 and var.dtype == np.float32


def test_batch_norm_eval_uses_the_running_statistics_and_leaves_them_alone():
    x = gn.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    mean, var = np.array([1.0, 0.0], np.float32), np.array([4.0, 1.0], np.float32)
    y = batch_norm(x, None, None, mean, var, training=False, eps=0.0)
    assert y.tolist() == [[0.0, 2.0], [1.0, 4.0]]
    y.sum().backward()
    assert x.grad.tolist() == [[0.5, 1.0], [0.5, 1.0]]
    assert mean.tolist() == [1.0, 0.0] and var.tolist() == [4.0, 1.0]


def test_batch_norm_rejects_a_channel_mismatch():
    with pytest.raises(ShapeError, match=r"batch_norm: expected weight of shape \(3,\) .*"
                                         r"x.shape=\(2, 3, 4, 4\)\), but got \(4,\)"):
        batch_norm(gn.zeros(2, 3, 4, 4), gn.ones(4), gn.zeros(4), None, None, training=True)


def test_batch_norm_rejects_one_value_per_channel_when_training():
    with pytest.raises(ShapeError, match="batch_norm: expected more than 1 value per channel"):
        batch_norm(gn.zeros(1, 3), None, None, None, None, training=True)


def test_batch_norm_rejects_eval_mode_without_running_statistics():
    with pytest.raises(ConfigError, match=r"batch_norm: eval mode \(training=False\) needs"):
        batch_norm(gn.zeros(2, 3), None, None, None, None, training=False)


def test_batch_norm_rejects_a_one_dimensional_input():
    with pytest.raises(ShapeError, match=r"batch_norm: expected an input \(N, C\)"):
        batch_norm(gn.zeros(3), None, None, None, None, training=True)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", SHAPES)
def test_batch_norm_matches_torch_in_float32(shape, training):
    torch = pytest.importorskip("torch", reason="PyTorch is the optional reference")
    arrays = [a.astype(np.float32) for a in _arrays(shape, seed=3)]
    rng = np.random.default_rng(4)
    mean = rng.standard_normal(shape[1]).astype(np.float32)
    var = (rng.random(shape[1]) + 0.5).astype(np.float32)
    mean_ref, var_ref = torch.tensor(mean), torch.tensor(var)
    ours = [gn.tensor(a, requires_grad=True) for a in arrays]
    y = batch_norm(*ours, mean, var, training=training, momentum=0.2)
    grad = rng.standard_normal(shape).astype(np.float32)
    y.backward(grad)
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y_ref = torch.nn.functional.batch_norm(
        theirs[0], mean_ref, var_ref, theirs[1], theirs[2], training=training, momentum=0.2
    )
    y_ref.backward(torch.tensor(grad))
    np.testing.assert_allclose(y.data, y_ref.detach().numpy(), rtol=1e-5, atol=1e-5)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(mean, mean_ref.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(var, var_ref.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("channels_last", [False, True])
def test_batch_norm_gives_the_same_result_for_either_memory_order(channels_last):
    x = np.random.default_rng(5).standard_normal((3, 4, 5, 6))
    if channels_last:
        x = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    x_t = gn.as_tensor(x, dtype="float64")
    x_t.requires_grad = True
    y = batch_norm(x_t, None, None, None, None, training=True, eps=0.0)
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    expected = (x - mean) / x.std(axis=(0, 2, 3), keepdims=True)
    np.testing.assert_allclose(y.data, expected, rtol=1e-10, atol=1e-12)
    gn.gradcheck(lambda t: batch_norm(t, None, None, None, None, training=True), [x_t])


def test_batch_norm_eval_handles_an_empty_batch():
    x = gn.zeros(0, 3, 4, 4, requires_grad=True)
    w = gn.ones(3, requires_grad=True)
    y = batch_norm(x, w, None, np.zeros(3, np.float32), np.ones(3, np.float32), training=False)
    y.sum().backward()
    assert y.shape == (0, 3, 4, 4) and w.grad.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("offset", [0.0, 1e4, 1e8])
@pytest.mark.parametrize("shape", [(7, 3), (5, 3, 11), (9, 4, 3, 5), (2, 2, 1)])
def test_channel_moments_match_numpy_in_float64_even_far_from_zero(shape, offset):
    # Chan's combination of per-block moments keeps the precision of a two-pass variance:
    # with unit spread around 1e8, E[x²] − E[x]² would lose every digit in float64.
    from glassnet.ops.fused.batch_norm import channel_moments

    x = np.random.default_rng(0).standard_normal(shape) + offset
    axes = (0, *range(2, x.ndim))
    mean, var = channel_moments(x)
    np.testing.assert_allclose(mean, x.mean(axis=axes), rtol=1e-14, atol=1e-14 * (1 + offset))
    np.testing.assert_allclose(var, x.var(axis=axes), rtol=1e-7 if offset == 1e8 else 1e-12)


def test_channel_moments_of_channels_last_float32_match_float64():
    from glassnet.ops.fused.batch_norm import channel_moments

    x = (np.random.default_rng(0).standard_normal((6, 5, 4, 3)) * 3 + 100).transpose(0, 3, 1, 2)
    mean, var = channel_moments(x.astype(np.float32))
    assert mean.dtype == var.dtype == np.float32
    np.testing.assert_allclose(mean, x.mean(axis=(0, 2, 3)), rtol=1e-6)
    np.testing.assert_allclose(var, x.var(axis=(0, 2, 3)), rtol=1e-4)
