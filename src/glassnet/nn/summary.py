"""``summary(model, input_shape)``: a table of layers, output shapes and parameter counts.

It runs one forward pass on zeros (batch of 1, eval mode, no graph) with a forward hook on
every layer, so the shapes are the real ones, and puts the model back in its previous mode.
Sliding-window layers show their kernel and stride (``Conv2d 3×3/2``: 3×3, stride 2). A
convolution or pool whose windows never read some rows or columns at the end of its input
(the lecture's 7×7 input with F = 3, S = 3) is marked ``!`` and explained under the table,
with the same sentence the layer's ``UncoveredInputWarning`` carries.
"""

import textwrap
import warnings
from dataclasses import dataclass

import numpy as np

from glassnet.autograd.grad_mode import no_grad
from glassnet.errors import ConfigError, UncoveredInputWarning
from glassnet.nn.module import Module
from glassnet.nn.parameter import Parameter
from glassnet.tensor import Tensor


@dataclass(frozen=True)
class LayerSummary:
    """One row: the layer's dotted name and class, its output shape without the leading
    (batch) axis — a tuple of such shapes for several outputs — the number of parameter
    elements it owns directly, its window as kernel/stride (``"3×3/2"``; empty for layers
    without one), and a note when its windows leave part of its input unread (None
    otherwise)."""

    name: str
    layer: str
    output_shape: tuple
    num_params: int
    window: str = ""
    note: str | None = None

    @property
    def label(self) -> str:
        """``layer2.0.conv1 (Conv2d 3×3/2)``: the name, class and window of the row."""
        window = f" {self.window}" if self.window else ""
        return f"{self.name} ({self.layer}{window})"


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
            (f"{r.label}{' !' if r.note else ''}", _format_shape(r.output_shape),
             f"{r.num_params:,}")
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
        notes = [
            textwrap.fill(f"! {r.label}: {r.note}", max(len(rule), 88),
                          subsequent_indent="  ")
            for r in self.rows if r.note
        ]
        if notes:
            lines += ["Input never seen (the output sizes round down):", *notes, rule]
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
        -------------------------------------
        Layer (type)    Output shape  Param #
        =====================================
        0 (Conv2d 5×5)  10×32×32          760
        -------------------------------------
        Input shape: 3×32×32
        Total params: 760
        Trainable params: 760
        Non-trainable params: 0
        Buffers: 0 elements
        Params size: 2.97 KiB
        Activations per example: 40.00 KiB
        -------------------------------------

        The lecture's 7×7 input with F = 3, S = 3 does not fit: the row is marked and
        explained.

        >>> info = nn.summary(nn.Sequential(nn.Conv2d(1, 1, 3, stride=3)), (1, 7, 7))
        >>> print(str(info).splitlines()[3])
        0 (Conv2d 3×3/3) !  1×2×2              10
        >>> import textwrap
        >>> print(textwrap.fill(info.rows[0].note, 80))
        Conv2d(1→1, 3×3, stride 3) on 7×7: (7 − 3)/3 + 1 = 2.33 along both axes, so the
        last row and the last column of the input are never seen; pad by 1 on each side
        (padding=1) or use stride=2.
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
    # The rows carry the layers' coverage notes: keep their warnings quiet here, and let
    # them warn later as if this pass had not happened.
    checked_sizes = [(m, set(m._checked_sizes)) for m in model.modules()
                     if isinstance(getattr(m, "_checked_sizes", None), set)]
    model.eval()
    try:
        with no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore", UncoveredInputWarning)
            model(Tensor._wrap(np.zeros((1, *shape), dtype=dtype)))
    finally:
        for handle in handles:
            handle.remove()
        for module, mode in was_training:
            module.training = mode
        for module, sizes in checked_sizes:
            module._checked_sizes = sizes
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
        note = None
        if hasattr(module, "uncovered_input") and inputs and isinstance(inputs[0], Tensor):
            note = module.uncovered_input(inputs[0].shape)
        rows.append(LayerSummary(name, type(module).__name__, shapes, count, _window(module),
                                 note))

    return hook


def _window(module) -> str:
    """Kernel/stride of a sliding-window layer (``3×3/2``, ``7×7`` when the stride is 1)."""
    kernel, stride = getattr(module, "kernel_size", None), getattr(module, "stride", None)
    if kernel is None or stride is None:
        return ""
    kernel = kernel if isinstance(kernel, tuple) else (kernel,)
    stride = stride if isinstance(stride, tuple) else (stride,)
    text = "×".join(str(k) for k in kernel)
    if any(s != 1 for s in stride):
        text += "/" + (str(stride[0]) if len(set(stride)) == 1 else "×".join(map(str, stride)))
    return text


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
