"""What the model is made of, seen by running it: its layers in call order and what
flows between them.

One forward pass on a small batch with a forward hook on every leaf layer records, for each
call, the layer's name and class, its input and its output. The structure rules read this
trace rather than the model's attributes, so models written as classes with their own
``forward`` are seen exactly as they run (a layer called twice appears twice, a layer
never called does not appear).

Kinds of layers, for the rules:

- affine: ``Linear``, ``Conv1d``, ``Conv2d`` — a learned linear map plus a bias;
- linear pass-through: reshaping, averaging, dropout and batch norm at inference — linear
  maps with nothing learned that could bend the function;
- everything else (activations, max pooling, layer norm, ...) is nonlinear.
"""

from dataclasses import dataclass, field

import numpy as np

from glassnet import nn
from glassnet.autograd.grad_mode import no_grad
from glassnet.creation import as_tensor
from glassnet.tensor import Tensor

AFFINE = (nn.Linear, nn.Conv1d, nn.Conv2d)
LINEAR_PASS = (nn.Flatten, nn.Identity, nn.Dropout, nn.AvgPool1d, nn.AvgPool2d,
               nn.GlobalAvgPool2d, nn.AdaptiveAvgPool2d, nn.BatchNorm1d, nn.BatchNorm2d)
RELU_LIKE = (nn.ReLU,)  # units that can die: exactly 0 with 0 gradient for x < 0
SATURATING = {nn.Tanh: (-1.0, 1.0), nn.Sigmoid: (0.0, 1.0)}
# The range of values an output layer can produce.
OUTPUT_RANGES = {nn.Sigmoid: (0.0, 1.0), nn.Tanh: (-1.0, 1.0), nn.ReLU: (0.0, np.inf),
                 nn.Softplus: (0.0, np.inf), nn.Softmax: (0.0, 1.0)}
BATCH_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d)


@dataclass
class Call:
    """One call of a leaf layer during the traced forward pass."""

    name: str
    module: object
    input: np.ndarray | None
    output: np.ndarray | None

    @property
    def kind(self) -> str:
        return type(self.module).__name__


@dataclass
class Trace:
    """The leaf layers in call order, the model's output, and the parameters by layer."""

    calls: list
    output: np.ndarray
    layer_of_parameter: dict = field(default_factory=dict)  # parameter name -> layer name

    def affine_calls(self) -> list:
        return [call for call in self.calls if isinstance(call.module, AFFINE)]


def leaf_modules(model) -> list:
    """(name, module) for every module without submodules, plus modules owning parameters
    directly, in definition order; the model itself when it has no submodules."""
    found = []
    for name, module in model.named_modules():
        children = list(module.named_children())
        owns_parameters = any(isinstance(value, nn.Parameter)
                              for _, value in module._named_members())
        if not children or owns_parameters:
            found.append((name or type(module).__name__, module))
    return found


def layer_of_parameters(model) -> dict:
    """Parameter name ("0.weight") -> the name of the layer that owns it ("0")."""
    owners = {}
    for module_name, module in model.named_modules():
        for name, value in module._named_members():
            if isinstance(value, nn.Parameter):
                full = f"{module_name}.{name}" if module_name else name
                owners.setdefault(full, module_name or type(module).__name__)
    return owners


def trace(model, inputs) -> Trace:
    """Run ``model`` once on ``inputs`` in eval mode without a graph, recording every leaf
    layer's call (name, input, output); the model's mode is restored afterwards."""
    calls = []
    handles = []
    for name, module in leaf_modules(model):
        def hook(module, args, output, name=name):
            first = args[0] if args else None
            calls.append(Call(name, module, _array(first), _array(output)))
        handles.append(module.register_forward_hook(hook))
    was_training = model.training
    try:
        model.eval()
        with no_grad():
            output = model(as_tensor(inputs))
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    return Trace(calls, _array(output), layer_of_parameters(model))


def same_per_example(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """Whether ``b`` is ``a`` passed on unchanged (up to a reshape of each example)."""
    if a is None or b is None or a.shape[:1] != b.shape[:1] or a.size != b.size:
        return False
    return bool(np.array_equal(a.reshape(len(a), -1), b.reshape(len(b), -1)))


def _array(value):
    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, np.ndarray):
        return value
    return None
