"""Layer behaviour beyond the harness: train/eval of dropout and batch norm, the init=
override, the recurrent and residual layers' math, and constructor/input errors."""

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
from glassnet.errors import ConfigError, DTypeError, ShapeError

# ----- Dropout ------------------------------------------------------------------------------


def test_dropout_layer_preserves_the_mean_in_training_and_is_identity_in_eval():
    layer = nn.Dropout(p=0.5, generator=np.random.default_rng(0))
    x = gn.ones(400, 250)
    out = layer(x)
    assert abs(out.data.mean() - 1.0) < 0.01  # 100,000 units: std of the mean is 0.003
    assert set(np.unique(out.data)) == {0.0, 2.0}
    layer.eval()
    assert layer(x) is x


def test_dropout_layer_without_generator_follows_manual_seed():
    layer = nn.Dropout(0.5)
    gn.manual_seed(11)
    first = layer(gn.ones(10, 10)).data
    gn.manual_seed(11)
    np.testing.assert_array_equal(layer(gn.ones(10, 10)).data, first)


def test_dropout_layer_draws_a_new_mask_each_call():
    layer = nn.Dropout(0.5, generator=np.random.default_rng(0))
    assert not np.array_equal(layer(gn.ones(10, 10)).data, layer(gn.ones(10, 10)).data)


# ----- BatchNorm ----------------------------------------------------------------------------


def _batch(shape, seed=0, loc=3.0, scale=2.0):
    rng = np.random.default_rng(seed)
    return gn.tensor(rng.normal(loc, scale, size=shape), dtype="float64")


def test_batch_norm_train_mode_uses_batch_statistics():
    bn = nn.BatchNorm2d(3, dtype=np.float64)
    out = bn(_batch((8, 3, 4, 5))).data
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=(0, 2, 3)), 1.0, rtol=1e-4)  # eps=1e-5


def test_batch_norm_running_statistics_follow_momentum_and_count_batches():
    bn = nn.BatchNorm1d(2, momentum=0.25, dtype=np.float64)
    x = _batch((10, 2))
    bn(x)
    batch_mean = x.data.mean(axis=0)
    batch_var = x.data.var(axis=0, ddof=1)
    np.testing.assert_allclose(bn.running_mean.data, 0.75 * 0 + 0.25 * batch_mean)
    np.testing.assert_allclose(bn.running_var.data, 0.75 * 1 + 0.25 * batch_var)
    assert int(bn.num_batches_tracked.data) == 1
    bn.eval()
    bn(x)
    assert int(bn.num_batches_tracked.data) == 1  # eval leaves the statistics alone


def test_batch_norm_eval_mode_uses_running_statistics():
    bn = nn.BatchNorm1d(2, dtype=np.float64)
    bn.running_mean.data[...] = [1.0, -1.0]
    bn.running_var.data[...] = [4.0, 0.25]
    bn.weight.data[...] = [2.0, 1.0]
    bn.bias.data[...] = [0.0, 0.5]
    bn.eval()
    out = bn(gn.tensor([[3.0, 0.0]], dtype="float64"))  # a batch of 1 works in eval
    expected = [2 * 2 / np.sqrt(4 + 1e-5), 1 / np.sqrt(0.25 + 1e-5) + 0.5]
    np.testing.assert_allclose(out.data, [expected], rtol=1e-12)


def test_batch_norm_state_dict_carries_the_running_statistics():
    bn = nn.BatchNorm2d(3)
    for seed in range(3):
        bn(gn.tensor(_batch((4, 3, 2, 2), seed).data, dtype="float32"))
    copy = nn.BatchNorm2d(3)
    copy.load_state_dict(bn.state_dict())
    np.testing.assert_array_equal(copy.running_mean.data, bn.running_mean.data)
    np.testing.assert_array_equal(copy.running_var.data, bn.running_var.data)
    assert int(copy.num_batches_tracked.data) == 3


def test_batch_norm_without_running_statistics_uses_batch_statistics_in_eval():
    bn = nn.BatchNorm1d(2, track_running_stats=False, affine=False, dtype=np.float64).eval()
    out = bn(_batch((6, 2))).data
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    assert bn.state_dict() == {} and list(bn.parameters()) == []


