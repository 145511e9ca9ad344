"""Weight normalization: the composite w = g·v/‖v‖ (values, float64 gradient check, the
paper's gradient formulas), weight-normalized Linear and Conv layers through the layer
harness, removal, glassnet.save/load, bad arguments, and PyTorch's weight_norm."""

import functools

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
from glassnet import models
from glassnet.errors import ConfigError, ShapeError
from glassnet.nn.weight_normalization import norm_shape, weight_normalized
from tests.nn.harness import check_layer


def _tensor(shape, seed, dtype="float64"):
    data = np.random.default_rng(seed).standard_normal(shape)
    return gn.tensor(data, dtype=dtype, requires_grad=True)


@pytest.mark.parametrize("shape, axis", [((4, 3), 0), ((4, 3), 1), ((4, 3), None),
                                         ((3, 2, 2, 2), 0), ((5,), 0), ((2, 3, 4), -1)])
def test_weight_normalized_values_and_gradient_check(shape, axis):
    v = _tensor(shape, 0)
    g = _tensor(norm_shape(shape, axis), 1)
    w = weight_normalized(v, g, axis)
    reduced = tuple(i for i in range(len(shape)) if i != (axis % len(shape) if axis is not None
                                                           else -1))
    norms = np.sqrt((v.data**2).sum(axis=reduced, keepdims=axis is not None))
    np.testing.assert_allclose(w.data, g.data * v.data / norms, rtol=1e-12)
    gn.gradcheck(lambda v, g: weight_normalized(v, g, axis), [v, g])


def test_gradients_follow_the_papers_formulas_and_v_gets_an_orthogonal_gradient():
    v, g = _tensor((3, 5), 0), _tensor((3, 1), 1)
    upstream = np.random.default_rng(2).standard_normal((3, 5))
    w = weight_normalized(v, g, 0)
    (w * upstream).sum().backward()
    norm = np.linalg.norm(v.data, axis=1, keepdims=True)
    grad_g = (upstream * v.data).sum(axis=1, keepdims=True) / norm
    grad_v = g.data / norm * upstream - g.data * grad_g / norm**2 * v.data
    np.testing.assert_allclose(g.grad, grad_g, rtol=1e-12)
    np.testing.assert_allclose(v.grad, grad_v, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose((v.grad * v.data).sum(axis=1), 0.0, atol=1e-12)


def _normalized(cls, *args, axis=0, **kwargs):
    def make(generator, dtype):
        return nn.weight_norm(cls(*args, generator=generator, dtype=dtype, **kwargs), axis=axis)

    return make


@pytest.mark.parametrize("make, input_shape, output_shape, num_params, small", [
    (_normalized(nn.Linear, 5, 3), (4, 5), (4, 3), 15 + 3 + 3, None),
    (_normalized(nn.Linear, 5, 3, axis=None), (4, 5), (4, 3), 15 + 3 + 1, None),
    (_normalized(nn.Conv2d, 2, 3, 3, padding=1), (2, 2, 5, 5), (2, 3, 5, 5), 54 + 3 + 3,
     (1, 2, 4, 4)),
    (_normalized(nn.Conv1d, 2, 3, 3), (2, 2, 6), (2, 3, 4), 18 + 3 + 3, None),
], ids=["linear", "linear_single_length", "conv2d", "conv1d"])
def test_weight_normalized_layers_pass_the_layer_harness(make, input_shape, output_shape,
                                                         num_params, small):
    check_layer(make, input_shape, output_shape=output_shape, num_params=num_params,
                gradcheck_shape=small)


def test_applying_it_keeps_the_outputs_and_reuses_the_parameter_as_v():
    layer = nn.Conv2d(2, 4, 3, generator=np.random.default_rng(0))
    original = layer.weight
    x = gn.randn(1, 2, 6, 6, generator=np.random.default_rng(1))
    before = layer(x).data
    nn.weight_norm(layer)
    assert layer.weight_v is original and layer.weight_g.shape == (4, 1, 1, 1)
    assert [name for name, _ in layer.named_parameters()] == ["bias", "weight_v", "weight_g"]
    np.testing.assert_allclose(layer(x).data, before, rtol=1e-5, atol=1e-6)


def test_the_length_is_learned_by_g_alone():
    layer = nn.weight_norm(nn.Linear(4, 3, generator=np.random.default_rng(0)))
    layer.weight_g.data[...] = [[2.0], [0.5], [3.0]]
    layer.weight_v.data *= 7.0  # scaling v changes nothing: only its direction counts
    layer(gn.zeros(1, 4))
    np.testing.assert_allclose(np.linalg.norm(layer.weight.data, axis=1), [2.0, 0.5, 3.0],
                               rtol=1e-6)


def test_remove_weight_norm_gives_back_one_parameter_with_the_same_weight():
    layer = nn.weight_norm(nn.Linear(4, 3, generator=np.random.default_rng(0)))
    layer.weight_g.data *= 2
    x = gn.randn(2, 4, generator=np.random.default_rng(1))
    expected = layer(x).data
    nn.remove_weight_norm(layer)
    assert sorted(layer.state_dict()) == ["bias", "weight"] and not layer._forward_pre_hooks
    np.testing.assert_allclose(layer(x).data, expected, rtol=1e-6)


def test_glassnet_save_and_load_bring_weight_norm_back(tmp_path):
    model = models.mlp(6, [8], 3, generator=np.random.default_rng(0))
    nn.weight_norm(model[1])
    nn.weight_norm(model[3], axis=None)
    model[1].weight_g.data *= 1.5
    gn.save(model, tmp_path / "wn.safetensors")
    loaded = gn.load(tmp_path / "wn.safetensors")
    assert loaded[1].weight_g.shape == (8, 1) and loaded[3].weight_g.shape == ()
    x = gn.randn(4, 6, generator=np.random.default_rng(1))
    with gn.no_grad():
        np.testing.assert_array_equal(loaded(x).data, model.eval()(x).data)


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ConfigError, match=r"Linear.weights to be a Parameter"):
        nn.weight_norm(nn.Linear(2, 2), "weights")
    with pytest.raises(ConfigError, match="axis"):
        nn.weight_norm(nn.Linear(2, 2), axis=2)
    with pytest.raises(ConfigError, match="expected a Module"):
        nn.weight_norm(gn.zeros(2, 2))
    layer = nn.weight_norm(nn.Linear(2, 2))
    with pytest.raises(ConfigError, match="already weight-normalized"):
        nn.weight_norm(layer)
    with pytest.raises(ConfigError, match="not weight-normalized"):
        nn.remove_weight_norm(nn.Linear(2, 2))
    with pytest.raises(ShapeError, match=r"expected g of shape \(3, 1\)"):
        weight_normalized(gn.ones(3, 4), gn.ones(3), 0)


