"""Every engine op in one table: forward against NumPy, float64 gradient check, dtype kept.

Each row names the op, how to call it on glassnet tensors, the NumPy reference, the input
shapes (broadcasting ones included) and the range the inputs are drawn from. Ranges stay
away from kinks and poles (relu and abs at 0, log and sqrt near 0) where centered
differences are not meaningful.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
import scipy.special

import glassnet as gn


@dataclass(frozen=True)
class OpSpec:
    name: str
    op: Callable
    ref: Callable
    shapes: tuple
    low: float = -2.0
    high: float = 2.0
    avoid_zero: bool = False  # keep |x| >= 0.1 (kinks at 0)
    distinct: bool = False  # no ties (max/min), so the gradient is well defined


def _sigmoid(x):
    return scipy.special.expit(x)


OPS = [
    OpSpec("add", lambda a, b: a + b, np.add, ((3, 4), (3, 4))),
    OpSpec("add_broadcast", lambda a, b: a + b, np.add, ((2, 3, 4), (3, 1))),
    OpSpec("sub_broadcast", lambda a, b: a - b, np.subtract, ((4,), (3, 4))),
    OpSpec("mul_broadcast", lambda a, b: a * b, np.multiply, ((2, 1, 4), (3, 1))),
    OpSpec("div", lambda a, b: a / b, np.divide, ((3, 4), (3, 4)), 0.5, 2.0),
    OpSpec("div_broadcast", lambda a, b: a / b, np.divide, ((2, 3), (3,)), 0.5, 2.0),
    OpSpec("neg", lambda a: -a, np.negative, ((3, 4),)),
    OpSpec("pow_tensor_exponent", lambda a, b: a**b, np.power, ((3, 4), (4,)), 0.5, 2.0),
    OpSpec("pow_constant", lambda a: a**3, lambda a: a**3, ((3, 4),)),
    OpSpec("rpow_constant_base", lambda a: 2.0**a, lambda a: 2.0**a, ((3, 4),)),
    OpSpec("exp", gn.exp, np.exp, ((3, 4),)),
    OpSpec("log", gn.log, np.log, ((3, 4),), 0.5, 3.0),
    OpSpec("sqrt", gn.sqrt, np.sqrt, ((3, 4),), 0.5, 3.0),
    OpSpec("abs", gn.abs, np.abs, ((3, 4),), avoid_zero=True),
    OpSpec("clip", lambda a: gn.clip(a, -1.0, 1.0), lambda a: np.clip(a, -1, 1), ((4, 5),)),
    OpSpec("maximum", gn.maximum, np.maximum, ((3, 4), (4,)), distinct=True),
    OpSpec("minimum", gn.minimum, np.minimum, ((3, 4), (3, 1)), distinct=True),
    OpSpec(
        "where",
        lambda a, b: gn.where(a > 0, a, b),
        lambda a, b: np.where(a > 0, a, b),
        ((3, 4), (4,)),
        avoid_zero=True,
    ),
    OpSpec("tanh", gn.tanh, np.tanh, ((3, 4),)),
    OpSpec("sigmoid", gn.sigmoid, _sigmoid, ((3, 4),), -6.0, 6.0),
    OpSpec("relu", gn.relu, lambda a: np.maximum(a, 0), ((3, 4),), avoid_zero=True),
    OpSpec("sum_all", lambda a: a.sum(), np.sum, ((3, 4),)),
    OpSpec("sum_axis", lambda a: a.sum(axis=1), lambda a: a.sum(axis=1), ((2, 3, 4),)),
    OpSpec(
        "sum_axes_keepdims",
        lambda a: a.sum(axis=(0, 2), keepdims=True),
        lambda a: a.sum(axis=(0, 2), keepdims=True),
        ((2, 3, 4),),
    ),
    OpSpec("mean_axis", lambda a: a.mean(axis=-1), lambda a: a.mean(axis=-1), ((3, 5),)),
    OpSpec("var_axis", lambda a: a.var(axis=0), lambda a: a.var(axis=0), ((6, 3),)),
    OpSpec("var_ddof", lambda a: a.var(ddof=1), lambda a: a.var(ddof=1), ((6, 3),)),
    OpSpec("max_axis", lambda a: a.max(axis=1), lambda a: a.max(axis=1), ((3, 5),), distinct=True),
    OpSpec("max_all", lambda a: a.max(), np.max, ((3, 5),), distinct=True),
    OpSpec(
        "min_keepdims",
        lambda a: a.min(axis=0, keepdims=True),
        lambda a: a.min(axis=0, keepdims=True),
        ((4, 3),),
        distinct=True,
    ),
    OpSpec(
        "logsumexp",
        lambda a: a.logsumexp(axis=1),
        lambda a: scipy.special.logsumexp(a, axis=1),
        ((3, 5),),
        -5.0,
        5.0,
    ),
    OpSpec("reshape", lambda a: a.reshape(4, -1), lambda a: a.reshape(4, -1), ((2, 3, 4),)),
    OpSpec("transpose", lambda a: a.T, lambda a: a.T, ((3, 4),)),
    OpSpec(
        "permute",
        lambda a: a.permute(2, 0, 1),
        lambda a: a.transpose(2, 0, 1),
        ((2, 3, 4),),
    ),
    OpSpec(
        "flatten",
        lambda a: a.flatten(1),
        lambda a: a.reshape(a.shape[0], -1),
        ((2, 3, 4),),
    ),
    OpSpec("squeeze", lambda a: a.squeeze(1), lambda a: a.squeeze(1), ((3, 1, 4),)),
    OpSpec("unsqueeze", lambda a: a.unsqueeze(-1), lambda a: a[..., None], ((3, 4),)),
    OpSpec(
        "broadcast_to",
        lambda a: a.broadcast_to((2, 3, 4)),
        lambda a: np.broadcast_to(a, (2, 3, 4)),
        ((3, 1),),
    ),
    OpSpec("index_int_slice", lambda a: a[1, 1:3], lambda a: a[1, 1:3], ((3, 4),)),
    OpSpec(
        "index_repeated_ints",
        lambda a: a[[0, 2, 0, 0]],
        lambda a: a[[0, 2, 0, 0]],
        ((3, 4),),
    ),
    OpSpec(
        "index_pairs",
        lambda a: a[np.array([0, 1, 1]), np.array([3, 0, 0])],
        lambda a: a[np.array([0, 1, 1]), np.array([3, 0, 0])],
        ((3, 4),),
    ),
    OpSpec("index_mask", lambda a: a[a > 0], lambda a: a[a > 0], ((3, 4),), avoid_zero=True),
    OpSpec(
        "concatenate",
        lambda a, b: gn.concatenate([a, b], axis=1),
        lambda a, b: np.concatenate([a, b], axis=1),
        ((2, 3), (2, 5)),
    ),
    OpSpec(
        "stack",
        lambda a, b: gn.stack([a, b], axis=1),
        lambda a, b: np.stack([a, b], axis=1),
        ((2, 3), (2, 3)),
    ),
    OpSpec(
        "pad",
        lambda a: gn.pad(a, ((0, 0), (1, 2)), value=0.5),
        lambda a: np.pad(a, ((0, 0), (1, 2)), constant_values=0.5),
        ((2, 3),),
    ),
    OpSpec("matmul_2d", lambda a, b: a @ b, np.matmul, ((3, 4), (4, 5))),
    OpSpec("matmul_vector_vector", lambda a, b: a @ b, np.matmul, ((4,), (4,))),
    OpSpec("matmul_matrix_vector", lambda a, b: a @ b, np.matmul, ((3, 4), (4,))),
    OpSpec("matmul_vector_matrix", lambda a, b: a @ b, np.matmul, ((4,), (4, 2))),
    OpSpec("matmul_batched", lambda a, b: a @ b, np.matmul, ((2, 3, 4), (2, 4, 5))),
    OpSpec("matmul_broadcast_batch", lambda a, b: a @ b, np.matmul, ((2, 3, 4), (4, 5))),
]


def make_inputs(spec: OpSpec, dtype, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays = []
    for shape in spec.shapes:
        if spec.distinct:
            values = rng.permutation(int(np.prod(shape))).reshape(shape) * 0.1 - 1.0
        else:
            values = rng.uniform(spec.low, spec.high, size=shape)
        if spec.avoid_zero:
            values = np.where(np.abs(values) < 0.1, 0.1 + np.abs(values), values)
        arrays.append(values.astype(dtype))
    return arrays


@pytest.mark.parametrize("spec", OPS, ids=lambda s: s.name)
def test_forward_matches_numpy(spec):
    arrays = make_inputs(spec, np.float64)
    out = spec.op(*[gn.tensor(a, dtype="float64") for a in arrays])
    np.testing.assert_allclose(out.data, spec.ref(*arrays), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("spec", OPS, ids=lambda s: s.name)
def test_gradient_matches_finite_differences(spec):
    inputs = [
        gn.tensor(a, dtype="float64", requires_grad=True) for a in make_inputs(spec, np.float64)
    ]
    result = gn.gradcheck(spec.op, inputs)
    assert all(err is not None and err < 1e-5 for err in result.max_relative_errors)


@pytest.mark.parametrize("spec", OPS, ids=lambda s: s.name)
def test_float32_stays_float32_forward_and_backward(spec):
    inputs = [gn.tensor(a, requires_grad=True) for a in make_inputs(spec, np.float32)]
    out = spec.op(*inputs)
    assert out.dtype == np.float32
    out.backward(np.ones(out.shape, dtype=np.float32))
    for x in inputs:
        assert x.grad is not None and x.grad.dtype == np.float32 and x.grad.shape == x.shape