def test_batch_norm_rejects_wrong_channels_and_rank():
    with pytest.raises(
        ShapeError, match=r"BatchNorm2d: expected input with 3 channels .* but got 4"
    ):
        nn.BatchNorm2d(3)(gn.zeros(2, 4, 2, 2))
    with pytest.raises(ShapeError, match=r"BatchNorm1d: expected a 2-d or 3-d input"):
        nn.BatchNorm1d(3)(gn.zeros(2, 3, 2, 2))


# ----- init= override -----------------------------------------------------------------------


def test_init_override_fills_the_weight_and_zeroes_the_bias():
    layer = nn.Linear(3, 2, init=lambda w, generator: nn.init.constant(w, 0.5))
    np.testing.assert_array_equal(layer.weight.data, 0.5)
    np.testing.assert_array_equal(layer.bias.data, 0.0)


def test_default_init_is_pytorch_uniform_within_one_over_sqrt_fan_in():
    conv = nn.Conv2d(4, 8, 3, generator=np.random.default_rng(0))
    bound = 1 / np.sqrt(4 * 3 * 3)
    assert np.abs(conv.weight.data).max() <= bound
    assert np.abs(conv.weight.data).max() > 0.9 * bound
    assert np.abs(conv.bias.data).max() <= bound


def test_init_must_be_callable():
    with pytest.raises(ConfigError, match=r"Conv2d: expected init to be None or a callable"):
        nn.Conv2d(1, 1, 3, init="he")


def test_layers_accept_float64():
    layer = nn.Conv1d(2, 3, 2, dtype=np.float64)
    assert layer.weight.dtype == np.float64
    with pytest.raises(DTypeError, match="expected a floating dtype"):
        nn.Linear(2, 2, dtype=np.int32)


# ----- recurrent ----------------------------------------------------------------------------


def test_rnn_equals_its_cell_unrolled_by_hand():
    rnn = nn.RNN(3, 4, generator=np.random.default_rng(0), dtype=np.float64)
    cell = nn.RNNCell(3, 4, dtype=np.float64)
    cell.load_state_dict({k.removesuffix("_l0"): v for k, v in rnn.state_dict().items()})
    x = _batch((5, 2, 3))
    output, h_n = rnn(x)
    h = None
    for t in range(5):
        h = cell(x[t], h)
        np.testing.assert_allclose(output.data[t], h.data, rtol=1e-12)
    np.testing.assert_allclose(h_n.data[0], h.data, rtol=1e-12)


def test_rnn_gradient_through_time_vanishes_with_small_recurrent_weights():
    def first_step_gradient(scale):
        rnn = nn.RNN(1, 8, dtype=np.float64, init=nn.init.zeros)
        rnn.weight_ih_l0.data[...] = 1.0
        rnn.weight_hh_l0.data[...] = scale * np.eye(8)
        x = gn.tensor(np.full((30, 1, 1), 0.01), dtype="float64", requires_grad=True)
        _, h_n = rnn(x)
        h_n.sum().backward()
        return np.abs(x.grad[0]).max()

    # dh_T/dx_1 ≈ scale^(T−1) for small activations: 0.5^29 vanishes, 1.0 does not.
    assert first_step_gradient(0.5) < 1e-7
    assert first_step_gradient(1.0) > 1.0


def test_rnn_rejects_wrong_feature_size_and_hidden_state_shape():
    rnn = nn.RNN(3, 4)
    with pytest.raises(ShapeError, match="RNN: expected input_size=3 features"):
        rnn(gn.zeros(5, 2, 4))
    with pytest.raises(ShapeError, match=r"RNN: expected h0 of shape \(1, 2, 4\)"):
        rnn(gn.zeros(5, 2, 3), gn.zeros(2, 4))


def test_rnn_rejects_unknown_nonlinearity():
    with pytest.raises(
        ConfigError, match=r"RNN: expected nonlinearity to be one of \('tanh', 'relu'\)"
    ):
        nn.RNN(2, 2, nonlinearity="sigmoid")


