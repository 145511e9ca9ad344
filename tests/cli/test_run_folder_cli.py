"""No silent wrong answer: resume options, the run-folder lock and status, an explicit
--data-dir, and images unlike the training images (issue 18). Real processes throughout."""

import json
import os
import shutil

import numpy as np
import pytest

from glassnet.train.checkpoint import load_checkpoint, save_checkpoint
from glassnet.train.run_folder import RunFolder
from tests.cli.cli_helpers import assert_refused, grey_png
from tests.data.test_images import NOISE, flipped, huge_png_header

TINY = ("--model", "mlp", "--hidden", "8", "--batch-size", "64", "--lr", "0.01",
        "--no-progress")


@pytest.fixture(scope="module")
def finished_run(glassnet, tiny_data, tmp_path_factory):
    """One finished two-epoch run; tests that change it work on a copy (``run_copy``)."""
    out = tmp_path_factory.mktemp("runs")
    completed = glassnet("train", *TINY, "--epochs", "2", "--data-dir", tiny_data, "--out", out,
                         "--name", "base")
    assert completed.returncode == 0, completed.stderr
    return out / "base"


@pytest.fixture
def run_copy(finished_run, tmp_path):
    folder = tmp_path / "base"
    shutil.copytree(finished_run, folder)
    return folder


def snapshot(folder) -> dict:
    """Every file's bytes, except the lock file (which holds the pid of its last owner)."""
    return {path.name: path.read_bytes() for path in folder.iterdir()
            if path.is_file() and path.name != ".lock"}


def test_a_finished_run_records_its_status_and_pixels(finished_run):
    status = json.loads((finished_run / "status.json").read_text())
    assert status["status"] == "finished" and status["resumed"] == []
    _, metadata = load_checkpoint(finished_run / "best.safetensors")
    preprocessing = metadata["metadata"]["preprocessing"]
    assert preprocessing["input_dtype"] == "uint8" and preprocessing["input_range"] == [0, 255]


def test_resume_refuses_changed_options_before_touching_the_folder(glassnet, run_copy):
    before = snapshot(run_copy)
    completed = glassnet("train", "--out", run_copy.parent, "--name", "base", "--resume", "auto",
                         "--epochs", "3", "--lr", "0.05", "--optimizer", "sgd")
    assert_refused(completed, 2, "resume:", "lr 0.01 → 0.05", "optimizer 'adam' → 'sgd'",
                   "may change only", "epochs")
    assert snapshot(run_copy) == before  # config.json, status and checkpoints unchanged


def test_resume_takes_the_recorded_options_and_records_what_changed(glassnet, run_copy):
    # Only --epochs is given: model, widths, lr and data folder come from the checkpoint.
    completed = glassnet("train", "--out", run_copy.parent, "--name", "base", "--resume", "auto",
                         "--epochs", "3", "--no-progress")
    assert completed.returncode == 0, completed.stderr
    assert "Finished epoch 3 / 3" in completed.stdout and "epoch 2 / 3" not in completed.stdout
    config = json.loads((run_copy / "config.json").read_text())
    assert config["epochs"] == 3 and config["lr"] == 0.01 and config["hidden"] == [8]
    status = json.loads((run_copy / "status.json").read_text())
    assert status["status"] == "finished"
    (resume,) = status["resumed"]
    assert resume["changed"]["epochs"] == [2, 3] and resume["step"] > 0
    assert set(resume["changed"]) <= {"epochs", "out"}  # out: this copy moved the folder


@pytest.mark.parametrize("damage", ["missing", "corrupt", "model-file"])
def test_every_resume_failure_is_a_message(glassnet, run_copy, tmp_path, damage):
    before = snapshot(run_copy)
    target = run_copy / "last.safetensors"
    if damage == "missing":
        target = tmp_path / "nowhere.safetensors"
        words = ["expected a checkpoint file", "nowhere.safetensors"]
    elif damage == "corrupt":
        data = bytearray(target.read_bytes())
        data[-50] ^= 0xFF
        target.write_bytes(bytes(data))
        before = snapshot(run_copy)
        words = ["is corrupt", "best.safetensors beside it is intact",
                 f"--resume {run_copy / 'best.safetensors'}"]
    else:
        import glassnet as gn
        from glassnet import models

        target = tmp_path / "model.safetensors"
        gn.save(models.mlp(784, [8], 10), target)
        words = ["'model' file, not a training checkpoint"]
    completed = glassnet("train", "--out", run_copy.parent, "--name", "base", "--resume", target)
    assert_refused(completed, 1, *words)
    assert snapshot(run_copy) == before


def test_resume_from_the_intact_best_checkpoint_works(glassnet, run_copy):
    completed = glassnet("train", "--out", run_copy.parent, "--name", "base", "--resume",
                         run_copy / "best.safetensors", "--no-progress")
    assert completed.returncode == 0, completed.stderr


def test_a_damaged_middle_line_in_the_history_does_not_block_a_resume(glassnet, run_copy):
    path = run_copy / "metrics.jsonl"
    lines = path.read_text().splitlines()
    lines[1] = lines[1][:15]  # a torn record in the middle
    path.write_text("\n".join(lines) + "\n")
    completed = glassnet("train", "--out", run_copy.parent, "--name", "base", "--resume", "auto",
                         "--epochs", "3", "--no-progress")
    assert completed.returncode == 0, completed.stderr
    assert "warning:" in completed.stderr and "metrics.jsonl:2: skipping a damaged line" in (
        completed.stderr)
    for line in path.read_text().splitlines():
        json.loads(line)  # the file was rewritten without it


