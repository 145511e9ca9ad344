"""The lecture's experiment: how activations are distributed layer by layer, and how the
weight initialization decides it.

``layer_statistics(model, X)`` runs ``model`` on ``X`` (no graph) and returns, for every
activation layer in call order, the mean, the standard deviation and a histogram of its
outputs. ``init_experiment`` rebuilds the lecture's network — 10 fully connected layers of
500 units, no biases, inputs from N(0, 1) — for one activation and one initialization:

===============  =======================================================================
init             weights
===============  =======================================================================
``"0.01"``       0.01·N(0, 1): activations shrink towards 0 layer after layer
``"1.0"``        1.0·N(0, 1): tanh units saturate at ±1
``"xavier"``     N(0, 1)/√fan_in: tanh keeps its spread; ReLU halves it every layer
``"he"``         N(0, 1)/√(fan_in/2): ReLU keeps its spread
===============  =======================================================================

Example:
    >>> stats = init_experiment("tanh", "0.01", depth=4, width=100, examples=200)
    >>> [round(layer["std"], 4) for layer in stats][-1] < 1e-3
    True
"""

import math

import numpy as np

from glassnet import nn
from glassnet.autograd.grad_mode import no_grad
from glassnet.creation import as_tensor
from glassnet.diagnose.trace import leaf_modules
from glassnet.errors import ConfigError

INITS = {
    "0.01": lambda fan_in: 0.01,
    "1.0": lambda fan_in: 1.0,
    "xavier": lambda fan_in: 1.0 / math.sqrt(fan_in),
    "he": lambda fan_in: 1.0 / math.sqrt(fan_in / 2),
}
ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid}
_ACTIVATION_TYPES = (nn.Tanh, nn.ReLU, nn.Sigmoid, nn.LeakyReLU, nn.ELU, nn.GELU,
                     nn.Softplus)
BINS = 30


def layer_statistics(model, X, *, bins: int = BINS) -> list:
    """Mean, std and histogram of the output of every activation layer of ``model`` on
    ``X``, in call order (eval mode, no graph; the mode is restored).

    Returns:
        One dict per activation layer: ``name``, ``type``, ``mean``, ``std``, ``counts``
        and ``edges`` (the histogram over the layer's own range).
    """
    found = []
    handles = []
    for name, module in leaf_modules(model):
        if isinstance(module, _ACTIVATION_TYPES):
            def hook(module, args, output, name=name):
                values = np.asarray(output.data, dtype=np.float64).ravel()
                counts, edges = np.histogram(values, bins=bins)
                found.append({"name": name, "type": type(module).__name__,
                              "mean": float(values.mean()), "std": float(values.std()),
                              "counts": counts.tolist(), "edges": edges.tolist()})
            handles.append(module.register_forward_hook(hook))
    was_training = model.training
    try:
        model.eval()
        with no_grad():
            model(as_tensor(X))
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    return found


def lecture_network(activation: str, init: str, *, depth: int = 10, width: int = 500,
                    seed: int = 0) -> nn.Sequential:
    """The lecture's ``depth``-layer network of ``width`` units, without biases, with
    weights N(0, 1) × the scale ``init`` names."""
    if activation not in ACTIVATIONS:
        raise ConfigError(f"init_experiment: expected activation in {sorted(ACTIVATIONS)}, "
                          f"but got {activation!r}.")
    if init not in INITS:
        raise ConfigError(f"init_experiment: expected init in {list(INITS)}, but got {init!r}.")
    rng = np.random.default_rng(seed)
    layers = []
    for _ in range(depth):
        layer = nn.Linear(width, width, bias=False)
        layer.weight.data[...] = rng.standard_normal((width, width)) * INITS[init](width)
        layers += [layer, ACTIVATIONS[activation]()]
    return nn.Sequential(*layers)


def init_experiment(activation: str = "tanh", init: str = "xavier", *, depth: int = 10,
                    width: int = 500, examples: int = 1000, seed: int = 0) -> list:
    """``layer_statistics`` of the lecture's network on ``examples`` inputs from N(0, 1)."""
    model = lecture_network(activation, init, depth=depth, width=width, seed=seed)
    X = np.random.default_rng(seed + 1).standard_normal((examples, width)).astype(np.float32)
    return layer_statistics(model, X)
