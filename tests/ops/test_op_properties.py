"""Property tests over random shapes: broadcasting gradients and reductions."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glassnet as gn

SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def broadcastable_pair(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4))
    return shapes.input_shapes


@SETTINGS
@given(shapes=broadcastable_pair(), seed=st.integers(0, 2**16))
def test_broadcast_binary_op_gradients_sum_back_to_each_input(shapes, seed):
    rng = np.random.default_rng(seed)
    a = gn.tensor(rng.uniform(0.5, 2, shapes[0]), dtype="float64", requires_grad=True)
    b = gn.tensor(rng.uniform(0.5, 2, shapes[1]), dtype="float64", requires_grad=True)
    result = gn.gradcheck(lambda a, b: a * b + a / b - b**a, [a, b])
    assert all(err < 1e-6 for err in result.max_relative_errors)
    assert a.grad is None and b.grad is None  # gradcheck leaves the inputs as it found them
    (a * b).sum().backward()
    assert a.grad.shape == a.shape and b.grad.shape == b.shape


@SETTINGS
@given(
    shape=hnp.array_shapes(min_dims=1, max_dims=4, max_side=4),
    data=st.data(),
)
def test_reductions_match_numpy_and_pass_gradcheck(shape, data):
    axis = data.draw(st.none() | st.integers(-len(shape), len(shape) - 1))
    keepdims = data.draw(st.booleans())
    values = np.random.default_rng(len(shape)).uniform(-1, 1, shape)
    for name in ("sum", "mean", "logsumexp"):
        x = gn.tensor(values, dtype="float64", requires_grad=True)
        out = getattr(x, name)(axis=axis, keepdims=keepdims)
        reference = {
            "sum": np.sum,
            "mean": np.mean,
            "logsumexp": lambda v, axis, keepdims: np.log(
                np.sum(np.exp(v), axis=axis, keepdims=keepdims)
            ),
        }[name](values, axis=axis, keepdims=keepdims)
        np.testing.assert_allclose(out.data, reference, rtol=1e-10)
        gn.gradcheck(lambda t, name=name: getattr(t, name)(axis=axis, keepdims=keepdims), [x])
