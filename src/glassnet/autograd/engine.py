"""The backward pass: walk the recorded graph in reverse topological order.

Each non-leaf Tensor remembers the ``Function`` that made it (``tensor._ctx``), and the
Function remembers its inputs. ``backward`` orders those nodes so that every node comes
before the nodes it was computed from, then hands each node's gradient to its Function,
which returns one gradient per input. Gradients meeting at a node from several uses add up;
leaves (tensors created by the user with ``requires_grad=True``) accumulate theirs in
``.grad`` across calls until zeroed. The walk is iterative, so a chain of 100,000 ops needs
no recursion.
"""

import numpy as np

from glassnet.errors import GraphError, ShapeError
from glassnet.tensor import Tensor


def backward(root, grad_out=None, *, retain_graph: bool = False) -> None:
    """Backpropagate from ``root``; see ``Tensor.backward``."""
    if not root.requires_grad:
        raise GraphError(
            "backward: this tensor does not require grad, so there is no graph to walk. "
            "Create the inputs with requires_grad=True (and outside no_grad())."
        )
    grad_out = _initial_gradient(root, grad_out)
    if root._ctx is None:
        _accumulate_into_leaf(root, grad_out)
        return
    pending = {id(root): grad_out}
    for node in _topological_order(root):
        fn = node._ctx
        grad = pending.pop(id(node), None)
        if grad is not None:
            input_grads = fn.run_backward(grad)
            for x, grad_x, needs in zip(fn.inputs, input_grads, fn.needs_input_grad):
                if not needs or grad_x is None:
                    continue
                if x._ctx is None:
                    _accumulate_into_leaf(x, grad_x)
                elif id(x) in pending:
                    pending[id(x)] = pending[id(x)] + grad_x
                else:
                    pending[id(x)] = grad_x
        if not retain_graph:
            fn.release()


def _initial_gradient(root, grad_out) -> np.ndarray:
    if grad_out is None:
        if root.data.size != 1:
            raise GraphError(
                f"backward: expected a scalar output, but got shape {root.shape}. "
                "Reduce it first (e.g. loss.sum() or loss.mean()) or pass the gradient "
                "explicitly: y.backward(grad)."
            )
        return np.ones_like(root.data)
    if isinstance(grad_out, Tensor):
        grad_out = grad_out.data
    grad_out = np.asarray(grad_out, dtype=root.dtype)
    if grad_out.shape != root.shape:
        raise ShapeError(
            f"backward: expected a gradient of shape {root.shape} (the output's shape), "
            f"but got {grad_out.shape}."
        )
    return grad_out


def _topological_order(root) -> list:
    """Non-leaf tensors reachable from ``root``, each before every tensor it was made from."""
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for x in node._ctx.inputs:
            if isinstance(x, Tensor) and x._ctx is not None and id(x) not in visited:
                stack.append((x, False))
    order.reverse()
    return order


def _accumulate_into_leaf(leaf, grad: np.ndarray) -> None:
    if leaf.grad is None:
        # A copy: the same gradient array may reach several leaves (e.g. through add), and
        # optimizers and clipping later update .grad in place.
        leaf.grad = np.array(grad, dtype=leaf.dtype, copy=True)
    else:
        leaf.grad += grad