def test_a_second_process_on_a_run_folder_stops_at_once(glassnet, tiny_data, tmp_path):
    folder = tmp_path / "shared"
    with RunFolder(folder):  # this test process is "the first run"
        completed = glassnet("train", *TINY, "--epochs", "1", "--data-dir", tiny_data,
                             "--out", tmp_path, "--name", "shared")
    assert_refused(completed, 1, f"{folder} is in use by another glassnet process",
                   f"pid {os.getpid()}", "choose another --name")
    assert sorted(path.name for path in folder.iterdir()) == [".lock"]


def test_a_diverged_run_is_marked_failed(glassnet, tiny_data, tmp_path):
    completed = glassnet("train", *TINY, "--epochs", "1", "--lr", "1e6", "--optimizer", "sgd",
                         "--data-dir", tiny_data, "--out", tmp_path, "--name", "diverged")
    assert completed.returncode == 1 and "Traceback" not in completed.stderr
    status = json.loads((tmp_path / "diverged" / "status.json").read_text())
    assert status["status"] == "failed" and "learning rate" in status["reason"]


def test_an_explicit_data_dir_is_used_or_is_an_error(glassnet, cli_env, tiny_data, tmp_path):
    # A copy the fallback search would find is right there in GLASSNET_DATA.
    env = {**cli_env, "GLASSNET_DATA": str(tiny_data.parent)}
    empty = tmp_path / "my-data"
    empty.mkdir()
    completed = glassnet("train", *TINY, "--epochs", "1", "--data-dir", empty, "--out",
                         tmp_path / "runs", env=env)
    assert_refused(completed, 1, str(empty), "the only one searched")
    assert not (tmp_path / "runs").exists()


def test_evaluate_honours_an_explicit_data_dir(glassnet, finished_run, tmp_path):
    completed = glassnet("evaluate", finished_run, "--data-dir", tmp_path / "nowhere")
    assert_refused(completed, 1, "glassnet evaluate:", "nowhere", "the only one searched")


@pytest.mark.parametrize(
    ("pixels", "words"),
    [
        (lambda image: image.astype(np.float32) / 255, ["float32", "scaled to 0..1", "* 255"]),
        (lambda image: image.astype(np.int64) * 1000, ["int64", "outside that range"]),
    ],
    ids=["scaled-to-one", "times-1000"],
)
def test_predict_refuses_pixels_unlike_the_training_images(glassnet, finished_run, tmp_path,
                                                           pixels, words):
    image = np.zeros((28, 28), dtype=np.uint8)
    image[8:10] = 240
    np.save(tmp_path / "image.npy", pixels(image))
    completed = glassnet("predict", finished_run, tmp_path / "image.npy")
    assert_refused(completed, 1, "glassnet predict:", "image.npy", *words)
    assert "probability" not in completed.stdout


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", ["empty"]),
        (grey_png(np.arange(784).reshape(28, 28) % 251)[:120], ["not a readable image"]),
        (b"hello, this is not an image at all", ["not an image"]),
        (flipped(grey_png(NOISE), 120), ["not a readable image"]),  # a flipped byte in IDAT
        (huge_png_header(20000, 20000), ["decompression bomb", "400000000 pixels"]),
        (b"\x80\x04pickled?", ["not a NumPy array file"]),
    ],
    ids=["empty-png", "truncated-png", "garbage-png", "corrupt-png", "bomb-png", "garbage-npy"],
)
def test_predict_explains_unreadable_images(glassnet, finished_run, tmp_path, content, words):
    name = "image.npy" if b"pickled" in content else "image.png"
    (tmp_path / name).write_bytes(content)
    completed = glassnet("predict", finished_run, tmp_path / name)
    assert_refused(completed, 1, name, *words)
    assert "allow_pickle" not in completed.stderr


def edited(source, target, edit) -> None:
    """Copy a checkpoint with its metadata edited and the checksum recomputed (so only the
    content checks can catch it)."""
    tensors, metadata = load_checkpoint(source)
    edit(metadata)
    save_checkpoint(target, tensors, metadata)


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda m: m["metadata"]["preprocessing"].update(input_shape="28x28"),
         ["preprocessing or options are damaged", "input_shape"]),
        (lambda m: m["metadata"]["config"].update(dataset="imagenet"),
         ["damaged", "imagenet"]),
        (lambda m: m["architecture"]["options"].update(hidden="wide"),
         ["records an architecture glassnet cannot build"]),
        (lambda m: m["metadata"]["preprocessing"]["scaler"].update(arrays={}),
         ["scaler state cannot be rebuilt"]),
    ],
    ids=["input-shape", "dataset", "architecture", "scaler"],
)
def test_evaluate_explains_a_checkpoint_with_edited_metadata(glassnet, finished_run, tmp_path,
                                                             edit, words):
    target = tmp_path / "edited.safetensors"
    edited(finished_run / "best.safetensors", target, edit)
    assert_refused(glassnet("evaluate", target), 1, "glassnet evaluate:", *words)
