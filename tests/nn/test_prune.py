"""Pruning: which entries go (layer-wise, global, random, custom, again), masks that survive
optimizer steps, checkpoints, resume and glassnet.save/load, permanent removal, the gradient
through a mask, bad arguments, and PyTorch's masks for the same weights."""

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
from glassnet import models, optim
from glassnet.errors import ConfigError, ShapeError
from glassnet.nn import prune
from glassnet.train.checkpointing import Checkpoint
from glassnet.train.trainer import Trainer


def _linear(n_in=6, n_out=5, seed=0, dtype=np.float32):
    return nn.Linear(n_in, n_out, generator=np.random.default_rng(seed), dtype=dtype)


def test_magnitude_prunes_the_smallest_entries_of_the_layer():
    layer = _linear()
    weights = layer.weight.data.copy()
    prune.magnitude(layer, "weight", amount=0.4)
    mask = layer.weight_mask.data
    assert int((mask == 0).sum()) == round(0.4 * weights.size)
    assert np.abs(weights[mask == 0]).max() <= np.abs(weights[mask == 1]).min()
    np.testing.assert_array_equal(layer.weight.data, weights * mask)
    assert prune.is_pruned(layer) and not prune.is_pruned(layer, "bias")


def test_amount_as_a_count_and_pruning_again_takes_a_fraction_of_what_is_left():
    layer = _linear()  # 30 weights
    prune.magnitude(layer, amount=7)
    assert prune.sparsity(layer).total == pytest.approx(7 / 30)
    layer2 = _linear()
    prune.magnitude(layer2, amount=0.5)
    prune.magnitude(layer2, amount=0.5)
    # 15 pruned, then round(7.5) = 8 of the 15 left (Python's and PyTorch's rounding)
    assert prune.sparsity(layer2).total == pytest.approx(23 / 30)


def test_the_layer_uses_the_masked_weight_and_pruned_entries_get_no_gradient():
    layer = _linear()
    prune.magnitude(layer, amount=0.5)
    x = gn.randn(4, 6, generator=np.random.default_rng(1))
    expected = x.data @ (layer.weight_orig.data * layer.weight_mask.data).T + layer.bias.data
    out = layer(x)
    np.testing.assert_allclose(out.data, expected, rtol=1e-6)
    out.sum().backward()
    assert np.all(layer.weight_orig.grad[layer.weight_mask.data == 0] == 0)
    assert np.all(layer.weight_orig.grad[layer.weight_mask.data == 1] != 0)


def test_gradient_check_through_the_mask_in_float64():
    layer = _linear(dtype=np.float64)
    prune.magnitude(layer, amount=0.5)
    x = gn.randn(3, 6, dtype="float64", requires_grad=True, generator=np.random.default_rng(2))
    gn.gradcheck(lambda x, w, b: layer(x).tanh(), [x, layer.weight_orig, layer.bias])


@pytest.mark.parametrize("make_optimizer", [
    lambda params: optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=1e-2),
    lambda params: optim.Adam(params, lr=0.05),
    lambda params: optim.AdamW(params, lr=0.05, weight_decay=0.1),
], ids=["sgd_momentum_decay", "adam", "adamw"])
def test_the_mask_survives_optimizer_steps_built_before_or_after_pruning(make_optimizer):
    for prune_first in (True, False):
        layer = _linear()
        if prune_first:
            prune.magnitude(layer, amount=0.6)
            optimizer = make_optimizer(layer.parameters())
        else:  # the optimizer holds the Parameter that becomes weight_orig
            optimizer = make_optimizer(layer.parameters())
            prune.magnitude(layer, amount=0.6)
        mask = layer.weight_mask.data.copy()
        rng = np.random.default_rng(3)
        for _ in range(20):
            optimizer.zero_grad()
            (layer(gn.tensor(rng.standard_normal((8, 6)))) ** 2).mean().backward()
            optimizer.step()
        layer(gn.zeros(1, 6))
        np.testing.assert_array_equal(layer.weight_mask.data, mask)
        assert np.all(layer.weight.data[mask == 0] == 0)
        assert np.all(layer.weight.data[mask == 1] != 0)
        assert prune.sparsity(layer).total == pytest.approx(0.6)


