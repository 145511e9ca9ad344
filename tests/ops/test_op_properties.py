"""Property tests over random shapes: broadcasting gradients and reductions."""

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glassnet as gn

SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def broadcastable_pair(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4))
    return shapes.input_shapes


# Tolerance of the gradient check below, from float64 round-off (not from luck).
#
# The check compares backward's gradient with (L(x + h) − L(x − h)) / 2h, h = 1e-6, where
# L = Σ_k w_k f_k over the n broadcast outputs, f = a·b + a/b − b^a and w are gradcheck's
# standard-normal weights. A relative-error threshold cannot work: a gradient element is a
# weighted sum that can cancel to nearly 0 (seed 14293, shapes ((4, 3), (4, 3)) gives a
# relative error of 3e-6 on correct code). What is bounded is the absolute error:
# - Round-off, with u = 2⁻⁵³: each f_k is computed with error ≤ 4u·m_k, m_k = |ab| + |a/b| +
#   |b^a| (one rounding per product, quotient and addition, two for pow); the product with
#   w_k adds u·|w_k f_k|, and a sum of n terms in any order at most (n − 1)u·Σ|w_k f_k|. So one
#   evaluation of L is off by at most (n + 4)·u·T, T = Σ_k |w_k|·m_k, and the difference
#   quotient by at most 2·(n + 4)·u·T / 2h. Here |w_k| ≤ 5 (the first 64 draws of gradcheck's
#   fixed generator are below 2.92), so T ≤ 5·Σ m_k.
# - Truncation: h²/6 · Σ_k |w_k|·|∂³f_k|, and on [0.5, 2]² the largest third derivative is
#   that of a/b in b, 6a/b⁴ ≤ 192 (b^a's are below 3): at most h²/6 · 5 · 200 · n.
# - Rounding of x ± h (relative 2u·|x|/h ≈ 4e-10) and of the analytic gradient (a few u):
#   covered by rtol = 1e-9.
# Measured over 3,000 draws (all shapes up to 4×4×4): the largest error is 8% of this bound.
UNIT_ROUNDOFF = 2.0**-53
STEP = 1e-6  # gradcheck's eps


def _gradcheck_atol(a: np.ndarray, b: np.ndarray) -> float:
    a_k, b_k = np.broadcast_arrays(a, b)
    n = a_k.size
    magnitudes = np.abs(a_k * b_k) + np.abs(a_k / b_k) + np.abs(b_k**a_k)
    roundoff = (n + 4) * UNIT_ROUNDOFF * 5 * magnitudes.sum() / STEP
    truncation = STEP**2 / 6 * 5 * 200 * n
    return roundoff + truncation


@SETTINGS
@given(shapes=broadcastable_pair(), seed=st.integers(0, 2**16))
@example(shapes=((4, 3), (4, 3)), seed=14293)  # failed the old relative threshold of 1e-6
def test_broadcast_binary_op_gradients_sum_back_to_each_input(shapes, seed):
    rng = np.random.default_rng(seed)
    a = gn.tensor(rng.uniform(0.5, 2, shapes[0]), dtype="float64", requires_grad=True)
    b = gn.tensor(rng.uniform(0.5, 2, shapes[1]), dtype="float64", requires_grad=True)
    atol = _gradcheck_atol(a.data, b.data)
    assert atol < 1e-4  # far below the O(1) error of a gradient summed over the wrong axes
    gn.gradcheck(lambda a, b: a * b + a / b - b**a, [a, b], eps=STEP, atol=atol, rtol=1e-9)
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
