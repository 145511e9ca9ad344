"""Element-wise arithmetic and math, with broadcasting.

Backward patterns (the lecture's): add distributes the gradient to both inputs, mul swaps
the inputs, max routes the gradient to the larger input. Broadcast inputs get their
gradient summed back to their own shape (``sum_to_shape``).
"""

import numpy as np

from glassnet.autograd.function import Function
from glassnet.ops._broadcast import BroadcastingFunction, shape_of, sum_to_shape


class Add(BroadcastingFunction):
    """z = a + b.   dL/da = dL/dz,  dL/db = dL/dz."""

    __slots__ = ()

    def forward(self, a, b):
        self.save_for_backward(shape_of(a), shape_of(b))
        return a + b

    def backward(self, grad_z):
        a_shape, b_shape = self.saved
        grad_a = sum_to_shape(grad_z, a_shape) if self.needs_input_grad[0] else None
        grad_b = sum_to_shape(grad_z, b_shape) if self.needs_input_grad[1] else None
        return grad_a, grad_b


def add(a, b):
    return Add.apply(a, b)


class Sub(BroadcastingFunction):
    """z = a - b.   dL/da = dL/dz,  dL/db = -dL/dz."""

    __slots__ = ()

    def forward(self, a, b):
        self.save_for_backward(shape_of(a), shape_of(b))
        return a - b

    def backward(self, grad_z):
        a_shape, b_shape = self.saved
        grad_a = sum_to_shape(grad_z, a_shape) if self.needs_input_grad[0] else None
        grad_b = sum_to_shape(-grad_z, b_shape) if self.needs_input_grad[1] else None
        return grad_a, grad_b


def sub(a, b):
    return Sub.apply(a, b)


class Mul(BroadcastingFunction):
    """z = a * b.   dL/da = dL/dz * b,  dL/db = dL/dz * a   (mul swaps its inputs)."""

    __slots__ = ()

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a * b

    def backward(self, grad_z):
        a, b = self.saved
        grad_a = sum_to_shape(grad_z * b, shape_of(a)) if self.needs_input_grad[0] else None
        grad_b = sum_to_shape(grad_z * a, shape_of(b)) if self.needs_input_grad[1] else None
        return grad_a, grad_b


def mul(a, b):
    return Mul.apply(a, b)


class Div(BroadcastingFunction):
    """z = a / b.   dL/da = dL/dz / b,  dL/db = -dL/dz * a / b² = -dL/dz * z / b."""

    __slots__ = ()

    def forward(self, a, b):
        z = a / b
        self.save_for_backward(a, b, z)
        return z

    def backward(self, grad_z):
        a, b, z = self.saved
        grad_a = sum_to_shape(grad_z / b, shape_of(a)) if self.needs_input_grad[0] else None
        grad_b = (
            sum_to_shape(-grad_z * z / b, shape_of(b)) if self.needs_input_grad[1] else None
        )
        return grad_a, grad_b


def div(a, b):
    return Div.apply(a, b)


class Pow(BroadcastingFunction):
    """z = a ** b.   dL/da = dL/dz * b * a^(b-1),  dL/db = dL/dz * z * ln(a).

    The exponent's gradient needs ln(a), so it is only defined for a > 0 (NaN otherwise,
    and not hidden); it is computed only when the exponent requires a gradient.
    """

    __slots__ = ()

    def forward(self, a, b):
        z = a**b
        self.save_for_backward(a, b, z)
        return z

    def backward(self, grad_z):
        a, b, z = self.saved
        grad_a = grad_b = None
        if self.needs_input_grad[0]:
            grad_a = sum_to_shape(grad_z * b * a ** (b - 1), shape_of(a))
        if self.needs_input_grad[1]:
            grad_b = sum_to_shape(grad_z * z * np.log(a), shape_of(b))
        return grad_a, grad_b


def pow(a, b):
    return Pow.apply(a, b)


class Maximum(BroadcastingFunction):
    """z = max(a, b) element-wise.  The gradient goes to the larger input (max routes);
    at ties each input gets half of it."""

    __slots__ = ()

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.maximum(a, b)

    def backward(self, grad_z):
        a, b = self.saved
        return _routed_grads(self, grad_z, a > b, a == b, a, b)


