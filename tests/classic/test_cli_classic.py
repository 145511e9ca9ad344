"""`glassnet classic`: runs each model end to end on small stand-in data and prints accuracy
and timing; bad options exit 2 listing the valid choices."""

import re
import subprocess
import sys

import numpy as np
import pytest

from glassnet.cli import classic
from glassnet.cli.main import main
from glassnet.data import blobs
from glassnet.errors import DatasetNotFoundError


def fake_images(n_train=300, n_test=100):
    """Four well-separated classes as uint8 "images" of 4×4 pixels."""
    X, y = blobs((n_train + n_test) // 4, 4, n_features=16, spread=1.0,
                 generator=np.random.default_rng(0))
    order = np.random.default_rng(1).permutation(len(X))
    images = np.clip(X * 8 + 128, 0, 255).astype(np.uint8).reshape(-1, 4, 4)[order]
    labels = y[order]
    return images[:n_train], labels[:n_train], images[n_train:], labels[n_train:]


@pytest.fixture
def small_data(monkeypatch):
    def load(args):
        X_train, y_train, X_test, y_test = fake_images()
        return X_train[: args.train_size], y_train[: args.train_size], X_test, y_test

    monkeypatch.setattr(classic, "_load", load)


def test_knn_prints_test_accuracy_and_timing(small_data, capsys):
    assert main(["classic", "knn", "--k", "3", "--metric", "l1"]) == 0
    out = capsys.readouterr().out
    accuracy = float(re.search(r"knn \(k=3, l1\): test accuracy ([\d.]+)", out).group(1))
    assert accuracy > 0.9  # chance is 0.25
    assert re.search(r"predict [\d.]+ s for 100 test against 300 training images", out)


def test_knn_with_cv_reports_every_candidate_and_uses_the_best(small_data, capsys):
    assert main(["classic", "knn", "--cv", "--k", "1", "3", "7", "--cv-size", "200"]) == 0
    out = capsys.readouterr().out
    assert "5-fold cross-validation on 200 training images" in out
    assert len(re.findall(r"k = +\d+: accuracy", out)) == 3
    best = int(re.search(r"best k = (\d+)", out).group(1))
    assert f"knn (k={best}, l2): test accuracy" in out


@pytest.mark.parametrize("model", ["svm", "softmax"])
def test_linear_models_print_accuracy_well_above_chance(model, small_data, capsys):
    assert main(["classic", model, "--epochs", "5"]) == 0
    out = capsys.readouterr().out
    accuracy = float(re.search(rf"linear {model} .*test accuracy ([\d.]+)", out).group(1))
    assert accuracy > 0.9  # chance is 0.25
    assert re.search(r"time: train [\d.]+ s, predict [\d.]+ s for 100 test images", out)


def test_random_search_prints_its_best_loss_and_accuracy(small_data, capsys):
    assert main(["classic", "random-search", "--trials", "20"]) == 0
    out = capsys.readouterr().out
    match = re.search(r"random search \(20 guesses, svm loss\).*test accuracy ([\d.]+), "
                      r"best training loss ([\d.]+)", out)
    assert 0.0 <= float(match.group(1)) <= 1.0
    assert float(match.group(2)) == pytest.approx(3.0, abs=0.1)  # ≈ C − 1 at tiny weights


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["lasso"], "invalid choice: 'lasso' (choose from knn, svm, softmax, random-search)"),
        (["knn", "--dataset", "imagenet"], "choose from cifar10, fashion-mnist, mnist"),
        (["knn", "--metric", "l3"], "invalid choice: 'l3' (choose from l2, l1)"),
        (["knn", "--k", "0"], "expected a positive integer, but got 0"),
        (["knn", "--cv", "--folds", "1"], "expected at least 2 folds"),
        (["svm", "--lr", "0"], "expected a positive number, but got 0"),
        (["svm", "--reg", "-1"], "expected a non-negative number"),
    ],
)
def test_bad_options_exit_2_with_the_valid_choices(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["classic", *argv])
    assert exit_info.value.code == 2
    assert message.replace("'", "") in capsys.readouterr().err.replace("'", "")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["knn", "--k", "1", "3"], "expected one --k without --cv, but got 2 values"),
        (["svm", "--k", "3"], "--k and --cv apply to knn only"),
        (["knn", "--k", "301"], r"k ≤ the number of training examples \(300\)"),
        (["knn", "--k", "9", "--train-size", "5"], r"training examples \(5\), but got k=9"),
    ],
)
def test_options_that_conflict_with_each_other_or_the_data_exit_2(argv, message, small_data,
                                                                  capsys):
    assert main(["classic", *argv]) == 2
    assert re.search(message, capsys.readouterr().err)


def test_a_missing_dataset_exits_1_with_the_loader_message(monkeypatch, capsys):
    def missing(args):
        raise DatasetNotFoundError("fashion-mnist: no copy found; put the files in --data-dir")

    monkeypatch.setattr(classic, "_load", missing)
    assert main(["classic", "knn"]) == 1
    assert "no copy found" in capsys.readouterr().err


def test_dataset_choices_are_the_registry_names():
    from glassnet.data import available_datasets

    assert sorted(classic.DATASETS) == available_datasets()


def test_classic_help_runs_as_a_console_command():
    completed = subprocess.run(
        [sys.executable, "-m", "glassnet.cli.main", "classic", "--help"],
        capture_output=True, text=True,
    )
    assert completed.returncode == 0
    assert "random-search" in completed.stdout and "--cv" in completed.stdout