def test_global_magnitude_ranks_all_layers_under_one_threshold():
    model = nn.Sequential(_linear(6, 8, seed=0), nn.ReLU(), _linear(8, 4, seed=1))
    model[2].weight.data *= 10  # the second layer's weights are all larger
    before = [model[0].weight.data.copy(), model[2].weight.data.copy()]
    prune.global_magnitude([(model[0], "weight"), (model[2], "weight")], amount=0.5)
    masks = [model[0].weight_mask.data, model[2].weight_mask.data]
    pruned = np.concatenate([np.abs(w[m == 0]) for w, m in zip(before, masks)])
    kept = np.concatenate([np.abs(w[m == 1]) for w, m in zip(before, masks)])
    assert pruned.max() <= kept.min()
    assert pruned.size == (48 + 32) // 2
    report = prune.sparsity(model)
    assert report.total == pytest.approx(0.5)
    assert report.per_parameter["0.weight"] > 0.5 > report.per_parameter["2.weight"]


def test_random_pruning_is_reproducible_and_prunes_the_asked_amount():
    masks = []
    for _ in range(2):
        layer = prune.random(_linear(), amount=0.5, generator=np.random.default_rng(7))
        masks.append(layer.weight_mask.data.copy())
    np.testing.assert_array_equal(*masks)
    assert int((masks[0] == 0).sum()) == 15


def test_custom_mask_combines_with_an_existing_one():
    layer = _linear(3, 2)
    prune.custom(layer, "weight", [[1, 0, 1], [1, 1, 1]])
    prune.custom(layer, "weight", [[1, 1, 0], [1, 1, 1]])
    np.testing.assert_array_equal(layer.weight_mask.data, [[1, 0, 0], [1, 1, 1]])


def test_remove_makes_pruning_permanent_with_the_same_parameter_object():
    layer = _linear()
    original = layer.weight
    prune.magnitude(layer, amount=0.5)
    mask = layer.weight_mask.data.copy()
    prune.remove(layer, "weight")
    assert layer.weight is original and isinstance(layer.weight, nn.Parameter)
    assert sorted(layer.state_dict()) == ["bias", "weight"]
    assert not prune.is_pruned(layer) and not layer._forward_pre_hooks
    assert np.all(layer.weight.data[mask == 0] == 0)


def test_pruning_a_conv_kernel_and_a_bias():
    conv = nn.Conv2d(2, 3, 3, generator=np.random.default_rng(0))
    prune.magnitude(conv, "weight", amount=0.25)
    prune.magnitude(conv, "bias", amount=1)
    assert conv(gn.zeros(1, 2, 5, 5)).shape == (1, 3, 3, 3)
    assert prune.sparsity(conv).per_parameter == {"weight": pytest.approx(14 / 54),
                                                  "bias": pytest.approx(1 / 3)}


def test_masks_survive_a_training_checkpoint_and_resume(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 6)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)

    def pruned_model(seed):
        model = nn.Sequential(_linear(6, 16, seed), nn.ReLU(), _linear(16, 2, seed + 1))
        prune.global_magnitude([(model[0], "weight"), (model[2], "weight")], amount=0.7)
        return model

    model = pruned_model(0)
    masks = [model[0].weight_mask.data.copy(), model[2].weight_mask.data.copy()]
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.01),
                      callbacks=[Checkpoint(tmp_path, monitor="loss", mode="min")],
                      generator=np.random.default_rng(1))
    trainer.fit((X, y), epochs=2, batch_size=16)
    assert prune.sparsity(model).total == pytest.approx(round(0.7 * 128) / 128)

    other = pruned_model(5)  # pruned differently: the checkpoint brings the saved masks
    assert not np.array_equal(other[0].weight_mask.data, masks[0])
    resumed = Trainer(other, nn.CrossEntropyLoss(), optim.Adam(other.parameters(), lr=0.01),
                      generator=np.random.default_rng(1))
    resumed.fit((X, y), epochs=4, batch_size=16, resume=tmp_path / "last.safetensors")
    np.testing.assert_array_equal(other[0].weight_mask.data, masks[0])
    np.testing.assert_array_equal(other[2].weight_mask.data, masks[1])
    other[0](gn.zeros(1, 6))
    assert np.all(other[0].weight.data[masks[0] == 0] == 0)


