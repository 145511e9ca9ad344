"""Output sizes follow PyTorch (floor, ceil_mode with its last-window rule, dilation), the
input positions the rounding drops, and the errors for sizes that cannot work."""

import itertools

import numpy as np
import pytest

from glassnet.errors import ShapeError
from glassnet.ops.fused import conv_output_size
from glassnet.ops.fused.output_size import unseen_positions


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "dilation", "ceil_mode", "expected"),
    [
        (32, 5, 1, 2, 1, False, 32),  # the lecture's 32x32x3 input, 10 filters 5x5, pad 2
        (7, 3, 1, 0, 1, False, 5),  # the lecture's 7x7 input, F=3, S=1
        (7, 3, 2, 0, 1, False, 3),  # ... and S=2
        (7, 3, 3, 0, 1, False, 2),  # ... and S=3: (7 − 3)/3 + 1 = 2.33 rounds down
        (56, 3, 2, 1, 1, False, 28),  # ResNet's downsampling conv on an even size
        (224, 7, 2, 3, 1, False, 112),  # ResNet's stem
        (8, 3, 2, 0, 1, False, 3),  # overlapping 3x3/2 max-pool: 3.5 rounds down
        (8, 3, 2, 0, 1, True, 4),  # ... and up with ceil_mode
        (5, 2, 2, 1, 1, True, 3),  # ceil gives 4, but the 4th window would start in padding
        (9, 3, 1, 0, 2, False, 5),  # dilation 2: the window spans 5
        (3, 5, 1, 1, 1, False, 1),  # the window exactly covers the padded input
    ],
)
def test_conv_output_size_follows_pytorch(size, kernel, stride, padding, dilation, ceil_mode,
                                          expected):
    assert conv_output_size(size, kernel, stride, padding, op_name="conv2d", dilation=dilation,
                            ceil_mode=ceil_mode) == expected


def test_conv_output_size_equals_pytorchs_on_a_grid_of_settings():
    torch = pytest.importorskip("torch", reason="PyTorch is the optional reference")
    x = {size: torch.zeros(1, 1, size) for size in range(1, 10)}
    for size, kernel, stride, padding, dilation, ceil_mode in itertools.product(
        range(1, 10), range(1, 5), range(1, 4), range(0, 3), range(1, 3), (False, True)
    ):
        if padding > kernel // 2 or size + 2 * padding < dilation * (kernel - 1) + 1:
            continue  # PyTorch's pools reject these too
        theirs = torch.nn.functional.max_pool1d(x[size], kernel, stride, padding, dilation,
                                                ceil_mode).shape[-1]
        ours = conv_output_size(size, kernel, stride, padding, op_name="max_pool1d",
                                dilation=dilation, ceil_mode=ceil_mode)
        assert ours == theirs, (size, kernel, stride, padding, dilation, ceil_mode)


def test_conv_output_size_rejects_a_window_larger_than_the_padded_input():
    with pytest.raises(ShapeError) as info:
        conv_output_size(2, 5, 1, 1, op_name="max_pool2d")
    assert str(info.value) == (
        "max_pool2d: expected the window to fit in the padded input, but got kernel F=5 for "
        "input size W=2 with padding P=1 (W + 2P = 4 < 5). Use a smaller kernel or dilation, "
        "more padding, or a larger input."
    )


@pytest.mark.parametrize(
    ("kernel", "stride", "padding", "dilation"),
    [(3, 0, 0, 1), (3, 1, -1, 1), (0, 1, 0, 1), (3, 1, 0, 0)],
)
def test_conv_output_size_rejects_non_positive_kernel_stride_dilation_and_negative_padding(
    kernel, stride, padding, dilation
):
    with pytest.raises(ShapeError, match=r"conv1d: expected kernel >= 1, stride >= 1, "
                                         r"dilation >= 1 and padding >= 0"):
        conv_output_size(8, kernel, stride, padding, op_name="conv1d", dilation=dilation)


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "dilation", "ceil_mode", "expected"),
    [
        (7, 3, 3, 0, 1, False, (6,)),  # the lecture's example: the last position
        (7, 3, 3, 1, 1, False, ()),  # padding 1 fits three windows
        (8, 3, 2, 0, 1, False, (7,)),  # overlapping 3x3/2 pool on 8
        (8, 3, 2, 0, 1, True, ()),  # ... fixed by ceil_mode
        (7, 2, 3, 0, 1, False, (6,)),  # windows at 0, 3; one at 6 would read 6 (5: a gap)
        (8, 3, 2, 1, 1, False, ()),  # ResNet's 3x3/2 pad 1 on an even size: padding unused
        (8, 1, 2, 0, 1, False, ()),  # 1x1/2 shortcut: odd positions skipped by design
        (9, 2, 3, 0, 1, False, ()),  # stride > kernel: the gaps are by design
        (5, 3, 1, 0, 2, False, (1, 3)),  # dilation 2 on 5: one window reads 0, 2, 4
        (13, 3, 4, 0, 1, False, (12,)),  # gaps at 3, 7, 11 by design; 12 dropped
    ],
)
def test_unseen_positions_are_what_the_rounding_drops(size, kernel, stride, padding, dilation,
                                                      ceil_mode, expected):
    assert unseen_positions(size, kernel, stride, padding, dilation, ceil_mode) == expected


def test_unseen_positions_are_never_read_and_would_be_read_by_a_further_window():
    # The definition, checked by brute force on a grid of settings.
    for size, kernel, stride, padding, dilation in itertools.product(
        range(1, 12), range(1, 4), range(1, 5), range(0, 3), range(1, 3)
    ):
        span = dilation * (kernel - 1) + 1
        if size + 2 * padding < span:
            continue
        count = (size + 2 * padding - span) // stride + 1
        taps = dilation * np.arange(kernel)
        read = {int(r) - padding for k in range(count) for r in k * stride + taps}
        further = {int(r) - padding for k in range(count, count + size + 2)
                   for r in k * stride + taps}
        expected = tuple(sorted((further - read) & set(range(size))))
        assert unseen_positions(size, kernel, stride, padding, dilation) == expected
