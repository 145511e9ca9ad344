"""glassnet.nn.functional: hand-checked values, float64 gradient checks of every function
(including stride 2, padding, non-square inputs, 1×1 kernels, batch of 1), and the errors
for bad arguments."""

import warnings

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn.functional as F
from glassnet.errors import ConfigError, DTypeError, ShapeError


def _t(shape, seed=0, low=-1.0, high=1.0):
    values = np.random.default_rng(seed).uniform(low, high, size=shape)
    return gn.tensor(values, dtype="float64", requires_grad=True)


def _check(fn, *inputs):
    result = gn.gradcheck(fn, list(inputs))
    assert all(e is not None for e in result.max_relative_errors)


# ----- hand-checked values -------------------------------------------------------------------


def test_linear_computes_x_times_weight_transposed_plus_bias():
    out = F.linear(
        gn.tensor([[1.0, 2.0]]), gn.tensor([[1.0, 0.0], [1.0, -1.0]]), gn.tensor([0.5, 0.0])
    )
    np.testing.assert_array_equal(out.data, [[1.5, -1.0]])


def test_conv2d_with_padding_sums_the_window_of_ones():
    out = F.conv2d(gn.ones(1, 1, 3, 3), gn.ones(1, 1, 3, 3), padding=1)
    np.testing.assert_array_equal(out.data[0, 0], [[4, 6, 4], [6, 9, 6], [4, 6, 4]])


def test_conv2d_stride_two_picks_every_other_window():
    x = gn.tensor(np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4))
    out = F.conv2d(x, gn.ones(1, 1, 2, 2), stride=2)
    np.testing.assert_array_equal(
        out.data[0, 0], [[0 + 1 + 4 + 5, 2 + 3 + 6 + 7], [8 + 9 + 12 + 13, 10 + 11 + 14 + 15]]
    )


def test_conv1d_is_a_cross_correlation():
    out = F.conv1d(gn.tensor([[[1.0, 2.0, 4.0, 8.0]]]), gn.tensor([[[1.0, 0.0, -1.0]]]))
    np.testing.assert_array_equal(out.data, [[[1 - 4, 2 - 8]]])


def test_max_and_avg_pool2d_default_stride_is_the_kernel_size():
    x = gn.tensor([[[[1.0, 2.0, 5.0, 0.0], [3.0, 4.0, 1.0, 1.0]]]])
    np.testing.assert_array_equal(F.max_pool2d(x, 2).data, [[[[4.0, 5.0]]]])
    np.testing.assert_array_equal(F.avg_pool2d(x, 2).data, [[[[2.5, 1.75]]]])


def test_pool1d_values():
    x = gn.tensor([[[1.0, 3.0, 2.0, 0.0]]])
    np.testing.assert_array_equal(F.max_pool1d(x, 2).data, [[[3.0, 2.0]]])
    np.testing.assert_array_equal(F.avg_pool1d(x, 2).data, [[[2.0, 1.0]]])
    # zero padding counts in the average: windows [0,1], [3,2], [0,0]... as PyTorch
    np.testing.assert_array_equal(F.avg_pool1d(x, 2, stride=2, padding=1).data, [[[0.5, 2.5, 0.0]]])


def test_adaptive_avg_pool2d_uses_overlapping_windows_when_sizes_do_not_divide():
    x = gn.tensor(np.arange(5, dtype=np.float32).reshape(1, 1, 1, 5))
    # windows of length 5 over 3 outputs: [0, 2), [1, 4), [3, 5)
    out = F.adaptive_avg_pool2d(x, (1, 3))
    np.testing.assert_allclose(out.data[0, 0, 0], [0.5, 2.0, 3.5])


def test_global_avg_pool2d_averages_each_channel():
    x = gn.tensor(np.arange(8, dtype=np.float32).reshape(1, 2, 2, 2))
    np.testing.assert_array_equal(F.global_avg_pool2d(x).data, [[1.5, 5.5]])
    assert F.global_avg_pool2d(x, keepdims=True).shape == (1, 2, 1, 1)


