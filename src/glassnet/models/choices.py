"""Activations and initializations chosen by name, as in configs and on the command line."""

import functools

from glassnet import nn
from glassnet.errors import ConfigError

ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "softplus": nn.Softplus,
}

# None is PyTorch's default (U(±1/√fan_in)); the others are nn.init functions, with the
# gain for ReLU where the scheme has one (the lecture's He initialization).
INITIALIZERS = {
    "default": None,
    "small_random": nn.init.small_random,
    "xavier_uniform": nn.init.xavier_uniform,
    "xavier_normal": nn.init.xavier_normal,
    "kaiming_uniform": functools.partial(nn.init.kaiming_uniform, nonlinearity="relu"),
    "kaiming_normal": functools.partial(nn.init.kaiming_normal, nonlinearity="relu"),
    "zeros": nn.init.zeros,
}


def activation(name: str) -> nn.Module:
    """A new activation module for ``name`` (e.g. ``"relu"``)."""
    return ACTIVATIONS[_checked(name, ACTIVATIONS, "activation")]()


def initializer(name: str):
    """The ``init=`` value layers take for ``name`` (e.g. ``"kaiming_normal"``)."""
    return INITIALIZERS[_checked(name, INITIALIZERS, "init")]


def _checked(name: str, choices: dict, what: str) -> str:
    if name not in choices:
        raise ConfigError(f"{what}: expected one of {sorted(choices)}, but got {name!r}.")
    return name
