"""Exponential moving average of weights: exact values, swapping, state round trip."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.errors import ConfigError, GraphError, StateDictError
from glassnet.nn.linear import Linear
from glassnet.optim import EMA


def _param(values):
    return gn.tensor(values, dtype="float64", requires_grad=True)


def test_update_is_decay_times_average_plus_rest_times_weights():
    w = _param([0.0, 10.0])
    ema = EMA([w], decay=0.9)
    for value in (1.0, 2.0):
        w.data[:] = value
        ema.update()
    first = 0.9 * np.array([0.0, 10.0]) + 0.1 * 1.0
    np.testing.assert_allclose(ema.shadow[0], 0.9 * first + 0.1 * 2.0, rtol=1e-15)
    assert ema.num_updates == 2


def test_averaged_block_swaps_in_and_restores_the_trained_weights():
    w = _param([4.0])
    ema = EMA([w], decay=0.5)
    w.data[:] = 8.0
    ema.update()
    with ema.averaged():
        assert w.data[0] == 6.0
        with pytest.raises(GraphError, match="swap_out"):
            ema.update()
    assert w.data[0] == 8.0
    ema.swap_in()
    ema.swap_in()  # idempotent
    assert w.data[0] == 6.0
    ema.swap_out()
    assert w.data[0] == 8.0


def test_ema_over_a_module_uses_its_parameters():
    layer = Linear(2, 2)
    ema = EMA(layer, decay=0.0)
    layer.weight.data[:] = 3.0
    ema.update()
    with ema.averaged():
        np.testing.assert_array_equal(layer.weight.data, np.full((2, 2), 3.0, np.float32))
    assert len(ema.shadow) == len(list(layer.parameters()))


def test_state_dict_round_trip_continues_identically():
    w = _param([1.0, 2.0])
    ema = EMA([w], decay=0.8)
    w.data[:] = [3.0, 1.0]
    ema.update()
    restored = EMA([_param([1.0, 2.0])], decay=0.1)
    restored.load_state_dict(ema.state_dict())
    assert restored.decay == 0.8 and restored.num_updates == 1
    restored.params[0].data[:] = w.data
    ema.update()
    restored.update()
    np.testing.assert_array_equal(restored.shadow[0], ema.shadow[0])


def test_state_dict_holds_the_average_even_while_swapped_in():
    w = _param([0.0])
    ema = EMA([w], decay=0.5)
    w.data[:] = 2.0
    ema.update()
    ema.swap_in()
    assert ema.state_dict()["shadow"][0][0] == 1.0


def test_rejects_bad_decay_and_mismatched_state():
    with pytest.raises(ConfigError, match=r"decay in \[0, 1\)"):
        EMA([_param([1.0])], decay=1.0)
    with pytest.raises(ConfigError, match="at least one parameter"):
        EMA([], decay=0.5)
    ema = EMA([_param([1.0])], decay=0.5)
    with pytest.raises(StateDictError, match="shape"):
        ema.load_state_dict({"decay": 0.5, "num_updates": 0, "shadow": {0: np.zeros(3)}})
