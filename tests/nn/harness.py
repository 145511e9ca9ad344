"""The layer harness of STYLE.md: one call checks a whole layer.

``check_layer(make, input_shape, ...)`` builds the layer with ``make(generator=..., dtype=...)``
and checks: output shape and dtype, parameter count, finite gradients for the input and
every parameter, a ``state_dict`` round trip into a differently initialized copy,
determinism under a fixed generator, float64 gradient check of the input and every
parameter, and that eval mode is deterministic (and, for layers without train/eval
behaviour, equal to train mode).
"""

import numpy as np

import glassnet as gn


def _output(out, select):
    return select(out) if select is not None else out


KINK_MARGIN = 0.1  # how far inputs stay from a kink: far beyond gradcheck's step of 1e-6


def _input(shape, dtype, seed, low, high, kink=None):
    values = np.random.default_rng(seed).uniform(low, high, size=shape)
    if kink is not None:
        # Step around the kink (Chainer's way), keeping inputs on both sides of it.
        offset = values - kink
        near = np.abs(offset) < KINK_MARGIN
        values = kink + np.where(near, np.copysign(KINK_MARGIN, offset), offset)
        assert (values < kink).any() and (values > kink).any(), "inputs on one side of the kink"
    return gn.tensor(values, dtype=dtype, requires_grad=True)


def check_layer(
    make,
    input_shape,
    *,
    output_shape,
    num_params,
    gradcheck_shape=None,
    select=None,
    mode_dependent=False,
    random_in_train=False,
    low=-2.0,
    high=2.0,
    kink=None,
):
    """Run the harness.

    Args:
        make: ``make(generator=..., dtype=...)`` returns a new layer.
        input_shape: the input for the float32 checks.
        output_shape: the expected output shape for ``input_shape``.
        num_params: the expected number of parameter elements.
        gradcheck_shape: a (small) input shape for the float64 gradient check
            (default ``input_shape``).
        select: picks the Tensor to check from the output (e.g. ``lambda o: o[0]``).
        mode_dependent: the layer behaves differently in train and eval mode.
        random_in_train: the layer's training output is random (dropout): the gradient
            check then runs in eval mode (the train-mode gradient is tested separately).
        low, high: the range of the random inputs.
        kink: a point where the layer is not differentiable (relu at 0): inputs keep at
            least ``KINK_MARGIN`` away from it, on both sides.
    """
    layer = make(generator=np.random.default_rng(0), dtype=np.float32)
    x = _input(input_shape, "float32", 1, low, high, kink)

    # Output shape and dtype.
    out = _output(layer(x), select)
    assert out.shape == tuple(output_shape), f"output shape {out.shape} != {output_shape}"
    assert out.dtype == np.float32

    # Parameter count.
    assert sum(p.size for p in layer.parameters()) == num_params

    # Finite gradients for the input and every parameter.
    weights = np.random.default_rng(2).standard_normal(out.shape).astype(np.float32)
    (out * weights).sum().backward()
    assert x.grad is not None and np.isfinite(x.grad).all()
    for name, parameter in layer.named_parameters():
        assert parameter.grad is not None, f"{name} got no gradient"
        assert parameter.grad.shape == parameter.shape, name
        assert np.isfinite(parameter.grad).all(), name
    layer.zero_grad()
    assert all(p.grad is None for p in layer.parameters())

    # Determinism: the same generator seed gives the same parameters and outputs.
    twin = make(generator=np.random.default_rng(0), dtype=np.float32)
    other = make(generator=np.random.default_rng(99), dtype=np.float32)
    fresh = make(generator=np.random.default_rng(0), dtype=np.float32)
    for (name, a), (_, b) in zip(fresh.state_dict().items(), twin.state_dict().items()):
        np.testing.assert_array_equal(a, b, err_msg=name)
    x_eval = gn.tensor(x.data)
    for module in (fresh, twin, other):
        module.eval()
    with gn.no_grad():
        expected = _output(fresh(x_eval), select).data
        np.testing.assert_array_equal(_output(twin(x_eval), select).data, expected)
        # eval mode is deterministic
        np.testing.assert_array_equal(_output(fresh(x_eval), select).data, expected)

    # state_dict round trip into a differently initialized layer.
    state = fresh.state_dict()
    other.load_state_dict(state)
    for key, value in other.state_dict().items():
        np.testing.assert_array_equal(value, state[key], err_msg=key)
    with gn.no_grad():
        np.testing.assert_array_equal(_output(other(x_eval), select).data, expected)

    # Train vs eval.
    if not mode_dependent:
        fresh.train()
        with gn.no_grad():
            np.testing.assert_array_equal(_output(fresh(x_eval), select).data, expected)

    # float64 gradient check of the input and every parameter.
    small = make(generator=np.random.default_rng(0), dtype=np.float32).double()
    if random_in_train:
        small.eval()
    x64 = _input(gradcheck_shape or input_shape, "float64", 3, low, high, kink)
    parameters = list(small.parameters())
    assert all(p.dtype == np.float64 for p in parameters)

    def fn(inp, *params):
        return _output(small(inp), select)

    assert fn(x64).dtype == np.float64

    result = gn.gradcheck(fn, [x64, *parameters])
    assert all(e is not None for e in result.max_relative_errors)
    return layer
