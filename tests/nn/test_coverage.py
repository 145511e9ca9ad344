"""The course's "doesn't fit" lesson as a warning and a summary note: which layers warn, how
often, what they say, and that unused padding (ResNet) is not a warning."""

import warnings

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
import glassnet.nn.functional as F
from glassnet import models
from glassnet.errors import UncoveredInputWarning

LECTURE = (
    "Conv2d(1→1, 3×3, stride 3) on 7×7: (7 − 3)/3 + 1 = 2.33 along both axes, so the last "
    "row and the last column of the input are never seen; pad by 1 on each side (padding=1) "
    "or use stride=2."
)


def _warnings_of(layer, *shapes):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for shape in shapes:
            layer(gn.zeros(*shape))
    return [str(w.message) for w in caught if issubclass(w.category, UncoveredInputWarning)]


def test_the_warning_is_a_user_warning_glassnet_exports():
    assert issubclass(UncoveredInputWarning, UserWarning)
    assert gn.errors.UncoveredInputWarning is UncoveredInputWarning


def test_the_lectures_7x7_f3_s3_conv_warns_with_the_arithmetic_and_a_fix():
    with pytest.warns(UncoveredInputWarning) as record:
        y = nn.Conv2d(1, 1, 3, stride=3)(gn.zeros(1, 1, 7, 7))
    assert y.shape == (1, 1, 2, 2)  # PyTorch's size
    assert [str(w.message) for w in record] == [LECTURE]


def test_each_layer_warns_once_per_input_size():
    conv = nn.Conv2d(1, 1, 3, stride=3)
    messages = _warnings_of(conv, (1, 1, 7, 7), (4, 1, 7, 7), (1, 1, 7, 7), (1, 1, 9, 7),
                            (1, 1, 9, 9))
    # 7×7 once (the batch size does not matter), 9×7 once; 9×9 fits: (9 − 3)/3 + 1 = 3.
    assert len(messages) == 2
    assert messages[1] == (
        "Conv2d(1→1, 3×3, stride 3) on 9×7: (7 − 3)/3 + 1 = 2.33 for the columns, so the last "
        "column of the input is never seen; use padding=(0, 1) or use stride=(3, 2)."
    )
    assert len(_warnings_of(nn.Conv2d(1, 1, 3, stride=3), (1, 1, 7, 7))) == 1  # another layer


@pytest.mark.parametrize(
    ("layer", "shape", "expected"),
    [
        (nn.MaxPool2d(3, stride=2), (1, 1, 8, 8),
         "MaxPool2d(3×3, stride 2) on 8×8: (8 − 3)/2 + 1 = 3.5 along both axes, so the last "
         "row and the last column of the input are never seen; pad by 1 on each side "
         "(padding=1), use stride=1 or use ceil_mode=True."),
        (nn.MaxPool2d(2), (1, 3, 7, 8),
         "MaxPool2d(2×2, stride 2) on 7×8: (7 − 2)/2 + 1 = 3.5 for the rows, so the last row "
         "of the input is never seen; use padding=(1, 0), use stride=(1, 2) or use "
         "ceil_mode=True."),
        (nn.Conv1d(2, 4, 4, stride=3), (1, 2, 12),
         "Conv1d(2→4, 4, stride 3) on length 12: (12 − 4)/3 + 1 = 3.67, so the last 2 elements "
         "of the input are never seen; pad by 1 on each side (padding=1) or use stride=2."),
        (nn.Conv1d(1, 1, 3, dilation=2), (1, 1, 5),
         "Conv1d(1→1, 3, dilation 2) on length 5: (5 − 2·(3 − 1) − 1)/1 + 1 = 1, so elements 2 "
         "and 4 of the input are never seen; pad by 1 on each side (padding=1)."),
        (nn.AvgPool1d(3, padding=1), (1, 1, 6),
         "AvgPool1d(3, stride 3, padding 1) on length 6: (6 − 3 + 2·1)/3 + 1 = 2.67, so the "
         "last element of the input is never seen; use stride=2 or use ceil_mode=True."),
    ],
    ids=["alexnet_pool_8x8", "pool_rows_only", "conv1d_last_two", "dilation_gaps",
         "padded_avgpool1d"],
)
def test_pools_and_1d_layers_explain_what_they_drop(layer, shape, expected):
    assert _warnings_of(layer, shape) == [expected]


@pytest.mark.parametrize(
    ("layer", "shape"),
    [
        (nn.Conv2d(3, 8, 3, stride=2, padding=1), (1, 3, 56, 56)),  # ResNet: padding unused
        (nn.Conv2d(3, 8, 1, stride=2), (1, 3, 56, 56)),  # 1×1/2 shortcut: gaps by design
        (nn.Conv2d(3, 8, 7, stride=2, padding=3), (1, 3, 224, 224)),  # ResNet's stem
        (nn.MaxPool2d(3, stride=2, padding=1), (1, 3, 112, 112)),  # ResNet's stem pool
        (nn.MaxPool2d(3, stride=2), (1, 3, 55, 55)),  # AlexNet's pool: fits exactly
        (nn.MaxPool2d(3, stride=2, ceil_mode=True), (1, 3, 8, 8)),
        (nn.Conv2d(3, 3, 3, padding=1, groups=3), (1, 3, 5, 5)),
    ],
    ids=["resnet_3x3_s2", "resnet_1x1_s2", "resnet_stem", "resnet_pool", "alexnet_pool",
         "ceil_mode", "depthwise"],
)
def test_layers_that_read_every_input_pixel_do_not_warn(layer, shape):
    assert _warnings_of(layer, shape) == []


def test_a_resnet_18_shaped_network_does_not_warn_on_even_or_odd_sizes():
    model = models.resnet(3, 10, channels=(4, 4, 8, 8), blocks_per_stage=(2, 2, 2, 2),
                          stem="imagenet")
    assert _warnings_of(model, (1, 3, 64, 64), (1, 3, 57, 57)) == []


def test_the_functional_forms_compute_silently_as_pytorch():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert F.max_pool2d(gn.zeros(1, 1, 8, 8), 3, stride=2).shape == (1, 1, 3, 3)
        assert F.conv1d(gn.zeros(1, 1, 7), gn.zeros(1, 1, 3), stride=3).shape == (1, 1, 2)


def test_summary_marks_and_explains_the_lectures_example_without_warning():
    model = nn.Sequential(nn.Conv2d(1, 1, 3, stride=3), nn.ReLU())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        info = nn.summary(model, (1, 7, 7))
    assert info.rows[0].note == LECTURE and info.rows[1].note is None
    text = str(info)
    assert "0 (Conv2d 3×3/3) !" in text and "1 (ReLU) !" not in text
    assert "Input never seen" in text
    assert " ".join(text.split()).count(" ".join(LECTURE.split())) == 1  # wrapped, whole
    # summary's pass does not use up the layer's warning
    assert len(_warnings_of(model, (1, 1, 7, 7))) == 1


def test_summary_shows_no_notes_section_when_every_layer_reads_its_whole_input():
    text = str(nn.summary(nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.MaxPool2d(2)),
                          (1, 8, 8)))
    assert "!" not in text and "never seen" not in text


def test_the_layer_remembers_sizes_without_changing_its_state_dict():
    conv = nn.Conv2d(1, 1, 3, stride=3)
    _warnings_of(conv, (1, 1, 7, 7))
    assert list(conv.state_dict()) == ["weight", "bias"]
    np.testing.assert_array_equal(conv.state_dict()["bias"], conv.bias.data)
