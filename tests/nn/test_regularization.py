"""Weight penalties: values, which parameters they select, gradients."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.errors import ConfigError, DTypeError
from glassnet.nn.linear import Linear
from glassnet.nn.regularization import (
    apply_max_norm,
    elastic_net_penalty,
    l1_penalty,
    l2_penalty,
    select_parameters,
)


def _params():
    weight = gn.tensor([[1.0, -2.0], [3.0, 0.5]], dtype="float64", requires_grad=True)
    bias = gn.tensor([10.0, -10.0], dtype="float64", requires_grad=True)
    return weight, bias


def test_l2_penalty_sums_squares_of_weights_only_by_default():
    weight, bias = _params()
    assert l2_penalty([weight, bias]).item() == pytest.approx(1 + 4 + 9 + 0.25)
    assert l2_penalty([weight, bias], include="all").item() == pytest.approx(14.25 + 200)


def test_l1_penalty_sums_absolute_values():
    weight, bias = _params()
    assert l1_penalty([weight, bias]).item() == pytest.approx(6.5)
    assert l1_penalty([weight, bias], include="all").item() == pytest.approx(26.5)


def test_elastic_net_is_beta_times_l2_plus_l1():
    weight, bias = _params()
    assert elastic_net_penalty([weight, bias], 0.3).item() == pytest.approx(0.3 * 14.25 + 6.5)


def test_named_parameters_skip_names_ending_in_bias_even_when_two_dimensional():
    weight, _ = _params()
    named = [("fc.weight", weight), ("odd.bias", gn.ones(2, 2, requires_grad=True))]
    assert [p is weight for p in select_parameters(named, "weights")] == [True]


def test_include_callable_receives_names():
    weight, bias = _params()
    named = [("fc.weight", weight), ("fc.bias", bias)]
    penalty = l2_penalty(named, include=lambda name, p: name == "fc.bias")
    assert penalty.item() == pytest.approx(200)
    unnamed = l2_penalty([weight, bias], include=lambda name, p: name == "1")
    assert unnamed.item() == pytest.approx(200)


def test_penalties_select_weights_of_a_real_module():
    layer = Linear(3, 2)
    expected = float((layer.weight.data.astype(np.float64) ** 2).sum())
    assert l2_penalty(layer.named_parameters()).item() == pytest.approx(expected, rel=1e-6)
    assert l2_penalty(layer.parameters()).item() == pytest.approx(expected, rel=1e-6)


def test_penalty_gradients_are_2w_and_sign_w():
    weight, bias = _params()
    l2_penalty([weight, bias]).backward()
    np.testing.assert_array_equal(weight.grad, 2 * weight.data)
    assert bias.grad is None
    weight.grad = None
    l1_penalty([weight]).backward()
    np.testing.assert_array_equal(weight.grad, np.sign(weight.data))


def test_elastic_net_gradcheck():
    weight, bias = _params()
    gn.gradcheck(lambda w, b: elastic_net_penalty([w, b], 0.7, include="all"), [weight, bias])


def test_nothing_selected_gives_zero():
    _, bias = _params()
    assert l2_penalty([bias]).item() == 0.0


def test_rejects_bad_arguments():
    weight, _ = _params()
    with pytest.raises(ConfigError, match="single Tensor. Wrap it in a list"):
        l2_penalty(weight)
    with pytest.raises(ConfigError, match="include to be 'weights', 'all' or a callable"):
        l2_penalty([weight], include="biases")
    with pytest.raises(DTypeError, match="got ndarray at position 0"):
        l1_penalty([np.ones((2, 2))])
    with pytest.raises(ConfigError, match="beta >= 0"):
        elastic_net_penalty([weight], -1.0)


def test_apply_max_norm_rescales_only_rows_above_the_limit():
    weight = gn.tensor([[3.0, 4.0], [0.6, 0.8], [0.0, 0.0]], dtype="float64", requires_grad=True)
    bias = gn.tensor([30.0, 40.0], dtype="float64", requires_grad=True)
    apply_max_norm([weight, bias], 2.0)
    np.testing.assert_allclose(weight.data, [[1.2, 1.6], [0.6, 0.8], [0.0, 0.0]], rtol=1e-15)
    np.testing.assert_array_equal(bias.data, [30.0, 40.0])
    apply_max_norm([bias], 5.0, include="all")
    np.testing.assert_allclose(bias.data, [3.0, 4.0], rtol=1e-15)


def test_apply_max_norm_works_per_output_channel_of_a_non_contiguous_kernel():
    param = gn.ones(3, 2, 2, 2, requires_grad=True)
    param.data = param.data.transpose(0, 1, 3, 2)  # a non-contiguous view; norm √8 per channel
    assert not param.data.flags.c_contiguous
    apply_max_norm([param], 1.0)
    per_channel = np.sqrt(np.square(param.data).sum(axis=(1, 2, 3)))
    np.testing.assert_allclose(per_channel, [1.0, 1.0, 1.0], rtol=1e-6)
    with pytest.raises(ConfigError, match="max_norm > 0"):
        apply_max_norm([param], 0.0)


def test_sgd_weight_decay_equals_half_lambda_l2_penalty():
    from glassnet.optim import SGD

    start = np.array([[1.0, -2.0], [0.5, 3.0]])
    decayed, penalized = (gn.tensor(start, dtype="float64", requires_grad=True) for _ in "ab")
    (decayed * decayed).sum().backward()
    SGD([decayed], lr=0.1, weight_decay=0.4).step()
    ((penalized * penalized).sum() + 0.2 * l2_penalty([penalized])).backward()
    SGD([penalized], lr=0.1).step()
    np.testing.assert_allclose(decayed.data, penalized.data, rtol=1e-15)