def test_layer_norm_normalizes_each_row_then_scales_and_shifts():
    out = F.layer_norm(
        gn.tensor([[1.0, 2.0, 3.0]], dtype="float64"),
        3,
        gn.tensor([2.0, 2.0, 2.0], dtype="float64"),
        gn.tensor([0.0, 1.0, 0.0], dtype="float64"),
        eps=0.0,
    )
    std = np.sqrt(2 / 3)
    np.testing.assert_allclose(out.data, [[-2 / std, 1.0, 2 / std]], rtol=1e-14)


def test_batch_norm_in_train_mode_normalizes_with_batch_statistics_and_updates_running_ones():
    x = gn.tensor([[1.0], [3.0]], dtype="float64")
    mean, var = np.zeros(1), np.ones(1)
    out = F.batch_norm(x, mean, var, training=True, momentum=0.5, eps=0.0)
    np.testing.assert_allclose(out.data, [[-1.0], [1.0]])
    # running = 0.5·running + 0.5·batch, with the unbiased batch variance 2
    np.testing.assert_allclose(mean, [1.0])
    np.testing.assert_allclose(var, [1.5])


def test_batch_norm_in_eval_mode_uses_running_statistics():
    x = gn.tensor([[1.0], [3.0]], dtype="float64")
    out = F.batch_norm(x, np.array([1.0]), np.array([4.0]), training=False, eps=0.0)
    np.testing.assert_allclose(out.data, [[0.0], [1.0]])


def test_maxout_takes_the_maximum_of_consecutive_pieces():
    out = F.maxout(gn.tensor([[1.0, -2.0, 0.5, 3.0, -1.0, -0.5]]), pieces=3)
    np.testing.assert_array_equal(out.data, [[1.0, 3.0]])


def test_one_hot_encodes_labels_and_infers_the_class_count():
    np.testing.assert_array_equal(F.one_hot(np.array([2, 0])).data, [[0, 0, 1], [1, 0, 0]])
    assert F.one_hot(gn.tensor([[1, 0]]), 4).shape == (1, 2, 4)


def test_pad_counts_pairs_from_the_last_axis_like_pytorch():
    out = F.pad(gn.ones(1, 1, 1, 2), (1, 0, 2, 1), value=-1.0)
    assert out.shape == (1, 1, 4, 3)
    np.testing.assert_array_equal(out.data[0, 0, 2], [-1.0, 1.0, 1.0])


def test_dropout_keeps_units_with_probability_one_minus_p_and_scales_them():
    x = gn.ones(200, 500)
    out = F.dropout(x, p=0.2, generator=np.random.default_rng(0))
    values = np.unique(out.data)
    np.testing.assert_allclose(values, [0.0, 1.25])
    kept = (out.data > 0).mean()
    assert abs(kept - 0.8) < 0.005  # 100,000 draws: std of the fraction is 0.0013
    # inverted dropout preserves the mean in expectation
    assert abs(out.data.mean() - 1.0) < 0.01


def test_dropout_is_the_identity_outside_training_and_for_p_zero():
    x = gn.randn(3, 4)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x


def test_dropout_is_repeatable_under_a_seeded_generator():
    x = gn.ones(5, 6)
    a = F.dropout(x, 0.5, generator=np.random.default_rng(7)).data
    b = F.dropout(x, 0.5, generator=np.random.default_rng(7)).data
    np.testing.assert_array_equal(a, b)
    gn.manual_seed(3)
    c = F.dropout(x, 0.5).data
    gn.manual_seed(3)
    np.testing.assert_array_equal(F.dropout(x, 0.5).data, c)


def test_dropout_gradient_flows_only_through_kept_units_scaled():
    x = gn.ones(4, 5, requires_grad=True)
    out = F.dropout(x, 0.5, generator=np.random.default_rng(1))
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, out.data)


# ----- gradient checks -----------------------------------------------------------------------

