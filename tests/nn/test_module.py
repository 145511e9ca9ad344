"""Module: finding parameters by walking attributes, buffers, modes, state_dict, hooks,
repr, dtype conversion; Parameter and Buffer; Sequential and ModuleList."""

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
from glassnet.errors import ConfigError, DTypeError, StateDictError


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(np.ones(3, dtype=np.float32))
        self.fc = nn.Linear(3, 3, generator=np.random.default_rng(0))
        self.norm = nn.BatchNorm1d(3)
        self.heads = {"left": nn.Linear(3, 1), "right": nn.Linear(3, 2, bias=False)}
        self.stack = [nn.Linear(3, 3), (nn.ReLU(), nn.Linear(3, 3))]
        self.not_a_member = np.zeros(4)  # plain arrays are neither parameters nor buffers
        self.count = nn.Buffer(np.zeros(2, dtype=np.float32))

    def forward(self, x):
        return self.norm(self.fc(x * self.scale))


def test_named_parameters_walk_attributes_in_definition_order_with_pytorch_names():
    names = [name for name, _ in Block().named_parameters()]
    assert names == [
        "scale",
        "fc.weight",
        "fc.bias",
        "norm.weight",
        "norm.bias",
        "heads.left.weight",
        "heads.left.bias",
        "heads.right.weight",
        "stack.0.weight",
        "stack.0.bias",
        "stack.1.1.weight",
        "stack.1.1.bias",
    ]


def test_buffers_are_in_state_dict_but_not_in_parameters():
    block = Block()
    assert [name for name, _ in block.named_buffers()] == [
        "count",
        "norm.running_mean",
        "norm.running_var",
        "norm.num_batches_tracked",
    ]
    parameter_ids = {id(p) for p in block.parameters()}
    assert all(id(b) not in parameter_ids for b in block.buffers())
    state = block.state_dict()
    assert "norm.running_mean" in state and "count" in state
    assert "not_a_member" not in state
    # PyTorch's order: a module's parameters, then its buffers, then its children.
    assert list(state)[:2] == ["scale", "count"]


def test_children_and_modules_list_each_module_once():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(model.children())) == 2
    assert [name for name, _ in model.named_modules()] == ["", "0", "1"]
    # a shared parameter is yielded once
    assert len(list(model.parameters())) == 2


def test_train_and_eval_set_the_mode_recursively():
    block = Block()
    assert block.training and block.norm.training
    assert block.eval() is block
    assert not any(m.training for m in block.modules())
    block.train()
    assert all(m.training for m in block.modules())