# ----- residual and maxout ------------------------------------------------------------------


def test_residual_adds_the_input_to_the_body_output():
    body = nn.Linear(3, 3)
    x = gn.randn(2, 3)
    np.testing.assert_allclose(nn.Residual(body)(x).data, body(x).data + x.data, rtol=1e-6)


def test_residual_rejects_mismatched_shapes_and_suggests_a_projection():
    with pytest.raises(ShapeError, match="Residual: the body's output .* Pass a projection"):
        nn.Residual(nn.Linear(3, 2))(gn.zeros(1, 3))


def test_maxout_is_the_maximum_over_its_linear_pieces():
    layer = nn.Maxout(3, 2, pieces=4, dtype=np.float64)
    x = _batch((5, 3))
    pieces = x.data @ layer.weight.data.T + layer.bias.data
    np.testing.assert_allclose(layer(x).data, pieces.reshape(5, 2, 4).max(axis=-1), rtol=1e-12)


# ----- constructor and input errors ---------------------------------------------------------


def test_linear_layer_rejects_wrong_feature_size():
    with pytest.raises(
        ShapeError, match="linear: input has 785 features but weight expects in_features=784"
    ):
        nn.Linear(784, 10)(gn.zeros(2, 785))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: nn.Linear(0, 3), r"Linear: expected in_features >= 1, but got in_features=0"),
        (lambda: nn.Linear(2.5, 3), r"Linear: expected in_features to be an integer"),
        (lambda: nn.Conv2d(1, 2, 3, padding=-1), r"Conv2d: expected padding >= 0"),
        (
            lambda: nn.Conv2d(1, 2, (3, 3, 3)),
            r"Conv2d: expected kernel_size to be an int or a pair",
        ),
        (lambda: nn.Conv1d(1, 2, 3, stride=0), r"Conv1d: expected stride >= 1"),
        (lambda: nn.MaxPool2d(2, padding=-1), r"MaxPool2d: expected padding >= 0"),
        (
            lambda: nn.Conv2d(4, 6, 3, groups=4),
            r"Conv2d: expected out_channels divisible by groups, but got out_channels=6 with "
            r"groups=4\. Choose groups dividing both",
        ),
        (
            lambda: nn.Conv1d(3, 6, 3, groups=2),
            r"Conv1d: expected in_channels divisible by groups, but got in_channels=3",
        ),
        (lambda: nn.Conv2d(1, 2, 3, dilation=(1, 0)), r"Conv2d: expected dilation >= 1"),
        (lambda: nn.Conv2d(2, 2, 3, groups=0), r"Conv2d: expected groups >= 1"),
        (lambda: nn.MaxPool1d(2, dilation=0), r"MaxPool1d: expected dilation >= 1"),
        (lambda: nn.Dropout(1.0), r"Dropout: expected the drop probability p in \[0, 1\)"),
        (lambda: nn.Dropout(-0.5), r"Dropout: expected the drop probability p in \[0, 1\)"),
        (lambda: nn.BatchNorm1d(3, momentum=2.0), r"BatchNorm1d: expected momentum in \[0, 1\]"),
        (lambda: nn.Maxout(3, 2, pieces=0), r"Maxout: expected pieces >= 1"),
        (lambda: nn.GELU("fast"), r"GELU: expected approximate to be one of"),
    ],
)
def test_constructors_reject_bad_arguments(build, message):
    with pytest.raises(ConfigError, match=message):
        build()


def test_conv2d_layer_rejects_an_input_smaller_than_its_kernel():
    with pytest.raises(ShapeError, match=r"conv2d: expected the window to fit in the "
                                         r"padded input, but got kernel F=3 for input size W=2"):
        nn.Conv2d(1, 1, 3)(gn.zeros(1, 1, 2, 2))


def test_flatten_rejects_an_axis_the_input_lacks():
    with pytest.raises(
        ShapeError, match=r"Flatten: expected axis 1 to exist in an input of shape \(4,\)"
    ):
        nn.Flatten()(gn.zeros(4))