def maximum(a, b):
    return Maximum.apply(a, b)


class Minimum(BroadcastingFunction):
    """z = min(a, b) element-wise.  The gradient goes to the smaller input; ties split it."""

    __slots__ = ()

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.minimum(a, b)

    def backward(self, grad_z):
        a, b = self.saved
        return _routed_grads(self, grad_z, a < b, a == b, a, b)


def minimum(a, b):
    return Minimum.apply(a, b)


def _routed_grads(fn, grad_z, a_wins, tie, a, b):
    """Gradients of max/min: a gets the gradient where it won, b where it lost, half at ties."""
    share_a = a_wins.astype(grad_z.dtype)
    share_a[tie] = 0.5
    grad_a = grad_b = None
    if fn.needs_input_grad[0]:
        grad_a = sum_to_shape(grad_z * share_a, shape_of(a))
    if fn.needs_input_grad[1]:
        grad_b = sum_to_shape(grad_z * (1 - share_a), shape_of(b))
    return grad_a, grad_b


class Neg(Function):
    """z = -x.   dL/dx = -dL/dz."""

    __slots__ = ()

    def forward(self, x):
        return -x

    def backward(self, grad_z):
        return -grad_z


def neg(x):
    return Neg.apply(x)


class Exp(Function):
    """z = e^x.   dL/dx = dL/dz * z."""

    __slots__ = ()

    def forward(self, x):
        z = np.exp(x)
        self.save_for_backward(z)
        return z

    def backward(self, grad_z):
        (z,) = self.saved
        return grad_z * z


def exp(x):
    return Exp.apply(x)


class Log(Function):
    """z = ln x.   dL/dx = dL/dz / x."""

    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return np.log(x)

    def backward(self, grad_z):
        (x,) = self.saved
        return grad_z / x


def log(x):
    return Log.apply(x)


class Sqrt(Function):
    """z = √x.   dL/dx = dL/dz / (2 z)."""

    __slots__ = ()

    def forward(self, x):
        z = np.sqrt(x)
        self.save_for_backward(z)
        return z

    def backward(self, grad_z):
        (z,) = self.saved
        return grad_z / (2 * z)


def sqrt(x):
    return Sqrt.apply(x)


class Abs(Function):
    """z = |x|.   dL/dx = dL/dz * sign(x); at x = 0 the gradient is 0 (as in PyTorch)."""

    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return np.abs(x)

    def backward(self, grad_z):
        (x,) = self.saved
        return grad_z * np.sign(x)


def abs(x):
    return Abs.apply(x)


class Clip(Function):
    """z = min(max(x, low), high).  The gradient passes where low ≤ x ≤ high (bounds
    included, as in PyTorch's clamp) and is 0 where x was clipped."""

    __slots__ = ()

    def forward(self, x, low, high):
        inside = np.ones(x.shape, dtype=bool)
        if low is not None:
            inside &= x >= low
        if high is not None:
            inside &= x <= high
        self.save_for_backward(inside)
        return np.clip(x, low, high)

    def backward(self, grad_z):
        (inside,) = self.saved
        return grad_z * inside, None, None


def clip(x, low=None, high=None):
    """Clip ``x`` to [low, high]; either bound may be None."""
    return Clip.apply(x, low, high)


class Where(Function):
    """z = a where condition else b.  Each input gets the gradient where it was chosen."""

    __slots__ = ()

    def forward(self, condition, a, b):
        self.save_for_backward(condition, shape_of(a), shape_of(b))
        return np.where(condition, a, b)

    def backward(self, grad_z):
        condition, a_shape, b_shape = self.saved
        grad_a = grad_b = None
        if self.needs_input_grad[1]:
            grad_a = sum_to_shape(np.where(condition, grad_z, 0), a_shape)
        if self.needs_input_grad[2]:
            grad_b = sum_to_shape(np.where(condition, 0, grad_z), b_shape)
        return None, grad_a, grad_b


def where(condition, a, b):
    """Choose from ``a`` where ``condition`` is true and from ``b`` elsewhere."""
    return Where.apply(condition, a, b)
