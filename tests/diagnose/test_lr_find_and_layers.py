"""The learning-rate range test, the lecture's layer statistics, and their figures."""

import itertools

import numpy as np
import pytest

from glassnet import nn, optim
from glassnet.diagnose import init_experiment, layer_statistics, lr_find
from glassnet.errors import ConfigError
from glassnet.plot.diagnose import layer_statistics_figure, lr_find_figure
from tests.diagnose.cases import data, mlp

CE = nn.CrossEntropyLoss()
PNG = b"\x89PNG\r\n\x1a\n"


def test_lr_find_suggests_a_tenth_of_the_minimum_and_restores_the_weights(tmp_path):
    X, y = data()
    model = mlp(2, 32, 3)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    before = model.state_dict()
    result = lr_find(model, CE, (X, y), optimizer=optimizer, steps=80, end_lr=1e4)
    assert result.refused is None and result.diverged_at is not None
    assert result.suggestion == pytest.approx(result.minimum_lr / 10)
    lowest = int(np.argmin(result.smoothed))
    assert result.minimum_lr == result.lrs[lowest]
    assert result.lrs[0] <= result.steepest_lr <= result.minimum_lr
    assert np.all(np.diff(np.log(result.lrs)) > 0)
    assert all(np.array_equal(model.state_dict()[k], v) for k, v in before.items())
    assert "Suggested learning rate" in result.describe()
    assert "نرخ یادگیری پیشنهادی" in result.describe("fa")
    path = lr_find_figure(result, tmp_path / "lr.png") and tmp_path / "lr.png"
    assert path.read_bytes()[:8] == PNG


def test_lr_find_refuses_a_flat_curve():
    X, y = data()
    result = lr_find(mlp(2, 8, 3), CE, (X, y), start_lr=1e-9, end_lr=1e-8, steps=20)
    assert result.refused == "flat" and result.suggestion is None
    assert "No learning rate can be read" in result.describe()


def test_lr_find_rejects_bad_ranges():
    X, y = data()
    with pytest.raises(ConfigError, match="start_lr < end_lr"):
        lr_find(mlp(2, 3), CE, (X, y), start_lr=1.0, end_lr=0.1)
    with pytest.raises(ConfigError, match="steps"):
        lr_find(mlp(2, 3), CE, (X, y), steps=2)


def test_the_lecture_experiment_reproduces_its_pictures():
    def stds(activation, init):
        return [layer["std"] for layer in init_experiment(activation, init, depth=6,
                                                          width=200, examples=300)]
    small = stds("tanh", "0.01")  # each layer multiplies the std by ≈ 0.01·√200 ≈ 0.14
    assert all(0.08 < b / a < 0.2 for a, b in itertools.pairwise(small))
    assert all(s > 0.95 for s in stds("tanh", "1.0"))  # saturated at ±1
    relu_xavier, relu_he = stds("relu", "xavier"), stds("relu", "he")
    assert relu_xavier[-1] / relu_xavier[0] < 0.25  # halves (in variance) every layer
    assert 0.7 < relu_he[-1] / relu_he[0] < 1.4  # He keeps it


def test_layer_statistics_reads_every_activation_layer_in_order(tmp_path):
    X, _ = data()
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.ReLU(),
                          nn.Linear(8, 3))
    stats = layer_statistics(model, X)
    assert [(s["name"], s["type"]) for s in stats] == [("1", "Tanh"), ("3", "ReLU")]
    assert sum(stats[0]["counts"]) == len(X) * 8 and model.training
    figure = layer_statistics_figure({"xavier": stats, "he": stats}, title="t",
                                     path=tmp_path / "layers.png")
    assert (tmp_path / "layers.png").read_bytes()[:8] == PNG
    assert len(figure.axes) == 2 * 2 + 1
