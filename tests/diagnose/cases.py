"""Tiny setups shared by the doctor's tests: 2-D blobs and small MLPs (seconds in all)."""

import itertools

import numpy as np

from glassnet import nn
from glassnet.autograd.function import Function
from glassnet.data import blobs


def data(n_per_class=60, classes=3, seed=0):
    X, y = blobs(n_per_class, classes, distance=3.0, generator=np.random.default_rng(seed))
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    order = np.random.default_rng(seed + 1).permutation(len(X))
    return X[order].astype(np.float32), y[order]


def mlp(*sizes, activation=nn.ReLU, seed=0, final=None, init=None):
    layers = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(a, b, init=init, generator=np.random.default_rng(seed + i)))
        if i < len(sizes) - 2:
            layers.append(activation())
    if final is not None:
        layers.append(final)
    return nn.Sequential(*layers)


class DoubleWithWrongBackward(Function):
    """y = 2x whose backward returns the incoming gradient unchanged (should be 2×)."""

    def forward(self, x):
        return 2 * x

    def backward(self, grad_out):
        return grad_out


class Double(nn.Module):
    def forward(self, x):
        return DoubleWithWrongBackward.apply(x)


class ReshapeNotTranspose(nn.Module):
    def forward(self, x):
        return x.reshape(x.shape[1], x.shape[0]).T


def record(step, layers=None, params=None, loss=1.0):
    """A hand-built telemetry record."""
    return {"step": step, "loss": loss, "layers": layers or {}, "params": params or {}}
