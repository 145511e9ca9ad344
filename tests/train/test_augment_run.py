"""`glassnet train --augment`: the run's training batches are augmented, its evaluation data
never is, and bad names are refused before training."""

import numpy as np
import pytest

from glassnet.cli.main import main
from glassnet.data import Standardize
from glassnet.errors import ConfigError
from glassnet.serialization import load
from glassnet.train.config import TrainConfig
from glassnet.train.run import build_augment
from tests.cli.cli_helpers import write_tiny_fashion_mnist

TRAIN = ["--model", "cnn", "--channels", "4", "--hidden", "16", "--epochs", "1",
         "--batch-size", "50", "--no-progress"]


def weights(folder):
    return load(folder / "last.safetensors").state_dict()


def test_augmented_runs_train_on_other_images_and_repeat_exactly(tmp_path):
    data = write_tiny_fashion_mnist(tmp_path / "data", n_train=200, n_test=50)
    for name, extra in (("plain", []), ("augmented", ["--augment", "crop,flip,erase"]),
                        ("again", ["--augment", "crop,flip,erase"])):
        assert main(["train", "--data-dir", str(data), *TRAIN, *extra,
                     "--out", str(tmp_path), "--name", name]) == 0
    plain, augmented, again = (weights(tmp_path / n) for n in ("plain", "augmented", "again"))
    assert any(not np.array_equal(plain[k], augmented[k]) for k in plain)
    assert all(np.array_equal(augmented[k], again[k]) for k in augmented)


def test_the_fill_value_is_a_blank_pixel_after_standardization():
    two_images = np.stack([np.full((28, 28), 25.0), np.full((28, 28), 75.0)])
    scaler = Standardize(per="global").fit(two_images)  # mean 50, std 25
    record = {"scaler": scaler.state_dict(), "input_shape": [1, 28, 28]}
    augment = build_augment(TrainConfig(augment=["crop", "erase"]), record,
                            np.random.SeedSequence(0))
    crop, erase = augment.transforms
    assert crop.padding == 3 and crop.fill == pytest.approx(-2.0) == erase.fill


def test_unknown_augmentations_are_refused(capsys):
    with pytest.raises(ConfigError, match="augment"):
        TrainConfig(augment=["rotate"])
    assert main(["train", "--augment", "crop,rotate"]) == 2
    assert "augment: expected one of ['crop', 'flip', 'erase']" in capsys.readouterr().err