def test_zero_grad_clears_every_parameter_gradient():
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    model(gn.ones(4, 3)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_state_dict_returns_copies():
    layer = nn.Linear(2, 2)
    state = layer.state_dict()
    state["weight"][...] = 123.0
    assert not np.any(layer.weight.data == 123.0)


def test_load_state_dict_copies_in_place_and_keeps_parameter_identity():
    source, target = nn.Linear(3, 2), nn.Linear(3, 2)
    weight_before = target.weight
    array_before = target.weight.data
    result = target.load_state_dict(source.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert target.weight is weight_before and target.weight.data is array_before
    np.testing.assert_array_equal(target.weight.data, source.weight.data)


def test_load_state_dict_casts_to_the_parameter_dtype():
    target = nn.Linear(2, 1)
    target.load_state_dict({"weight": [[1.0, 2.0]], "bias": np.array([3.0])})
    assert target.weight.dtype == np.float32
    np.testing.assert_array_equal(target.weight.data, [[1.0, 2.0]])


def test_load_state_dict_lists_missing_unexpected_and_mismatched_keys():
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    state = model.state_dict()
    del state["1.bias"]
    state["2.weight"] = np.zeros(1)
    state["0.weight"] = np.zeros((5, 3))
    before = model[0].bias.data.copy()
    state["0.bias"] = np.full(2, 7.0)
    with pytest.raises(StateDictError) as info:
        model.load_state_dict(state)
    message = str(info.value)
    assert "missing keys ['1.bias']" in message
    assert "unexpected keys ['2.weight']" in message
    assert "0.weight: expected (2, 3), got (5, 3)" in message
    # nothing was loaded
    np.testing.assert_array_equal(model[0].bias.data, before)


def test_load_state_dict_non_strict_skips_missing_and_unexpected_keys():
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    state = model.state_dict()
    del state["1.bias"]
    state["extra"] = np.zeros(3)
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["1.bias"] and result.unexpected_keys == ["extra"]


def test_load_state_dict_non_strict_still_rejects_a_shape_mismatch():
    with pytest.raises(StateDictError, match=r"weight: expected \(2, 3\), got \(3, 3\)"):
        nn.Linear(3, 2).load_state_dict({"weight": np.zeros((3, 3))}, strict=False)


def test_forward_hook_sees_inputs_and_output_and_can_be_removed():
    layer = nn.Linear(2, 3)
    seen = []
    handle = layer.register_forward_hook(lambda m, inputs, out: seen.append((m, inputs, out)))
    x = gn.ones(4, 2)
    out = layer(x)
    assert len(seen) == 1 and seen[0][0] is layer and seen[0][1][0] is x and seen[0][2] is out
    handle.remove()
    layer(x)
    assert len(seen) == 1


def test_forward_hook_can_replace_the_output():
    layer = nn.ReLU()
    layer.register_forward_hook(lambda m, inputs, out: out * 2)
    np.testing.assert_array_equal(layer(gn.tensor([1.0, -1.0])).data, [2.0, 0.0])


def test_forward_pre_hook_runs_before_forward_can_replace_inputs_and_be_removed():
    layer = nn.ReLU()
    order = []
    layer.register_forward_hook(lambda m, inputs, out: order.append("after"))
    handle = layer.register_forward_pre_hook(lambda m, inputs: order.append("before"))
    layer(gn.tensor([1.0]))
    assert order == ["before", "after"]
    handle.remove()
    replace = layer.register_forward_pre_hook(lambda m, inputs: inputs[0] * -1)
    np.testing.assert_array_equal(layer(gn.tensor([1.0, -2.0])).data, [0.0, 2.0])
    replace.remove()
    np.testing.assert_array_equal(layer(gn.tensor([1.0, -2.0])).data, [1.0, 0.0])


def test_forgetting_super_init_is_a_clear_error():
    class Broken(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match=r"Broken: Module.__init__\(\) was not called"):
        list(Broken().parameters())


def test_to_float64_converts_parameters_and_float_buffers_in_place():
    block = Block()
    parameters = list(block.parameters())
    block.double()
    assert [id(p) for p in block.parameters()] == [id(p) for p in parameters]
    assert all(p.dtype == np.float64 for p in block.parameters())
    assert block.norm.running_mean.dtype == np.float64
    assert block.norm.num_batches_tracked.dtype == np.int64
    block.float()
    assert all(p.dtype == np.float32 for p in block.parameters())


def test_to_rejects_a_non_floating_dtype():
    with pytest.raises(TypeError, match="Module.to: expected a floating dtype"):
        nn.Linear(2, 2).to(np.int32)


def test_apply_visits_every_module():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Linear(2, 2)))
    visited = []
    model.apply(lambda m: visited.append(type(m).__name__))
    assert sorted(visited) == ["Linear", "Linear", "Sequential", "Sequential"]


def test_repr_nests_children_with_their_configuration():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Dropout(0.25)))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): Sequential(\n"
        "    (0): Dropout(p=0.25)\n"
        "  )\n"
        ")"
    )


def test_parameter_wraps_an_array_without_copying_and_requires_grad():
    array = np.zeros(3, dtype=np.float64)
    parameter = nn.Parameter(array)
    assert parameter.data is array and parameter.requires_grad
    assert isinstance(parameter, gn.Tensor)
    assert nn.Parameter([1.0, 2.0]).dtype == np.float32


def test_parameter_rejects_integer_data():
    with pytest.raises(DTypeError, match="Parameter: expected floating data"):
        nn.Parameter(np.arange(3))


def test_sequential_is_indexable_sliceable_iterable_and_sized():
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    model = nn.Sequential(*layers)
    assert len(model) == 3 and model[0] is layers[0] and model[-1] is layers[2]
    assert list(model) == layers
    head = model[:2]
    assert isinstance(head, nn.Sequential) and list(head) == layers[:2]
    x = gn.randn(4, 2)
    np.testing.assert_allclose(model(x).data, layers[2](layers[1](layers[0](x))).data)


def test_module_list_names_items_by_index_and_has_no_forward():
    blocks = nn.ModuleList([nn.Linear(2, 2)]).append(nn.Linear(2, 1))
    assert [name for name, _ in blocks.named_parameters()] == [
        "0.weight",
        "0.bias",
        "1.weight",
        "1.bias",
    ]
    with pytest.raises(NotImplementedError, match="ModuleList has no forward"):
        blocks(gn.ones(1, 2))


def test_module_list_rejects_a_non_module():
    with pytest.raises(ConfigError, match="ModuleList: expected a Module, but got function"):
        nn.ModuleList([gn.relu])
