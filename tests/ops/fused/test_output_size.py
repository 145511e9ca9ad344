import pytest

from glassnet.errors import ShapeError
from glassnet.ops.fused import conv_output_size


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "expected"),
    [
        (32, 5, 1, 2, 32),  # the lecture's 32x32x3 input, 10 filters 5x5, pad 2
        (7, 3, 1, 0, 5),  # the lecture's 7x7 input, F=3, S=1
        (7, 3, 2, 0, 3),  # ... and S=2
        (28, 2, 2, 0, 14),  # max pooling 2x2
        (5, 1, 1, 0, 5),  # 1x1 convolution
        (3, 5, 1, 1, 1),  # the window exactly covers the padded input
    ],
)
def test_conv_output_size_follows_the_lecture_formula(size, kernel, stride, padding, expected):
    assert conv_output_size(size, kernel, stride, padding, op_name="conv2d") == expected


def test_conv_output_size_rejects_the_lectures_7x7_f3_s3_case_naming_everything():
    with pytest.raises(ShapeError) as info:
        conv_output_size(7, 3, 3, 0, op_name="conv2d")
    message = str(info.value)
    assert message.startswith("conv2d: expected (W - F + 2P)/S + 1 to be a positive whole number")
    assert "(7 - 3 + 2*0)/3 + 1 = 2.33" in message
    assert "W=7, kernel F=3, stride S=3, padding P=0" in message
    assert "stride that divides" in message


def test_conv_output_size_rejects_a_window_larger_than_the_padded_input():
    with pytest.raises(ShapeError, match=r"max_pool2d: .* = -2 .*larger than the padded input"):
        conv_output_size(2, 5, 1, 0, op_name="max_pool2d")


@pytest.mark.parametrize(("kernel", "stride", "padding"), [(3, 0, 0), (3, 1, -1), (0, 1, 0)])
def test_conv_output_size_rejects_non_positive_kernel_or_stride_and_negative_padding(
    kernel, stride, padding
):
    with pytest.raises(ShapeError, match=r"conv1d: expected kernel >= 1, stride >= 1"):
        conv_output_size(8, kernel, stride, padding, op_name="conv1d")
