"""Fully connected layer as one op: y = x Wᵀ + b.

Fused because the composite (matmul, transpose, broadcast add) records three nodes and
makes a transposed copy; here forward is one matrix multiply with the bias added in place,
and backward is two matrix multiplies and a column sum. Tested against the composite
``x @ weight.T + bias`` and against ``torch.nn.functional.linear``.
"""

import numpy as np

from glassnet.autograd.function import Function
from glassnet.errors import ShapeError
from glassnet.ops._broadcast import shape_of
from glassnet.ops.fused.output_size import check_bias, check_floating
from glassnet.tensor import array_of


class Linear(Function):
    """y = x Wᵀ + b over the last axis of x.

    With the leading axes of x flattened into rows (X of shape (M, in)) and G = dL/dy as
    (M, out):
        dL/dX = G W,   dL/dW = Gᵀ X,   dL/db = Σ_rows G.
    """

    __slots__ = ()

    def forward(self, x, weight, bias):
        rows = x.reshape(-1, x.shape[-1])
        y = rows @ weight.T
        if bias is not None:
            if np.result_type(y, bias) == y.dtype:
                y += bias  # in place: no second (M, out) array
            else:
                y = y + bias
        self.save_for_backward(rows if self.needs_input_grad[1] else None, weight, x.shape)
        return y.reshape(*x.shape[:-1], weight.shape[0])

    def backward(self, grad_y):
        rows, weight, x_shape = self.saved
        grad_rows = grad_y.reshape(-1, grad_y.shape[-1])
        grad_x = grad_weight = grad_bias = None
        if self.needs_input_grad[0]:
            grad_x = (grad_rows @ weight).reshape(x_shape)
        if self.needs_input_grad[1]:
            grad_weight = grad_rows.T @ rows
        if self.needs_input_grad[2]:
            grad_bias = grad_rows.sum(axis=0)
        return grad_x, grad_weight, grad_bias


def linear(x, weight, bias=None):
    """Apply an affine map to the last axis: y = x @ weight.T + bias (PyTorch's layout).

    Args:
        x: Tensor of shape (..., in_features).
        weight: Tensor of shape (out_features, in_features).
        bias: Tensor of shape (out_features,), or None.

    Shape:
        x (..., in) → y (..., out).

    Returns:
        A Tensor of shape (..., out_features).

    Raises:
        ShapeError: x's last axis does not match in_features, or weight/bias have the wrong
            rank or length.

    Example:
        >>> import glassnet as gn
        >>> x = gn.tensor([[1.0, 2.0]], requires_grad=True)
        >>> w = gn.tensor([[1.0, 0.0], [1.0, -1.0], [0.5, 0.5]], requires_grad=True)
        >>> b = gn.tensor([0.0, 1.0, 2.0], requires_grad=True)
        >>> y = linear(x, w, b)
        >>> y
        tensor([[1. , 0. , 3.5]], requires_grad=True)
        >>> y.sum().backward()
        >>> x.grad
        array([[ 2.5, -0.5]], dtype=float32)
    """
    _check_linear(x, weight, bias)
    return Linear.apply(x, weight, bias)


def _check_linear(x, weight, bias) -> None:
    x_shape, w_shape = shape_of(x), shape_of(weight)
    check_floating(np.asarray(array_of(x)), "input", "linear")
    if len(w_shape) != 2:
        raise ShapeError(
            f"linear: expected a 2-d weight (out_features, in_features), but got shape "
            f"{w_shape}."
        )
    if len(x_shape) < 1 or x_shape[-1] != w_shape[1]:
        features = x_shape[-1] if x_shape else "no"
        raise ShapeError(
            f"linear: input has {features} features but weight expects "
            f"in_features={w_shape[1]} (x.shape={x_shape}, weight.shape={w_shape}). "
            "Check the previous layer's out_features (or flatten the input first)."
        )
    if bias is not None:
        check_bias(shape_of(bias), w_shape[0], "out_features", "linear")