GRADCHECKS = {
    "linear": (lambda x, w, b: F.linear(x, w, b), [(3, 4), (2, 4), (2,)]),
    "linear_1d_input": (lambda x, w: F.linear(x, w), [(4,), (2, 4)]),
    "conv2d": (lambda x, w, b: F.conv2d(x, w, b), [(2, 2, 4, 5), (3, 2, 2, 3), (3,)]),
    "conv2d_stride2_padding": (
        lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
        [(1, 2, 5, 7), (2, 2, 3, 3), (2,)],
    ),
    "conv2d_nonsquare_stride_padding": (
        lambda x, w: F.conv2d(x, w, stride=(1, 2), padding=(0, 1)),
        [(2, 1, 4, 5), (2, 1, 2, 3)],
    ),
    "conv2d_1x1": (lambda x, w: F.conv2d(x, w), [(1, 3, 3, 4), (2, 3, 1, 1)]),
    "conv2d_kernel_larger_than_stride_batch1": (
        lambda x, w: F.conv2d(x, w, stride=2),
        [(1, 1, 7, 5), (1, 1, 3, 3)],
    ),
    "conv1d": (lambda x, w, b: F.conv1d(x, w, b), [(2, 2, 6), (3, 2, 3), (3,)]),
    "conv1d_stride2_padding": (
        lambda x, w: F.conv1d(x, w, stride=2, padding=2),
        [(1, 2, 5), (2, 2, 3)],
    ),
    "max_pool2d_stride_padding": (
        lambda x: F.max_pool2d(x, 3, stride=2, padding=1),
        [(2, 2, 5, 7)],
    ),
    "avg_pool2d_nonsquare": (lambda x: F.avg_pool2d(x, (2, 3), stride=(2, 1)), [(1, 2, 4, 5)]),
    "max_pool1d": (lambda x: F.max_pool1d(x, 3, stride=2, padding=1), [(2, 2, 7)]),
    "avg_pool1d": (lambda x: F.avg_pool1d(x, 2, stride=1), [(2, 2, 5)]),
    "adaptive_avg_pool2d": (lambda x: F.adaptive_avg_pool2d(x, (2, 3)), [(2, 2, 5, 4)]),
    "global_avg_pool2d": (F.global_avg_pool2d, [(2, 3, 2, 4)]),
    "dropout_train": (
        lambda x: F.dropout(x, 0.4, generator=np.random.default_rng(5)),
        [(3, 4)],
    ),
    "batch_norm_train": (
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
        [(4, 3, 2, 2), (3,), (3,)],
    ),
    "batch_norm_eval": (
        lambda x, w, b: F.batch_norm(
            x, np.array([0.1, -0.2]), np.array([0.5, 2.0]), w, b, training=False
        ),
        [(3, 2, 4), (2,), (2,)],
    ),
    "layer_norm": (lambda x, w, b: F.layer_norm(x, (2, 3), w, b), [(2, 2, 3), (2, 3), (2, 3)]),
    "maxout": (lambda x: F.maxout(x, 2), [(3, 6)]),
    "pad": (lambda x: F.pad(x, (1, 2, 0, 1), value=3.0), [(2, 3, 4)]),
    "rnn_cell": (
        lambda x, h, wi, wh, bi, bh: F.rnn_cell(x, h, wi, wh, bi, bh),
        [(2, 3), (2, 4), (4, 3), (4, 4), (4,), (4,)],
    ),
    "softmax": (lambda x: F.softmax(x, axis=0), [(3, 4)]),
    "log_softmax": (F.log_softmax, [(3, 4)]),
    "gelu": (F.gelu, [(3, 4)]),
    "softplus": (F.softplus, [(3, 4)]),
    "sigmoid": (F.sigmoid, [(3, 4)]),
    "tanh": (F.tanh, [(3, 4)]),
}


@pytest.mark.parametrize("name", list(GRADCHECKS))
def test_functional_gradient_matches_finite_differences(name):
    fn, shapes = GRADCHECKS[name]
    _check(fn, *[_t(shape, seed=i) for i, shape in enumerate(shapes)])


