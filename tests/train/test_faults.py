"""Faults during `glassnet train` in a real subprocess (RELIABILITY.md E2, E3): SIGKILL at a
random moment or SIGTERM, then `--resume auto` ends with the same weights as a run that was
never interrupted."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from glassnet.train.checkpoint import load_checkpoint
from glassnet.train.resume import model_tensors
from tests.cli.cli_helpers import write_tiny_fashion_mnist

pytestmark = pytest.mark.slow

EPOCHS = 6


def train_command(data, out, name, *extra):
    return [sys.executable, "-m", "glassnet.cli.main", "train", "--data-dir", str(data),
            "--model", "mlp", "--hidden", "256", "--dropout", "0.2", "--epochs", str(EPOCHS),
            "--batch-size", "32", "--out", str(out), "--name", name, "--no-progress", *extra]


def final_weights(folder) -> dict:
    tensors, metadata = load_checkpoint(folder / "last.safetensors")
    assert metadata["epoch"] == EPOCHS
    return model_tensors(tensors)


def steps_logged(folder) -> int:
    path = folder / "metrics.jsonl"
    return path.read_text().count('"kind": "step"') if path.exists() else 0


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults")
    data = write_tiny_fashion_mnist(root, n_train=2000, n_test=100)
    completed = subprocess.run(train_command(data, root, "reference"), capture_output=True,
                               text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    return root, data, final_weights(root / "reference")


def run_until(command, folder, min_steps: int, timeout: float = 120.0):
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + timeout
    while steps_logged(folder) < min_steps and process.poll() is None:
        assert time.monotonic() < deadline, "training made no progress"
        time.sleep(0.02)
    return process


def assert_same_weights(got: dict, expected: dict) -> None:
    assert got.keys() == expected.keys()
    for key in expected:
        np.testing.assert_array_equal(got[key], expected[key], err_msg=key)


def test_sigterm_stops_cleanly_with_143_and_resume_matches(setup):
    root, data, expected = setup
    folder = root / "sigterm"
    process = run_until(train_command(data, root, "sigterm"), folder, min_steps=80)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stderr
    assert "interrupted by SIGTERM" in stderr
    assert load_checkpoint(folder / "last.safetensors")[1]["step"] >= 80
    completed = subprocess.run(train_command(data, root, "sigterm", "--resume", "auto"),
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert_same_weights(final_weights(folder), expected)


def test_sigkill_at_random_steps_then_resume_gives_identical_weights(setup):
    root, data, expected = setup
    folder = root / "sigkill"
    total_steps = steps_logged(root / "reference")
    rng = np.random.default_rng(0)
    for kill_after in sorted(rng.integers(20, 300, size=3)):
        process = run_until(train_command(data, root, "sigkill", "--resume", "auto"), folder,
                            min_steps=int(kill_after))
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        # It died of the signal, mid-run: not finished (no test metrics, fewer steps logged
        # than the whole run has) and not exited on its own before the kill.
        assert process.returncode == -signal.SIGKILL, process.stderr.read()
        assert not (folder / "test_metrics.json").exists()
        assert steps_logged(folder) < total_steps
    completed = subprocess.run(train_command(data, root, "sigkill", "--resume", "auto"),
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert_same_weights(final_weights(folder), expected)
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
