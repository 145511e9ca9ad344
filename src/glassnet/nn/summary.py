"""``summary(model, input_shape)``: a table of layers, output shapes and parameter counts.

It runs one forward pass on zeros (batch of 1, eval mode, no graph) with a forward hook on
every layer, so the shapes are the real ones, and puts the model back in its previous mode.
"""

from dataclasses import dataclass

import numpy as np

from glassnet.autograd.grad_mode import no_grad
from glassnet.errors import ConfigError
from glassnet.nn.module import Module
from glassnet.nn.parameter import Parameter
from glassnet.tensor import Tensor


@dataclass(frozen=True)
class LayerSummary:
    """One row: the layer's dotted name and class, its output shape without the leading
    (batch) axis — a tuple of such shapes for several outputs — and the number of parameter
    elements it owns directly."""

    name: str
    layer: str
    output_shape: tuple
    num_params: int


@dataclass(frozen=True)
class ModelSummary:
    """The rows, and totals: parameters (all, trainable), buffer elements, and the bytes of
    one example's parameters and layer outputs (activations, what training keeps)."""

    rows: tuple
    input_shape: tuple
    total_params: int
    trainable_params: int
    buffer_elements: int
    param_bytes: int
    activation_bytes: int

    def __str__(self) -> str:
        header = ("Layer (type)", "Output shape", "Param #")
        body = [
            (f"{r.name} ({r.layer})", _format_shape(r.output_shape), f"{r.num_params:,}")
            for r in self.rows
        ]
        widths = [max(len(line[i]) for line in [header, *body]) for i in range(3)]
        rule = "-" * (sum(widths) + 4)

        def line(cells):
            return f"{cells[0]:<{widths[0]}}  {cells[1]:<{widths[1]}}  {cells[2]:>{widths[2]}}"

        lines = [rule, line(header), rule.replace("-", "=")]
        lines += [line(cells) for cells in body]
        lines += [
            rule,
            f"Input shape: {_format_shape(self.input_shape)}",
            f"Total params: {self.total_params:,}",
            f"Trainable params: {self.trainable_params:,}",
            f"Non-trainable params: {self.total_params - self.trainable_params:,}",
            f"Buffers: {self.buffer_elements:,} elements",
            f"Params size: {_format_bytes(self.param_bytes)}",
            f"Activations per example: {_format_bytes(self.activation_bytes)}",
            rule,
        ]
        return "\n".join(lines)


def summary(model: Module, input_shape: tuple, *, dtype=None) -> ModelSummary:
    """Describe ``model`` layer by layer for one input of ``input_shape`` (no batch axis).

    Rows list the leaf layers (those without submodules) and any module that owns
    parameters directly, in call order; a layer called twice appears twice. Shapes exclude
    the batch axis.

    Args:
        model: the Module.
        input_shape: the shape of one example, e.g. (3, 32, 32).
        dtype: the input's dtype; default the dtype of the model's first parameter.

    Returns:
        A ``ModelSummary``; ``print(summary(...))`` shows the table.

    Example (the lecture's: 32×32×3 input, 10 filters 5×5, stride 1, pad 2):
        >>> import glassnet.nn as nn
        >>> info = nn.summary(nn.Sequential(nn.Conv2d(3, 10, 5, stride=1, padding=2)),
        ...                   (3, 32, 32))
        >>> info.rows[0].output_shape, info.rows[0].num_params
        ((10, 32, 32), 760)
        >>> print(info)
        -----------------------------------
        Layer (type)  Output shape  Param #
        ===================================
        0 (Conv2d)    10×32×32          760
        -----------------------------------
        Input shape: 3×32×32
        Total params: 760
        Trainable params: 760
        Non-trainable params: 0
        Buffers: 0 elements
        Params size: 2.97 KiB
        Activations per example: 40.00 KiB
        -----------------------------------
    """
    if not isinstance(model, Module):
        raise ConfigError(f"summary: expected a Module, but got {type(model).__name__}.")
    shape = _input_shape(input_shape)
    if dtype is None:
        first = next(iter(model.parameters()), None)
        dtype = np.float32 if first is None else first.dtype
    rows, handles, activation_elements = [], [], [0]
    for name, module in model.named_modules():
        own = [v for _, v in module._named_members() if isinstance(v, Parameter)]
        if module is model and not own and any(True for _ in model.children()):
            continue
        if any(True for _ in module.children()) and not own:
            continue
        count = sum(p.size for p in own)
        handles.append(
            module.register_forward_hook(
                _recorder(rows, activation_elements, name or type(module).__name__, count)
            )
        )
    was_training = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        with no_grad():
            model(Tensor._wrap(np.zeros((1, *shape), dtype=dtype)))
    finally:
        for handle in handles:
            handle.remove()
        for module, mode in was_training:
            module.training = mode
    parameters = list(model.parameters())
    itemsize = np.dtype(dtype).itemsize
    return ModelSummary(
        rows=tuple(rows),
        input_shape=shape,
        total_params=sum(p.size for p in parameters),
        trainable_params=sum(p.size for p in parameters if p.requires_grad),
        buffer_elements=sum(b.size for b in model.buffers()),
        param_bytes=sum(p.data.nbytes for p in parameters),
        activation_bytes=activation_elements[0] * itemsize,
    )


def _recorder(rows: list, activation_elements: list, name: str, count: int):
    def hook(module, inputs, output):
        shapes = _output_shapes(output)
        activation_elements[0] += sum(int(np.prod(s)) for s in _flat(shapes))
        rows.append(LayerSummary(name, type(module).__name__, shapes, count))

    return hook


def _output_shapes(output):
    if isinstance(output, Tensor):
        return tuple(output.shape[1:])
    if isinstance(output, (tuple, list)):
        return tuple(_output_shapes(o) for o in output)
    return ()


def _flat(shapes):
    if all(isinstance(s, int) for s in shapes):
        return [shapes]
    return [leaf for s in shapes for leaf in _flat(s)]


def _input_shape(input_shape) -> tuple:
    values = (input_shape,) if isinstance(input_shape, int) else tuple(input_shape)
    if not values or any(
        isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1 for n in values
    ):
        raise ConfigError(
            f"summary: expected input_shape as positive ints without the batch axis, e.g. "
            f"(3, 32, 32), but got {input_shape!r}."
        )
    return tuple(int(n) for n in values)


def _format_shape(shape) -> str:
    if shape and not all(isinstance(n, int) for n in shape):
        return ", ".join(_format_shape(s) for s in shape)
    return "×".join(str(n) for n in shape) if shape else "scalar"


def _format_bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.2f} {unit}"
        n /= 1024
    return f"{n:.2f} GiB"
