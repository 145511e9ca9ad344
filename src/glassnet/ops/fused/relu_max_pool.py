"""ReLU followed by max pooling, as one op that pools first: relu(max_pool2d(x)).

Fused because max commutes with ReLU: max over a window of max(x, 0) is max(max over the
window of x, 0). Pooling first runs the ReLU (forward and backward) on the pooled output,
4× smaller for a 2×2 pool, instead of on the full activation, and the full-size ReLU
output is never stored.

The gradients are bit-identical to the pair: where a window's maximum is positive, both
route the gradient to the first maximal element (the same element of x and of relu(x));
where it is not, the pair's mask zeroes what the pool routed and the fused op's mask zeroes
it before routing. That holds for every geometry (padding with −inf, ceil_mode, dilation,
overlapping windows: the same terms are added in the same order). Tested against
``max_pool2d(relu(x))`` in values and gradients.
"""

from glassnet.autograd.function import Function
from glassnet.ops.activation import ReLU
from glassnet.ops.fused.pooling import MaxPool2d, _check_pool


class ReLUMaxPool2d(Function):
    """z = max(0, y) with y = max_pool2d(x).

    Backward: dL/dy = dL/dz where z > 0, else 0; then max pooling's backward routes dL/dy
    to each window's first maximum.
    """

    __slots__ = ()

    def forward(self, x, **pool_options):
        pool, relu = MaxPool2d(), ReLU()
        pool.needs_input_grad = relu.needs_input_grad = self.needs_input_grad
        z = relu.forward(pool.forward(x, **pool_options))
        self.save_for_backward(pool, relu)
        return z

    def backward(self, grad_z):
        pool, relu = self.saved
        return pool.backward(relu.backward(grad_z))


def relu_max_pool2d(x, *, kernel_size, stride, padding, dilation=(1, 1), ceil_mode=False):
    """``max_pool2d(relu(x), ...)`` computed as ``relu(max_pool2d(x, ...))``; arguments,
    shapes and errors as ``max_pool2d``.

    Example:
        >>> import glassnet as gn
        >>> x = gn.tensor([[[[-1.0, -2.0, 5.0, 0.0],
        ...                  [-3.0, -4.0, 1.0, 1.0]]]], requires_grad=True)
        >>> z = relu_max_pool2d(x, kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))
        >>> z
        tensor([[[[0., 5.]]]], requires_grad=True)
        >>> z.sum().backward()
        >>> x.grad
        array([[[[0., 0., 1., 0.],
                 [0., 0., 0., 0.]]]], dtype=float32)
    """
    _check_pool(x, 2, "relu_max_pool2d", kernel_size, stride, padding, dilation, ceil_mode)
    return ReLUMaxPool2d.apply(
        x, kernel_size=tuple(kernel_size), stride=tuple(stride), padding=tuple(padding),
        dilation=tuple(dilation), ceil_mode=bool(ceil_mode),
    )