@pytest.mark.parametrize(
    ("fn", "low"),
    [(F.relu, 0.1), (lambda x: F.leaky_relu(x, 0.3), 0.1), (lambda x: F.elu(x, 0.7), 0.1)],
    ids=["relu", "leaky_relu", "elu"],
)
def test_piecewise_activation_gradients_away_from_the_kink(fn, low):
    values = np.random.default_rng(0).uniform(low, 2.0, size=(3, 4))
    signs = np.where(np.random.default_rng(1).random((3, 4)) < 0.5, -1.0, 1.0)
    _check(fn, gn.tensor(values * signs, dtype="float64", requires_grad=True))


# ----- bad input -----------------------------------------------------------------------------


def test_linear_rejects_wrong_feature_size_naming_both_shapes():
    with pytest.raises(
        ShapeError, match=r"linear: input has 7 features but weight expects in_features=8"
    ):
        F.linear(gn.zeros(32, 7), gn.zeros(10, 8))


def test_linear_rejects_a_scalar_input():
    with pytest.raises(
        ShapeError,
        match=r"linear: expected an input with at least 1 axis \(\.\.\., in_features\), but got "
        r"shape \(\)",
    ):
        F.linear(gn.tensor(1.0), gn.zeros(1, 1))


def test_conv2d_rejects_wrong_channel_count():
    with pytest.raises(ShapeError, match=r"conv2d: expected input with 3 channels .* but got 4"):
        F.conv2d(gn.zeros(1, 4, 5, 5), gn.zeros(2, 3, 3, 3))


def test_conv2d_rejects_wrong_rank():
    with pytest.raises(
        ShapeError, match=r"conv2d: expected a 4-d input \(N, C, H, W\), but got shape \(3, 5, 5\)"
    ):
        F.conv2d(gn.zeros(3, 5, 5), gn.zeros(2, 3, 3, 3))


def test_conv2d_rounds_the_output_size_down_as_pytorch_and_silently():
    # 7×7 input, F=3, S=3: (7 − 3)/3 + 1 = 2.33 → 2, as PyTorch. The functional form does
    # not warn (the layers do; see tests/nn/test_coverage.py).
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.conv2d(gn.ones(1, 1, 7, 7), gn.ones(1, 1, 3, 3), stride=3)
    assert out.tolist() == [[[[9.0, 9.0], [9.0, 9.0]]]]


def test_conv2d_rejects_a_kernel_larger_than_the_padded_input():
    with pytest.raises(ShapeError, match=r"conv2d: expected the window to fit in the padded "
                                         r"input, but got kernel F=5 for input size W=3"):
        F.conv2d(gn.zeros(1, 1, 3, 3), gn.zeros(1, 1, 5, 5), padding=0)


@pytest.mark.parametrize(
    "call",
    [
        lambda: F.conv2d(gn.zeros(1, 1, 5, 5), gn.zeros(1, 1, 3, 3), padding=-1),
        lambda: F.conv1d(gn.zeros(1, 1, 5), gn.zeros(1, 1, 3), padding=-1),
        lambda: F.max_pool2d(gn.zeros(1, 1, 4, 4), 2, padding=(0, -1)),
    ],
    ids=["conv2d", "conv1d", "max_pool2d"],
)
def test_negative_padding_is_rejected(call):
    with pytest.raises(
        ConfigError, match=r"expected padding >= 0, but got padding=-1. Negative padding"
    ):
        call()


def test_zero_stride_is_rejected():
    with pytest.raises(ConfigError, match=r"conv2d: expected stride >= 1, but got stride=0"):
        F.conv2d(gn.zeros(1, 1, 5, 5), gn.zeros(1, 1, 3, 3), stride=0)


def test_non_integer_kernel_size_is_rejected():
    with pytest.raises(
        ConfigError, match=r"max_pool2d: expected kernel_size to be an integer, but got 2.5"
    ):
        F.max_pool2d(gn.zeros(1, 1, 4, 4), 2.5)


def test_conv_functions_reject_groups_and_dilation_below_one():
    with pytest.raises(ConfigError, match=r"conv2d: expected groups >= 1, but got groups=0"):
        F.conv2d(gn.zeros(1, 2, 5, 5), gn.zeros(2, 2, 3, 3), groups=0)
    with pytest.raises(ConfigError, match=r"conv1d: expected dilation >= 1, but got dilation=0"):
        F.conv1d(gn.zeros(1, 2, 5), gn.zeros(2, 2, 3), dilation=0)


