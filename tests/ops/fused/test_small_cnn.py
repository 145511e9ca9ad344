"""The fused ops together, as the reference CNN uses them: memory order, dtype and gradients."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.ops.activation import ReLU
from glassnet.ops.fused import avg_pool2d, batch_norm, conv2d, linear, max_pool2d

POOL = {"kernel_size": (2, 2), "stride": (2, 2), "padding": (0, 0)}


def _params(dtype, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(4, 1, 3, 3), (4,), (6, 4, 3, 3), (6,), (3, 12), (3,)]
    return [gn.tensor(rng.standard_normal(s) * 0.5, dtype=dtype, requires_grad=True)
            for s in shapes]


def _cnn(x, w1, b1, w2, b2, w3, b3):
    h = max_pool2d(gn.relu(conv2d(x, w1, b1, padding=(1, 1))), **POOL)
    h = max_pool2d(gn.relu(conv2d(h, w2, b2, padding=(1, 1))), **POOL)
    return linear(h.reshape(h.shape[0], -1), w3, b3)


def test_a_small_cnn_of_fused_ops_passes_the_float64_gradient_check():
    x = gn.tensor(np.random.default_rng(1).standard_normal((2, 1, 8, 4)), dtype="float64",
                  requires_grad=True)
    gn.gradcheck(_cnn, [x, *_params("float64")])


def test_a_small_cnn_stays_float32_in_every_activation_and_gradient():
    x = gn.tensor(np.random.default_rng(2).standard_normal((2, 1, 8, 4)))
    params = _params("float32")
    logits = _cnn(x, *params)
    logits.sum().backward()
    assert logits.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in params)


def test_conv2d_output_is_channels_last_memory_with_nchw_shape():
    y = conv2d(gn.randn(2, 3, 5, 5), gn.randn(4, 3, 3, 3), padding=(1, 1))
    assert y.shape == (2, 4, 5, 5)
    assert y.data.transpose(0, 2, 3, 1).flags.c_contiguous


def test_relu_backward_keeps_the_channels_last_order_and_masks_by_the_output():
    # The ReLU between conv and pool gets a channels-last gradient from the pool; keeping
    # that order spares the conv backward a transposing copy.
    x = np.random.default_rng(3).standard_normal((2, 3, 3, 4)).astype(np.float32)
    x_channels_last = x.transpose(0, 3, 1, 2)
    grad = np.arange(x.size, dtype=np.float32).reshape(x.shape).transpose(0, 3, 1, 2)
    relu = ReLU()
    relu.needs_input_grad = (True,)
    relu.forward(x_channels_last)
    grad_x = relu.backward(grad)
    assert grad_x.transpose(0, 2, 3, 1).flags.c_contiguous
    np.testing.assert_array_equal(grad_x, np.where(x_channels_last > 0, grad, 0))


def test_a_small_cnn_matches_torch_in_float32():
    torch = pytest.importorskip("torch", reason="PyTorch is the optional reference")
    F = torch.nn.functional
    x = np.random.default_rng(4).standard_normal((3, 1, 8, 4)).astype(np.float32)
    ours = _params("float32")
    theirs = [torch.tensor(p.data, requires_grad=True) for p in ours]
    _cnn(gn.tensor(x), *ours).sum().backward()
    w1, b1, w2, b2, w3, b3 = theirs
    h = F.max_pool2d(F.relu(F.conv2d(torch.tensor(x), w1, b1, padding=1)), 2)
    h = F.max_pool2d(F.relu(F.conv2d(h, w2, b2, padding=1)), 2)
    F.linear(h.flatten(1), w3, b3).sum().backward()
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "op",
    [
        lambda x: conv2d(x, gn.ones(2, 3, 3, 3, requires_grad=True), gn.zeros(2),
                         stride=(2, 2), padding=(1, 1)),
        lambda x: max_pool2d(x, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1)),
        lambda x: avg_pool2d(x, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1)),
        lambda x: batch_norm(x, gn.ones(3, requires_grad=True), gn.zeros(3),
                             np.zeros(3, np.float32), np.ones(3, np.float32), training=True),
        lambda x: linear(x, gn.ones(2, 5, requires_grad=True), gn.zeros(2)),
    ],
    ids=["conv2d", "max_pool2d", "avg_pool2d", "batch_norm", "linear"],
)
def test_fused_ops_keep_float32_in_outputs_and_input_gradients(op):
    x = gn.tensor(np.random.default_rng(5).standard_normal((2, 3, 5, 5)), requires_grad=True)
    y = op(x)
    y.backward(np.ones(y.shape, np.float32))
    assert y.dtype == np.float32 and x.grad.dtype == np.float32