def test_matches_pytorch_weight_norm_outputs_and_gradients():
    torch = pytest.importorskip("torch", reason="PyTorch is the optional reference here")
    from torch.nn.utils.parametrizations import weight_norm as torch_weight_norm

    for make, torch_make, shape in [
        (functools.partial(nn.Linear, 5, 3), functools.partial(torch.nn.Linear, 5, 3), (4, 5)),
        (functools.partial(nn.Conv2d, 2, 3, 3), functools.partial(torch.nn.Conv2d, 2, 3, 3),
         (2, 2, 5, 5)),
    ]:
        ours = nn.weight_norm(make(generator=np.random.default_rng(0), dtype=np.float64))
        ours.weight_g.data *= np.linspace(0.5, 2.0, ours.weight_g.size).reshape(
            ours.weight_g.shape)
        theirs = torch_weight_norm(torch_make().double())
        with torch.no_grad():
            theirs.bias.copy_(torch.tensor(ours.bias.data))
            theirs.parametrizations.weight.original0.copy_(torch.tensor(ours.weight_g.data))
            theirs.parametrizations.weight.original1.copy_(torch.tensor(ours.weight_v.data))
        x = np.random.default_rng(1).standard_normal(shape)
        out = ours(gn.tensor(x, dtype="float64"))
        torch_out = theirs(torch.tensor(x))
        np.testing.assert_allclose(out.data, torch_out.detach().numpy(), rtol=1e-10)
        (out * out).sum().backward()
        (torch_out * torch_out).sum().backward()
        params = theirs.parametrizations.weight
        np.testing.assert_allclose(ours.weight_g.grad, params.original0.grad.numpy(),
                                   rtol=1e-9)
        np.testing.assert_allclose(ours.weight_v.grad, params.original1.grad.numpy(),
                                   rtol=1e-9, atol=1e-12)