def test_conv2d_names_groups_when_the_channels_do_not_match():
    with pytest.raises(ShapeError, match=r"conv2d: input has 4 channels but weight expects "
                                         r"in_channels = 1 per group x groups=2 = 2"):
        F.conv2d(gn.zeros(1, 4, 5, 5), gn.zeros(2, 1, 3, 3), groups=2)


def test_pool_output_sizes_round_down_or_up_with_ceil_mode_as_pytorch():
    x = gn.tensor(np.arange(25.0).reshape(1, 1, 5, 5))
    np.testing.assert_array_equal(F.max_pool2d(x, 2).data, [[[[6.0, 8.0], [16.0, 18.0]]]])
    np.testing.assert_array_equal(F.max_pool2d(x, 2, ceil_mode=True).data,
                                  [[[[6.0, 8.0, 9.0], [16.0, 18.0, 19.0], [21.0, 23.0, 24.0]]]])
    np.testing.assert_array_equal(F.avg_pool1d(x[0], 2, ceil_mode=True).data[0, 0], [0.5, 2.5, 4])


def test_max_pool_dilation_spaces_the_windows_taps():
    x = gn.tensor([[[1.0, 9.0, 2.0, 0.0, 3.0]]])
    # taps at i and i + 2: max(1, 2), max(9, 0), max(2, 3)
    np.testing.assert_array_equal(F.max_pool1d(x, 2, stride=1, dilation=2).data, [[[2, 9, 3]]])


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5])
def test_dropout_rejects_p_outside_zero_one(p):
    with pytest.raises(ConfigError, match=r"dropout: expected the drop probability p in \[0, 1\)"):
        F.dropout(gn.ones(2), p)


def test_integer_input_is_rejected_with_a_dtype_error():
    with pytest.raises(DTypeError, match="conv1d: expected a floating input, but got dtype int64"):
        F.conv1d(gn.tensor([[[1, 2, 3]]]), gn.zeros(1, 1, 2))


def test_numpy_array_input_is_rejected_with_a_hint():
    with pytest.raises(
        DTypeError, match=r"max_pool1d: expected a glassnet Tensor, but got ndarray"
    ):
        F.max_pool1d(np.zeros((1, 1, 4)), 2)


def test_layer_norm_rejects_a_mismatched_trailing_shape():
    with pytest.raises(
        ShapeError,
        match=r"layer_norm: expected an input whose trailing shape is normalized_shape=\(4,\)",
    ):
        F.layer_norm(gn.zeros(2, 3), 4)


def test_batch_norm_rejects_momentum_outside_zero_one():
    with pytest.raises(ConfigError, match=r"batch_norm: expected momentum in \[0, 1\]"):
        F.batch_norm(gn.zeros(2, 3), None, None, training=True, momentum=1.5)


def test_maxout_rejects_features_not_divisible_by_pieces():
    with pytest.raises(
        ShapeError, match="maxout: expected the last axis to be a multiple of pieces=4"
    ):
        F.maxout(gn.zeros(2, 6), 4)


def test_one_hot_rejects_labels_out_of_range_with_min_and_max():
    with pytest.raises(
        ConfigError, match=r"one_hot: expected labels in \[0, 2\], but got min -1 and max 3"
    ):
        F.one_hot(np.array([-1, 3]), 3)


def test_one_hot_rejects_float_labels():
    with pytest.raises(DTypeError, match="one_hot: expected integer labels"):
        F.one_hot(np.array([0.0, 1.0]), 2)


def test_pad_rejects_odd_length_and_negative_values():
    with pytest.raises(ConfigError, match="pad: expected an even number of values"):
        F.pad(gn.ones(2, 2), (1, 2, 3))
    with pytest.raises(ConfigError, match="pad: expected non-negative integer padding"):
        F.pad(gn.ones(2, 2), (1, -1))


def test_softmax_rejects_an_axis_out_of_range():
    with pytest.raises(ConfigError, match=r"softmax: expected axis in \[-2, 1\]"):
        F.softmax(gn.zeros(2, 3), axis=2)
