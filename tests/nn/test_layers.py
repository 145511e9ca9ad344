"""Every layer through the harness (shape, dtype, parameter count, finite gradients,
state_dict round trip, determinism, eval mode, float64 gradient check), plus the cases
the issue names: stride 2, padding, non-square inputs, 1×1 convolutions, kernels larger
than the stride, a batch of 1."""

import functools

import numpy as np
import pytest

import glassnet.nn as nn
from tests.nn.harness import check_layer


def _layer(cls, *args, **kwargs):
    """A ``make(generator=..., dtype=...)`` for ``cls(*args, **kwargs)``."""
    return functools.partial(cls, *args, **kwargs)


def _stateless(cls, *args, **kwargs):
    def make(generator, dtype):
        return cls(*args, **kwargs)

    return make


# (id, make, input_shape, output_shape, num_params, gradcheck_shape, extra harness options)
CASES = [
    ("linear", _layer(nn.Linear, 5, 3), (4, 5), (4, 3), 18, None, {}),
    ("linear_no_bias", _layer(nn.Linear, 5, 3, bias=False), (4, 5), (4, 3), 15, None, {}),
    ("linear_3d_input", _layer(nn.Linear, 4, 2), (2, 3, 4), (2, 3, 2), 10, None, {}),
    ("linear_batch_of_1", _layer(nn.Linear, 4, 2), (1, 4), (1, 2), 10, None, {}),
    (
        "conv2d",
        _layer(nn.Conv2d, 2, 3, 3),
        (2, 2, 6, 6),
        (2, 3, 4, 4),
        57,
        (1, 2, 5, 5),
        {},
    ),
    (
        "conv2d_stride2_padding_nonsquare",
        _layer(nn.Conv2d, 2, 3, (3, 2), stride=2, padding=(1, 0)),
        (2, 2, 7, 6),
        (2, 3, 4, 3),
        39,
        (1, 2, 5, 4),
        {},
    ),
    (
        "conv2d_1x1",
        _layer(nn.Conv2d, 3, 4, 1),
        (2, 3, 4, 5),
        (2, 4, 4, 5),
        16,
        (1, 3, 3, 2),
        {},
    ),
    (
        "conv2d_kernel_larger_than_stride_batch_of_1",
        _layer(nn.Conv2d, 1, 2, 4, stride=2, padding=1, bias=False),
        (1, 1, 8, 6),
        (1, 2, 4, 3),
        32,
        (1, 1, 6, 6),
        {},
    ),
    (
        "conv2d_lecture_example",
        _layer(nn.Conv2d, 3, 10, 5, stride=1, padding=2),
        (1, 3, 32, 32),
        (1, 10, 32, 32),
        760,
        (1, 3, 5, 5),
        {},
    ),
    ("conv1d", _layer(nn.Conv1d, 2, 3, 3), (2, 2, 8), (2, 3, 6), 21, (1, 2, 6), {}),
    (
        "conv1d_stride2_padding",
        _layer(nn.Conv1d, 2, 3, 3, stride=2, padding=1),
        (2, 2, 9),
        (2, 3, 5),
        21,
        (1, 2, 7),
        {},
    ),
    (
        "conv2d_grouped_dilated_nonsquare",
        _layer(nn.Conv2d, 4, 6, (3, 2), stride=(2, 1), padding=1, dilation=(2, 1), groups=2),
        (2, 4, 9, 6),
        (2, 6, 4, 7),
        6 * 2 * 3 * 2 + 6,
        (1, 4, 6, 5),
        {},
    ),
    (
        "conv2d_depthwise_stride2_even",
        _layer(nn.Conv2d, 3, 3, 3, stride=2, padding=1, groups=3, bias=False),
        (2, 3, 8, 8),
        (2, 3, 4, 4),
        27,
        (1, 3, 6, 6),
        {},
    ),
    (
        "conv1d_grouped_dilated",
        _layer(nn.Conv1d, 4, 2, 3, dilation=2, groups=2),
        (2, 4, 9),
        (2, 2, 5),
        2 * 2 * 3 + 2,
        (1, 4, 7),
        {},
    ),
    ("maxpool2d", _stateless(nn.MaxPool2d, 2), (2, 3, 4, 6), (2, 3, 2, 3), 0, None, {}),
    (
        "maxpool2d_dilation_ceil_mode_wide_kernel",
        _stateless(nn.MaxPool2d, (2, 3), stride=2, padding=1, dilation=(2, 1), ceil_mode=True),
        (1, 2, 7, 8),
        (1, 2, 4, 5),
        0,
        None,
        {},
    ),
    (
        "maxpool2d_overlapping_padded_nonsquare",
        _stateless(nn.MaxPool2d, (3, 2), stride=(2, 1), padding=(1, 0)),
        (1, 2, 5, 4),
        (1, 2, 3, 3),
        0,
        None,
        {},
    ),
    ("avgpool2d", _stateless(nn.AvgPool2d, 2), (2, 3, 4, 6), (2, 3, 2, 3), 0, None, {}),
    (
        "avgpool2d_stride_padding",
        _stateless(nn.AvgPool2d, 3, stride=2, padding=1),
        (1, 2, 5, 7),
        (1, 2, 3, 4),
        0,
        None,
        {},
    ),
    ("maxpool1d", _stateless(nn.MaxPool1d, 2), (2, 3, 6), (2, 3, 3), 0, None, {}),
    (
        "avgpool1d_padding",
        _stateless(nn.AvgPool1d, 3, stride=2, padding=1),
        (2, 3, 7),
        (2, 3, 4),
        0,
        None,
        {},
    ),
    (
        "adaptive_avgpool2d_non_divisible",
        _stateless(nn.AdaptiveAvgPool2d, (2, 3)),
        (2, 3, 5, 7),
        (2, 3, 2, 3),
        0,
        None,
        {},
    ),
    ("global_avgpool2d", _stateless(nn.GlobalAvgPool2d), (2, 3, 4, 5), (2, 3), 0, None, {}),
    ("flatten", _stateless(nn.Flatten), (2, 3, 4, 5), (2, 60), 0, None, {}),
    (
        "dropout",
        lambda generator, dtype: nn.Dropout(0.3, generator=generator),
        (4, 5),
        (4, 5),
        0,
        None,
        {"mode_dependent": True, "random_in_train": True},
    ),
    (
        "batchnorm1d",
        _layer(nn.BatchNorm1d, 3),
        (6, 3),
        (6, 3),
        6,
        None,
        {"mode_dependent": True},
    ),
    (
        "batchnorm1d_sequence",
        _layer(nn.BatchNorm1d, 3),
        (4, 3, 5),
        (4, 3, 5),
        6,
        (2, 3, 4),
        {"mode_dependent": True},
    ),
    (
        "batchnorm2d",
        _layer(nn.BatchNorm2d, 3),
        (4, 3, 3, 5),
        (4, 3, 3, 5),
        6,
        (2, 3, 2, 3),
        {"mode_dependent": True},
    ),
    ("layernorm", _layer(nn.LayerNorm, 5), (4, 5), (4, 5), 10, None, {}),
    ("layernorm_2d_shape", _layer(nn.LayerNorm, (3, 4)), (2, 3, 4), (2, 3, 4), 24, None, {}),
    ("maxout", _layer(nn.Maxout, 4, 3, pieces=3), (5, 4), (5, 3), 45, None, {}),
    (
        "residual_identity",
        lambda generator, dtype: nn.Residual(
            nn.Sequential(nn.Linear(4, 4, generator=generator, dtype=dtype), nn.Tanh())
        ),
        (3, 4),
        (3, 4),
        20,
        None,
        {},
    ),
    (
        "residual_projection",
        lambda generator, dtype: nn.Residual(
            nn.Sequential(
                nn.Conv2d(2, 4, 3, stride=2, padding=1, generator=generator, dtype=dtype),
                nn.Tanh(),
            ),
            projection=nn.Conv2d(2, 4, 1, stride=2, bias=False, generator=generator, dtype=dtype),
        ),
        (2, 2, 7, 7),
        (2, 4, 4, 4),
        84,
        (1, 2, 5, 5),
        {},
    ),
    ("rnn_cell", _layer(nn.RNNCell, 3, 4), (2, 3), (2, 4), 36, None, {}),
    (
        "rnn",
        _layer(nn.RNN, 3, 4),
        (5, 2, 3),
        (5, 2, 4),
        36,
        (3, 2, 3),
        {"select": lambda out: out[0]},
    ),
    (
        "rnn_batch_first_last_state",
        _layer(nn.RNN, 3, 4, batch_first=True, nonlinearity="relu"),
        (2, 5, 3),
        (1, 2, 4),
        36,
        (2, 3, 3),
        {"select": lambda out: out[1], "low": 0.1, "high": 1.0},
    ),
    ("sigmoid", _stateless(nn.Sigmoid), (3, 4), (3, 4), 0, None, {}),
    ("tanh", _stateless(nn.Tanh), (3, 4), (3, 4), 0, None, {}),
    # Inputs of both signs, kept away from the kink at 0 for the gradient check.
    ("relu", _stateless(nn.ReLU), (3, 4), (3, 4), 0, None, {"kink": 0.0}),
    ("leaky_relu", _stateless(nn.LeakyReLU, 0.2), (3, 4), (3, 4), 0, None, {"kink": 0.0}),
    ("elu", _stateless(nn.ELU, 0.5), (3, 4), (3, 4), 0, None, {"kink": 0.0}),
    ("softplus", _stateless(nn.Softplus), (3, 4), (3, 4), 0, None, {}),
    ("gelu", _stateless(nn.GELU), (3, 4), (3, 4), 0, None, {}),
    ("softmax", _stateless(nn.Softmax, axis=1), (3, 4), (3, 4), 0, None, {}),
    ("log_softmax", _stateless(nn.LogSoftmax), (3, 4), (3, 4), 0, None, {}),
    ("identity", _stateless(nn.Identity), (3, 4), (3, 4), 0, None, {}),
    (
        "sequential_cnn",
        lambda generator, dtype: nn.Sequential(
            nn.Conv2d(1, 2, 3, padding=1, generator=generator, dtype=dtype),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(8, 3, generator=generator, dtype=dtype),
        ),
        (2, 1, 4, 4),
        (2, 3),
        47,
        (1, 1, 4, 4),
        {},
    ),
]


@pytest.mark.parametrize(
    ("make", "input_shape", "output_shape", "num_params", "gradcheck_shape", "options"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_layer_harness(make, input_shape, output_shape, num_params, gradcheck_shape, options):
    check_layer(
        make,
        input_shape,
        output_shape=output_shape,
        num_params=num_params,
        gradcheck_shape=gradcheck_shape,
        **options,
    )


def test_every_public_layer_is_covered_by_the_harness():
    covered = set()
    for _, make, *_ in CASES:
        layer = make(generator=np.random.default_rng(0), dtype=np.float32)
        covered.update(type(m).__name__ for m in layer.modules())
    layers = {  # loss modules are tested with their functions in test_loss.py
        name
        for name in nn.__all__
        if isinstance(getattr(nn, name), type)
        and issubclass(getattr(nn, name), nn.Module)
        and not getattr(nn, name).__module__.startswith("glassnet.nn.loss")
    }
    assert layers - covered - {"Module", "ModuleList"} == set()
