"""`glassnet train / evaluate / predict / summary / datasets` end to end on a tiny dataset."""

import json
import re

import numpy as np
import pytest

from glassnet.cli.main import main
from tests.ci import real_fashion_mnist
from tests.cli.cli_helpers import write_tiny_fashion_mnist


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    """One small MLP run shared by the tests that read its folder."""
    root = tmp_path_factory.mktemp("cli")
    data = write_tiny_fashion_mnist(root, 300, 100)
    code = main(["train", "--data-dir", str(data), "--model", "mlp", "--hidden", "32",
                 "--epochs", "3", "--lr", "0.01", "--batch-size", "32", "--out", str(root),
                 "--name", "run", "--no-progress"])
    return code, root / "run", data


def test_train_writes_a_complete_run_folder_and_reports_test_accuracy(trained_run, capsys):
    code, folder, _ = trained_run
    assert code == 0
    for name in ("config.json", "environment.json", "metrics.jsonl", "metrics.csv",
                 "last.safetensors", "best.safetensors", "test_metrics.json"):
        assert (folder / name).is_file(), name
    environment = json.loads((folder / "environment.json").read_text())
    assert environment["numpy"] == np.__version__ and "OMP_NUM_THREADS" in str(environment)


def test_train_output_has_epoch_lines_and_a_final_accuracy_line(tmp_path, capsys):
    data = write_tiny_fashion_mnist(tmp_path, 300, 100)
    assert main(["train", "--data-dir", str(data), "--model", "softmax_regression",
                 "--epochs", "2", "--lr", "0.01", "--out", str(tmp_path), "--name", "r",
                 "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"Finished epoch 2 / 2: cost \d+\.\d{6}, train: [01]\.\d{3}, val [01]\.\d{3}, "
                     r"lr 1\.0e-02", out)
    last_line = out.strip().splitlines()[-1]
    match = re.fullmatch(r"test accuracy: (0\.\d{4}|1\.0000) \(run folder: .+\)", last_line)
    assert match and float(match.group(1)) > 0.5  # chance is 0.1
    assert "\r" not in out and "\x1b[" not in out  # no bar redraws when not a terminal


def test_evaluate_reproduces_the_runs_test_accuracy(trained_run, capsys):
    _, folder, _ = trained_run
    capsys.readouterr()
    assert main(["evaluate", str(folder)]) == 0
    accuracy = float(re.search(r"test accuracy: ([\d.]+)", capsys.readouterr().out).group(1))
    recorded = json.loads((folder / "test_metrics.json").read_text())["accuracy"]
    assert accuracy == pytest.approx(recorded, abs=5e-5)


def test_predict_classifies_npy_images(trained_run, tmp_path, capsys):
    _, folder, _ = trained_run
    image = np.zeros((28, 28), dtype=np.uint8)
    image[8:10, :] = 240  # class 4's band
    np.save(tmp_path / "four.npy", image)
    capsys.readouterr()
    assert main(["predict", str(folder), str(tmp_path / "four.npy")]) == 0
    assert re.search(r"four\.npy: class 4 \(Coat\), probability", capsys.readouterr().out)


def test_predict_reads_png_images(trained_run, tmp_path, capsys):
    image_module = pytest.importorskip("PIL.Image", reason="Pillow is the optional 'images' extra")
    _, folder, _ = trained_run
    pixels = np.zeros((28, 28), dtype=np.uint8)
    pixels[14:16, :] = 240  # class 7's band
    image_module.fromarray(pixels).save(tmp_path / "seven.png")
    capsys.readouterr()
    assert main(["predict", str(folder), str(tmp_path / "seven.png")]) == 0
    assert re.search(r"seven\.png: class 7 \(Sneaker\)", capsys.readouterr().out)


def test_predict_rejects_an_image_of_the_wrong_size(trained_run, tmp_path, capsys):
    _, folder, _ = trained_run
    np.save(tmp_path / "small.npy", np.zeros((12, 12), dtype=np.uint8))
    assert main(["predict", str(folder), str(tmp_path / "small.npy")]) == 1
    assert "expected an image of shape (28, 28)" in capsys.readouterr().err


def test_resume_auto_continues_the_run(trained_run, capsys):
    _, folder, data = trained_run
    capsys.readouterr()
    code = main(["train", "--data-dir", str(data), "--model", "mlp", "--hidden", "32",
                 "--epochs", "4", "--lr", "0.01", "--batch-size", "32", "--out",
                 str(folder.parent), "--name", "run", "--resume", "auto", "--no-progress"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Finished epoch 4 / 4" in out and "Finished epoch 3 / 4" not in out


def test_a_huge_learning_rate_stops_with_advice_and_exit_code_1(tmp_path, capsys):
    data = write_tiny_fashion_mnist(tmp_path, 300, 100)
    with np.errstate(over="ignore", invalid="ignore"):
        code = main(["train", "--data-dir", str(data), "--model", "mlp", "--lr", "1e6",
                     "--optimizer", "sgd", "--epochs", "2", "--out", str(tmp_path),
                     "--no-progress"])
    assert code == 1
    assert "learning rate is most likely too high" in capsys.readouterr().err
    run_folder = next(p for p in tmp_path.iterdir() if p.is_dir() and p.name != "cli")
    assert (run_folder / "diverged.safetensors").is_file()


def test_config_file_values_apply_and_options_override_them(tmp_path, capsys):
    data = write_tiny_fashion_mnist(tmp_path, 300, 100)
    config = tmp_path / "run.toml"
    config.write_text(f'model = "softmax_regression"\nepochs = 1\nlr = 0.5\n'
                      f'data_dir = "{data}"\nname = "from-file"\nout = "{tmp_path}"\n')
    assert main(["train", "--config", str(config), "--lr", "0.01", "--no-progress"]) == 0
    saved = (tmp_path / "from-file" / "config.json").read_text()
    assert '"model": "softmax_regression"' in saved and '"lr": 0.01' in saved


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('epochs = 2\nlearning_rate = 0.1\n', r"run\.toml:2: unknown key 'learning_rate'"),
        ('epochs = "two"\n', r"run\.toml:1: epochs expects int"),
        ("epochs = \n", r"TOML syntax error.*line 1"),
        ("lr = -1.0\n", r"lr: expected a positive number"),
    ],
)
def test_bad_config_files_exit_2_naming_file_line_and_key(tmp_path, capsys, content, message):
    config = tmp_path / "run.toml"
    config.write_text(content)
    assert main(["train", "--config", str(config)]) == 2
    assert re.search(message, capsys.readouterr().err)


def test_invalid_choices_exit_2_and_list_the_valid_ones(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--optimizer", "adamax"])
    assert exit_info.value.code == 2
    assert "choose from" in capsys.readouterr().err


def test_missing_dataset_names_the_files_and_places(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    code = main(["train", "--dataset", "mnist", "--data-dir", str(tmp_path), "--out",
                 str(tmp_path)])
    assert code == 1
    assert "train-images-idx3-ubyte" in capsys.readouterr().err


def test_summary_shows_the_reference_cnn(capsys):
    assert main(["summary", "--model", "cnn"]) == 0
    out = capsys.readouterr().out
    assert "Total params: 421,642" in out and "64×7×7" in out


def test_datasets_lists_every_dataset_and_where_it_looked(tmp_path, capsys):
    write_tiny_fashion_mnist(tmp_path, 300, 100)
    assert main(["datasets", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"fashion-mnist: found in {tmp_path}" in out
    assert "cifar10:" in out and "searched:" in out


def test_real_fashion_mnist_smoke(tmp_path, capsys):
    real_fashion_mnist()  # found by the default search, as a user's run finds it
    code = main(["train", "--model", "mlp", "--epochs", "1", "--train-limit", "3000",
                 "--out", str(tmp_path), "--name", "real", "--no-progress"])
    assert code == 0
    accuracy = float(re.search(r"test accuracy: ([\d.]+)", capsys.readouterr().out).group(1))
    assert accuracy > 0.7  # 10,000 real test images; chance is 0.1
