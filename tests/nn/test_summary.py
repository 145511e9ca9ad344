"""nn.summary: the lecture's example, rows and totals of a small CNN, and mode restoring."""

import numpy as np
import pytest

import glassnet.nn as nn
from glassnet.errors import ConfigError


def test_reproduces_the_lecture_example():
    info = nn.summary(nn.Conv2d(3, 10, 5, stride=1, padding=2), (3, 32, 32))
    (row,) = info.rows
    assert row.output_shape == (10, 32, 32)
    assert row.num_params == 760 == 10 * (5 * 5 * 3 + 1)
    assert "10×32×32" in str(info) and "760" in str(info)


def _cnn():
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.5),
        nn.Linear(4 * 7 * 7, 10),
    )


def test_rows_list_every_layer_with_output_shape_and_parameters():
    info = nn.summary(_cnn(), (1, 14, 14))
    assert [(r.name, r.layer) for r in info.rows] == [
        ("0", "Conv2d"),
        ("1", "BatchNorm2d"),
        ("2", "ReLU"),
        ("3", "MaxPool2d"),
        ("4", "Flatten"),
        ("5", "Dropout"),
        ("6", "Linear"),
    ]
    assert [r.output_shape for r in info.rows] == [
        (4, 14, 14),
        (4, 14, 14),
        (4, 14, 14),
        (4, 7, 7),
        (196,),
        (196,),
        (10,),
    ]
    assert [r.num_params for r in info.rows] == [40, 8, 0, 0, 0, 0, 1970]


def test_totals_count_trainable_parameters_buffers_and_activation_memory():
    model = _cnn()
    model[0].bias.requires_grad = False
    info = nn.summary(model, (1, 14, 14))
    assert info.total_params == 40 + 8 + 1970
    assert info.trainable_params == info.total_params - 4
    assert info.buffer_elements == 4 + 4 + 1  # running mean, running var, batch counter
    assert info.param_bytes == 4 * info.total_params
    assert info.activation_bytes == 4 * (3 * 4 * 14 * 14 + 4 * 7 * 7 + 2 * 196 + 10)


def test_summary_restores_the_training_mode_and_running_statistics():
    model = _cnn()
    nn.summary(model, (1, 14, 14))
    assert all(m.training for m in model.modules())
    assert int(model[1].num_batches_tracked.data) == 0
    np.testing.assert_array_equal(model[1].running_mean.data, 0.0)
    # and no hooks are left behind
    assert all(not m._forward_hooks for m in model.modules())


def test_nested_modules_are_listed_by_their_dotted_names():
    model = nn.Sequential(nn.Residual(nn.Sequential(nn.Linear(3, 3), nn.Tanh())), nn.Linear(3, 1))
    info = nn.summary(model, (3,))
    assert [r.name for r in info.rows] == ["0.body.0", "0.body.1", "1"]


def test_multiple_outputs_are_shown_as_a_tuple_of_shapes():
    # (output, h_n) with their first axis dropped: h_n is (num_layers=1, N, hidden).
    info = nn.summary(nn.RNN(2, 5, batch_first=True), (7, 2))
    assert info.rows[0].output_shape == ((7, 5), (1, 5))
    assert "7×5, 1×5" in str(info)


def test_rejects_an_input_shape_with_non_positive_sizes():
    with pytest.raises(ConfigError, match=r"summary: expected input_shape as positive ints"):
        nn.summary(nn.Linear(2, 2), (0, 2))


def test_rows_show_each_sliding_windows_kernel_and_stride():
    model = nn.Sequential(nn.Conv2d(1, 2, 3, stride=2, padding=1), nn.MaxPool2d((2, 1)),
                          nn.Flatten())
    info = nn.summary(model, (1, 8, 8))
    assert [r.window for r in info.rows] == ["3×3/2", "2×1/2×1", ""]
    assert "0 (Conv2d 3×3/2)" in str(info) and "2 (Flatten)" in str(info)


def test_the_summary_command_shows_resnets_stride_2_downsampling(capsys):
    from glassnet.cli.main import main

    assert main(["summary", "--model", "resnet"]) == 0
    lines = capsys.readouterr().out.splitlines()

    def row(label):
        return next(line.split()[-2:] for line in lines if line.startswith(label + " "))

    assert row("layer2.0.conv1 (Conv2d 3×3/2)") == ["32×14×14", "4,608"]
    assert row("layer2.0.downsample.0 (Conv2d 1×1/2)") == ["32×14×14", "512"]
    assert row("layer3.0.conv1 (Conv2d 3×3/2)") == ["64×7×7", "18,432"]
    assert not any("MaxPool2d" in line for line in lines)  # the CIFAR stem has no max-pool
