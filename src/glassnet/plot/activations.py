"""Every element-wise activation of glassnet with its derivative, in one grid.

The derivative is not a hand-written formula: ``activation_and_derivative`` runs the
function on a float64 tensor and calls ``backward()``, so the dashed curve is what the
engine's own backward computes (since each output depends only on its own input,
d(Σ f(x_i))/dx_i = f′(x_i)). At a kink the engine's convention shows: ReLU's derivative at
exactly 0 is 0.

Example:
    >>> import numpy as np
    >>> y, slope = activation_and_derivative("sigmoid", np.array([0.0]))
    >>> float(y[0]), float(slope[0])
    (0.5, 0.25)
"""

import math

import numpy as np

from glassnet.creation import tensor
from glassnet.errors import ConfigError, ShapeError
from glassnet.i18n import text
from glassnet.nn import functional as F
from glassnet.plot.figure import new_figure, save_png, set_language
from glassnet.plot.messages import MESSAGES

# The element-wise activations of glassnet.nn.functional, with their default parameters
# (leaky ReLU's slope 0.01, ELU's alpha 1, exact GELU). Softmax and maxout mix several inputs,
# so they have no curve of one variable.
ACTIVATIONS = {
    "sigmoid": F.sigmoid,
    "tanh": F.tanh,
    "relu": F.relu,
    "leaky_relu": F.leaky_relu,
    "elu": F.elu,
    "softplus": F.softplus,
    "gelu": F.gelu,
}


def activation_and_derivative(name: str, x) -> tuple[np.ndarray, np.ndarray]:
    """f(x) and f′(x) of the activation ``name``, both from the engine, in float64.

    Args:
        name: one of ``ACTIVATIONS``.
        x: a 1-D array of points.

    Returns:
        ``(f(x), f′(x))`` as float64 arrays shaped like ``x``; f′ comes from ``backward()``.

    Raises:
        ConfigError: an unknown name (the message lists the known ones).
        ShapeError: ``x`` is not a non-empty 1-D array.
    """
    function = _activation(name)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size == 0:
        raise ShapeError(
            f"activation_and_derivative: expected a non-empty 1-D array of points, but got "
            f"shape {x.shape}. Use e.g. np.linspace(-5, 5, 401)."
        )
    inputs = tensor(x, dtype=np.float64, requires_grad=True)
    outputs = function(inputs)
    outputs.sum().backward()
    return outputs.data.copy(), inputs.grad.copy()


def activation_grid(names=None, *, x=None, columns: int = 4, lang: str = "en", path=None):
    """One panel per activation: f(x) solid and f′(x) dashed, on shared x values.

    Args:
        names: activations to draw (default: all of ``ACTIVATIONS``, in its order).
        x: the points (default: 401 points on [−5, 5]).
        columns: panels per row.
        lang: "en" or "fa" for the labels.
        path: when given, the figure is also saved there as a PNG.

    Returns:
        The matplotlib Figure.

    Raises:
        ConfigError: an unknown name.
    """
    names = list(ACTIVATIONS) if names is None else list(names)
    if not names:
        raise ConfigError(f"activation_grid: expected at least one of {list(ACTIVATIONS)}.")
    x = np.linspace(-5.0, 5.0, 401) if x is None else np.asarray(x, dtype=np.float64)
    curves = {name: activation_and_derivative(name, x) for name in names}
    columns = max(1, min(columns, len(names)))
    rows = math.ceil(len(names) / columns)
    figure = new_figure(3.1 * columns, 2.6 * rows + 0.6)
    grid = np.atleast_1d(figure.subplots(rows, columns, squeeze=False)).ravel()
    for axes, name in zip(grid, names):
        y, slope = curves[name]
        axes.axhline(0, color="0.75", linewidth=0.8)
        axes.axvline(0, color="0.75", linewidth=0.8)
        axes.plot(x, y, color="C0", linewidth=2, label=text(MESSAGES, "function", lang))
        axes.plot(x, slope, color="C3", linewidth=1.6, linestyle="--",
                  label=text(MESSAGES, "derivative", lang))
        axes.set_title(name)
        axes.grid(True, alpha=0.3)
    for axes in grid[len(names):]:
        axes.set_visible(False)
    handles, labels = grid[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=2, frameon=False)
    figure.suptitle(text(MESSAGES, "activations_title", lang))
    set_language(figure, lang)
    if path is not None:
        save_png(figure, path)
    return figure


def _activation(name: str):
    if name not in ACTIVATIONS:
        raise ConfigError(
            f"activation: expected one of {list(ACTIVATIONS)}, but got {name!r}."
        )
    return ACTIVATIONS[name]
