"""nn.init: fans of linear and conv weights, gains, each scheme's spread, generators."""

import math

import numpy as np
import pytest

import glassnet.nn as nn
from glassnet.errors import ConfigError, ShapeError
from glassnet.nn import init


def test_fans_of_linear_and_conv_weights():
    assert init.fans((10, 784)) == (784, 10)
    assert init.fans((10, 3, 5, 5)) == (75, 250)
    assert init.fans((8, 4, 3)) == (12, 24)


def test_fans_need_two_axes():
    with pytest.raises(
        ShapeError, match=r"init: fan_in and fan_out need a weight with at least 2 axes"
    ):
        init.fans((5,))


def test_gains_match_the_usual_values():
    assert init.calculate_gain("linear") == 1.0
    assert init.calculate_gain("sigmoid") == 1.0
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))


def test_unknown_gain_lists_the_valid_names():
    with pytest.raises(
        ConfigError, match=r"calculate_gain: expected nonlinearity to be one of \('linear'"
    ):
        init.calculate_gain("swish")


def _weight(shape=(400, 300)):
    return nn.Parameter(np.zeros(shape, dtype=np.float32))


def _rng():
    return np.random.default_rng(0)


# Each: (initializer call, expected standard deviation for a (400, 300) weight).
# With 120,000 samples the sample std is within 1% of the true one.
SPREADS = {
    "normal": (lambda w: init.normal(w, 0.5, 2.0, generator=_rng()), 2.0),
    "uniform": (lambda w: init.uniform(w, -3.0, 3.0, generator=_rng()), 3.0 / math.sqrt(3)),
    "small_random": (lambda w: init.small_random(w, generator=_rng()), 0.01),
    "xavier_uniform": (lambda w: init.xavier_uniform(w, generator=_rng()), math.sqrt(2 / 700)),
    "xavier_normal_gain": (
        lambda w: init.xavier_normal(w, gain=2.0, generator=_rng()),
        2 * math.sqrt(2 / 700),
    ),
    "kaiming_uniform_relu": (
        lambda w: init.kaiming_uniform(w, nonlinearity="relu", generator=_rng()),
        math.sqrt(2 / 300),
    ),
    "kaiming_normal_relu": (
        lambda w: init.kaiming_normal(w, nonlinearity="relu", generator=_rng()),
        math.sqrt(2 / 300),  # He: std 1/sqrt(fan_in / 2)
    ),
    "kaiming_normal_fan_out_tanh": (
        lambda w: init.kaiming_normal(w, mode="fan_out", nonlinearity="tanh", generator=_rng()),
        (5 / 3) / math.sqrt(400),
    ),
    "kaiming_normal_linear": (
        lambda w: init.kaiming_normal(w, nonlinearity="linear", generator=_rng()),
        1 / math.sqrt(300),
    ),
}


@pytest.mark.parametrize("name", list(SPREADS))
def test_initializer_has_the_expected_standard_deviation(name):
    fill, std = SPREADS[name]
    weight = _weight()
    assert fill(weight) is weight
    assert weight.data.std() == pytest.approx(std, rel=0.01)
    assert weight.dtype == np.float32


def test_uniform_initializers_stay_within_their_bound():
    weight = init.xavier_uniform(_weight(), generator=_rng())
    assert np.abs(weight.data).max() <= math.sqrt(6 / 700)


def test_kaiming_uses_the_conv_kernel_fan_in():
    weight = init.kaiming_normal(_weight((64, 32, 3, 3)), nonlinearity="relu", generator=_rng())
    assert weight.data.std() == pytest.approx(math.sqrt(2 / (32 * 9)), rel=0.02)


def test_normal_mean_is_respected():
    assert init.normal(_weight(), 0.5, 0.1, generator=_rng()).data.mean() == pytest.approx(
        0.5, abs=0.001
    )


def test_zeros_ones_and_constant_fill_every_element():
    assert not init.zeros(_weight((2, 2))).data.any()
    assert (init.ones(_weight((2, 2))).data == 1).all()
    assert (init.constant(np.empty(3), 2.5) == 2.5).all()


def test_same_generator_seed_gives_the_same_weights():
    a = init.kaiming_uniform(_weight(), generator=np.random.default_rng(5)).data
    b = init.kaiming_uniform(_weight(), generator=np.random.default_rng(5)).data
    c = init.kaiming_uniform(_weight(), generator=np.random.default_rng(6)).data
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_zero_initialization_leaves_hidden_units_symmetric():
    # Why not zeros: every hidden unit gets the same gradient, so they never differ.
    import glassnet as gn

    model = nn.Sequential(
        nn.Linear(3, 4, init=lambda w, generator: init.constant(w, 0.3)),
        nn.Tanh(),
        nn.Linear(4, 1, init=init.zeros),
    )
    model[2].bias.data[...] = 0.0
    model[2].weight.data[...] = 0.5
    model(gn.randn(5, 3)).sum().backward()
    grad = model[0].weight.grad
    np.testing.assert_allclose(grad, np.broadcast_to(grad[0], grad.shape))


def test_kaiming_rejects_an_unknown_mode():
    with pytest.raises(
        ConfigError, match=r"kaiming: expected mode to be one of \('fan_in', 'fan_out'\)"
    ):
        init.kaiming_normal(_weight(), mode="fan_avg")


def test_initializers_reject_non_arrays():
    with pytest.raises(TypeError, match="init: expected a Parameter, Tensor or ndarray"):
        init.normal([1.0, 2.0])
