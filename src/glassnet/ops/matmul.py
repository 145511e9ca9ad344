"""Matrix product with NumPy's ``@`` semantics: 1-D, 2-D and batched (broadcast) inputs."""

import numpy as np

from glassnet.autograd.function import Function
from glassnet.errors import ShapeError
from glassnet.ops._broadcast import sum_to_shape


class MatMul(Function):
    """Z = A @ B.   dL/dA = dL/dZ @ Bᵀ,  dL/dB = Aᵀ @ dL/dZ.

    A 1-D input is a row (for A) or a column (for B) whose extra axis is dropped from the
    result, as in NumPy; backward puts that axis back, and sums the gradient over batch
    axes that were broadcast.
    """

    __slots__ = ()

    def forward(self, a, b):
        a_shape, b_shape = np.shape(a), np.shape(b)
        if not a_shape or not b_shape or a_shape[-1] != b_shape[-2 if len(b_shape) > 1 else 0]:
            raise ShapeError(
                f"matmul: expected inner dimensions to match (a.shape[-1] == b.shape[-2]), "
                f"but got shapes {a_shape} and {b_shape}. Transpose one operand or check "
                "the layer sizes."
            )
        self.save_for_backward(a, b)
        try:
            return a @ b
        except ValueError:
            raise ShapeError(
                f"matmul: batch dimensions of shapes {a_shape} and {b_shape} cannot be "
                "broadcast together."
            ) from None

    def backward(self, grad_z):
        a, b = self.saved
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        grad_z2 = grad_z[..., None] if b.ndim == 1 else grad_z
        grad_z2 = np.expand_dims(grad_z2, -2) if a.ndim == 1 else grad_z2
        grad_a = grad_b = None
        if self.needs_input_grad[0]:
            grad_a = sum_to_shape(grad_z2 @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
        if self.needs_input_grad[1]:
            grad_b = sum_to_shape(np.swapaxes(a2, -1, -2) @ grad_z2, b2.shape).reshape(b.shape)
        return grad_a, grad_b


def matmul(a, b):
    return MatMul.apply(a, b)