def test_glassnet_save_and_load_bring_a_pruned_model_back_pruned(tmp_path):
    model = models.mlp(6, [8], 3, generator=np.random.default_rng(0))
    prune.magnitude(model[1], "weight", amount=0.5)
    prune.magnitude(model[3], "weight", amount=0.25)
    path = tmp_path / "pruned.safetensors"
    gn.save(model, path)
    loaded = gn.load(path)
    assert prune.sparsity(loaded).per_parameter == {"1.weight": 0.5, "3.weight": 0.25}
    x = gn.randn(4, 6, generator=np.random.default_rng(1))
    with gn.no_grad():
        np.testing.assert_array_equal(loaded(x).data, model.eval()(x).data)


@pytest.mark.parametrize("amount", [-0.1, 1.5, 31, -1, True, "half", float("nan")])
def test_bad_amounts_are_config_errors(amount):
    with pytest.raises(ConfigError, match="amount"):
        prune.magnitude(_linear(), amount=amount)


def test_bad_targets_and_masks_are_clear_errors():
    with pytest.raises(ConfigError, match=r"Linear.weights to be a Parameter.*\['weight'"):
        prune.magnitude(_linear(), "weights")
    with pytest.raises(ConfigError, match="expected a Module"):
        prune.magnitude(np.zeros((2, 2)))
    with pytest.raises(ShapeError, match=r"mask of weight's shape \(5, 6\)"):
        prune.custom(_linear(), "weight", np.ones((6, 5)))
    with pytest.raises(ConfigError, match="0s .* and 1s"):
        prune.custom(_linear(), "weight", np.full((5, 6), 0.5))
    with pytest.raises(ConfigError, match="is not pruned"):
        prune.remove(_linear(), "weight")
    with pytest.raises(ConfigError, match="got none"):
        prune.global_magnitude([], amount=0.5)
    layer = _linear()
    with pytest.raises(ConfigError, match="appears twice"):
        prune.global_magnitude([(layer, "weight"), (layer, "weight")], amount=0.5)
    with pytest.raises(ConfigError, match="pairs"):
        prune.global_magnitude([layer], amount=0.5)


def test_masks_match_pytorch_layerwise_and_global():
    torch = pytest.importorskip("torch", reason="PyTorch is the optional reference here")
    from torch.nn.utils import prune as torch_prune

    ours = [_linear(6, 8, seed=0), _linear(8, 4, seed=1)]
    theirs = [torch.nn.Linear(6, 8), torch.nn.Linear(8, 4)]
    for a, b in zip(ours, theirs):
        b.load_state_dict({k: torch.tensor(v) for k, v in a.state_dict().items()})
    prune.magnitude(ours[0], amount=0.3)
    torch_prune.l1_unstructured(theirs[0], "weight", amount=0.3)
    np.testing.assert_array_equal(ours[0].weight_mask.data, theirs[0].weight_mask.numpy())
    prune.global_magnitude([(ours[0], "weight"), (ours[1], "weight")], amount=0.6)
    torch_prune.global_unstructured([(theirs[0], "weight"), (theirs[1], "weight")],
                                    pruning_method=torch_prune.L1Unstructured, amount=0.6)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.weight_mask.data, b.weight_mask.numpy())
