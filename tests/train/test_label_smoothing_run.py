"""`glassnet train --label-smoothing EPS`: the run's loss is the smoothed cross-entropy, and
bad values are refused before training."""

import math

import pytest

from glassnet.cli.main import main
from glassnet.errors import ConfigError
from glassnet.train.config import TrainConfig
from glassnet.train.history import read_jsonl
from tests.cli.cli_helpers import write_tiny_fashion_mnist

TRAIN = ["--model", "mlp", "--hidden", "64", "--epochs", "6", "--lr", "0.01",
         "--batch-size", "50", "--no-progress"]
SMOOTHING = 0.5


def smoothed_loss_floor(smoothing: float, n_classes: int = 10) -> float:
    """The entropy of the smoothed target: no prediction reaches a lower cross-entropy."""
    true_class = 1 - smoothing + smoothing / n_classes
    other_class = smoothing / n_classes
    return -(true_class * math.log(true_class)
             + (n_classes - 1) * other_class * math.log(other_class))


def step_losses(folder):
    return [record["loss"] for record in read_jsonl(folder / "metrics.jsonl")
            if record["kind"] == "step"]


def test_smoothed_runs_stay_above_the_smoothed_targets_entropy(tmp_path):
    data = write_tiny_fashion_mnist(tmp_path / "data", n_train=300, n_test=50)
    for name, extra in (("plain", []), ("smoothed", ["--label-smoothing", str(SMOOTHING)])):
        assert main(["train", "--data-dir", str(data), *TRAIN, *extra,
                     "--out", str(tmp_path), "--name", name]) == 0
    floor = smoothed_loss_floor(SMOOTHING)
    assert min(step_losses(tmp_path / "plain")) < floor - 0.5  # plain training goes below it
    assert min(step_losses(tmp_path / "smoothed")) >= floor - 1e-6
    assert min(step_losses(tmp_path / "smoothed")) < floor + 0.3  # and it still learns


@pytest.mark.parametrize("value", [-0.1, 1.0, 1.5])
def test_label_smoothing_outside_zero_to_one_is_refused(value, capsys):
    with pytest.raises(ConfigError, match=r"label_smoothing: expected in \[0, 1\)"):
        TrainConfig(label_smoothing=value)
    assert main(["train", "--label-smoothing", str(value)]) == 2
    assert "label_smoothing: expected in [0, 1), e.g. 0.1" in capsys.readouterr().err
