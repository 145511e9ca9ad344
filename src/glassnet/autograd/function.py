"""``Function``: one differentiable op, forward and backward side by side.

A subclass writes ``forward(*arrays, **options) -> ndarray`` and
``backward(grad_out) -> grad or tuple of grads`` (one per positional input, ``None`` where
no gradient is needed). ``forward`` keeps what ``backward`` needs with
``save_for_backward``; the engine frees it after the backward pass. ``backward`` never
writes into ``grad_out`` (it may be a read-only broadcast view) and returns gradients with
the shapes of the inputs. ``self.needs_input_grad`` says which inputs want one.

``Function.apply(*inputs, **options)`` runs the op on Tensors. Inputs that are not Tensors
(Python numbers, NumPy arrays) are constants: they reach ``forward`` unchanged, so NumPy's
promotion rules apply exactly (``float32 tensor * 2.0`` stays float32), and they never get
a gradient.
"""

from glassnet.autograd import grad_mode
from glassnet.errors import GraphError
from glassnet.tensor import Tensor


class Function:
    """Base class of every op. See the module docstring for the contract."""

    __slots__ = ("inputs", "needs_input_grad", "released", "saved")

    def save_for_backward(self, *values) -> None:
        """Keep ``values`` (arrays, usually) for ``backward``; read them back as ``self.saved``."""
        self.saved = values

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement forward")

    def backward(self, grad_out):
        raise NotImplementedError(f"{type(self).__name__} must implement backward")

    @classmethod
    def apply(cls, *inputs, **kwargs):
        """Run the op forward and, when any input needs a gradient, record it in the graph."""
        fn = cls()
        values, needs_input_grad = [], []
        for x in inputs:
            if isinstance(x, Tensor):
                values.append(x.data)
                needs_input_grad.append(x._requires_grad)
            else:
                values.append(x)
                needs_input_grad.append(False)
        record = grad_mode._grad_enabled and True in needs_input_grad
        fn.needs_input_grad = tuple(needs_input_grad) if record else (False,) * len(inputs)
        out = fn.forward(*values, **kwargs)
        if not record:
            return Tensor._wrap(out)
        fn.inputs = inputs
        fn.released = False
        result = Tensor._wrap(out, requires_grad=True)
        result._ctx = fn
        return result

    def run_backward(self, grad_out):
        """Call ``backward`` and always return a tuple with one entry per input."""
        if self.released:
            raise GraphError(
                f"backward: the graph through {type(self).__name__} was already freed by an "
                "earlier backward(). Call backward(retain_graph=True) the first time to "
                "backpropagate through the same graph twice."
            )
        grads = self.backward(grad_out)
        return grads if isinstance(grads, tuple) else (grads,)

    def release(self) -> None:
        """Drop the saved arrays so the memory of the forward pass can be reclaimed."""
        self.saved = None
        self.released = True

