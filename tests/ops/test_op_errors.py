"""Bad input to the engine's ops: each error names what was wrong and how to fix it."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.errors import ShapeError


def test_matmul_rejects_mismatched_inner_dims_naming_both_shapes():
    with pytest.raises(ShapeError, match=r"matmul: .*shapes \(3, 4\) and \(5, 2\)"):
        gn.randn(3, 4) @ gn.randn(5, 2)


def test_matmul_rejects_scalars():
    with pytest.raises(ShapeError, match=r"shapes \(\) and \(2,\)"):
        gn.matmul(gn.tensor(2.0), gn.randn(2))


def test_matmul_rejects_unbroadcastable_batch_dims():
    with pytest.raises(ShapeError, match="batch dimensions"):
        gn.randn(2, 3, 4) @ gn.randn(3, 4, 5)


@pytest.mark.parametrize("op", [gn.add, gn.sub, gn.mul, gn.div, gn.maximum, gn.pow])
def test_binary_ops_reject_unbroadcastable_shapes_naming_both(op):
    with pytest.raises(ShapeError, match=r"shapes \(3, 4\) and \(3,\) cannot be broadcast"):
        op(gn.ones(3, 4), gn.ones(3))


def test_reshape_to_a_different_size_names_both_shapes():
    with pytest.raises(ShapeError, match=r"shape \(2, 3\) \(6 elements\) into \(4, 2\)"):
        gn.ones(2, 3).reshape(4, 2)


def test_reduction_axis_out_of_range():
    with pytest.raises(ShapeError, match="axis 2 is out of range.*2 dimensions"):
        gn.ones(2, 3).sum(axis=2)


def test_transpose_needs_a_permutation():
    with pytest.raises(ShapeError, match="permutation"):
        gn.ones(2, 3).permute(0, 0)


def test_squeeze_of_an_axis_longer_than_one():
    with pytest.raises(ShapeError, match="axis 0 has length 2"):
        gn.ones(2, 3).squeeze(0)


def test_concatenate_mismatched_shapes_and_empty_list():
    with pytest.raises(ShapeError, match="all shapes must match except along axis 0"):
        gn.concatenate([gn.ones(2, 3), gn.ones(2, 4)])
    with pytest.raises(ShapeError, match="at least one tensor"):
        gn.concatenate([])


def test_stack_needs_equal_shapes():
    with pytest.raises(ShapeError, match="equal shape"):
        gn.stack([gn.ones(2), gn.ones(3)])


def test_pad_rejects_negative_and_malformed_widths():
    with pytest.raises(ShapeError, match="non-negative"):
        gn.pad(gn.ones(2, 2), -1)
    with pytest.raises(ShapeError, match="pad_width"):
        gn.pad(gn.ones(2, 2), (1, 2, 3))


def test_broadcast_to_an_incompatible_shape():
    with pytest.raises(ShapeError, match=r"cannot broadcast shape \(3,\) to \(4,\)"):
        gn.ones(3).broadcast_to((4,))


def test_log_of_zero_warns_rather_than_hiding_the_inf():
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        out = gn.log(gn.tensor([0.0]))
    assert np.isneginf(out.data[0])


def test_shape_ops_keep_an_empty_batch_empty():
    x = gn.zeros(0, 3, 4, requires_grad=True)
    out = x.flatten(1)
    assert out.shape == (0, 12)
    out.sum().backward()
    assert x.grad.shape == (0, 3, 4)
