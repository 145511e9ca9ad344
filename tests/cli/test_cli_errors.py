"""The command line never shows a traceback for a user's mistake (issue 18, RELIABILITY J).

Each test runs ``glassnet`` as a real process and checks the exit code, that no traceback
is printed, and the words of the one-line message.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from glassnet.cli.main import traceback_dir
from tests.cli.cli_helpers import assert_refused

TINY = ("--model", "mlp", "--hidden", "8", "--epochs", "1", "--batch-size", "64",
        "--no-progress")


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--train-limit", "1"], ["train_limit", "leave 0 for validation"]),
        (["--warmup-epochs", "inf"], ["warmup_epochs", "finite"]),
        (["--weight-decay", "nan"], ["weight_decay", "finite"]),
        (["--name", "../../escape"], ["name", "it is a path"]),
        (["--name", "x" * 256], ["256 bytes", "more than the 255"]),
        (["--name", "two\nlines"], ["control character"]),
        (["--name", ".."], ["not a folder name"]),
        (["--hidden", "100000000"], ["parameters", "GiB", "memory", "--hidden"]),
    ],
    ids=["train-limit-1", "inf", "nan", "dotdot", "long-name", "newline", "parent", "huge"],
)
def test_bad_options_exit_2_with_a_message(glassnet, tiny_data, tmp_path, options, words):
    completed = glassnet("train", *TINY, "--data-dir", tiny_data, "--out", tmp_path, *options)
    assert_refused(completed, 2, "glassnet train:", *words)
    assert not any(tmp_path.iterdir())  # nothing was written


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"lr = 0.1\nname = \"r\xff\"\n", ["run.toml:2", "not UTF-8"]),
        (b"hidden = []\n", ["hidden", "non-empty list", "softmax_regression"]),
        (b"hidden = [0]\n", ["hidden", "positive widths"]),
        (b"lr = inf\n", ["lr", "finite"]),
        (b"momentum = nan\n", ["momentum", "finite"]),
    ],
    ids=["not-utf8", "empty-hidden", "zero-width", "inf", "nan"],
)
def test_bad_config_files_exit_2_with_a_message(glassnet, tmp_path, content, words):
    config = tmp_path / "run.toml"
    config.write_bytes(content)
    assert_refused(glassnet("train", "--config", config, "--out", tmp_path / "runs"), 2,
                   *words)


def test_the_cli_and_the_config_file_share_one_rule_for_empty_widths(glassnet, tmp_path):
    completed = glassnet("train", "--hidden", "", "--out", tmp_path)
    assert completed.returncode == 2 and "expected positive widths" in completed.stderr


def test_an_out_that_is_a_file_is_refused(glassnet, tiny_data, tmp_path):
    out = tmp_path / "a-file"
    out.write_text("not a folder")
    completed = glassnet("train", *TINY, "--data-dir", tiny_data, "--out", out)
    assert_refused(completed, 2, "is a file, not a folder", "--out")


def test_an_unwritable_out_is_an_os_error_message(glassnet, tiny_data, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    if os.geteuid() != 0:
        locked.chmod(0o500)
    elif subprocess.run(["chattr", "+i", str(locked)], capture_output=True).returncode != 0:
        pytest.skip("running as root, and chattr +i (the only way to deny root) failed here")
    try:
        completed = glassnet("train", *TINY, "--data-dir", tiny_data, "--out", locked)
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(locked)], check=True)
        locked.chmod(0o700)
    assert_refused(completed, 1, str(locked), "choose another")
    assert "Permission denied" in completed.stderr or "not permitted" in completed.stderr


def test_a_write_error_mid_training_is_a_message_and_marks_the_run_failed(glassnet, tiny_data,
                                                                          tmp_path):
    import resource

    def small_files():  # config and metrics fit, the first checkpoint does not
        resource.setrlimit(resource.RLIMIT_FSIZE, (16_000, 16_000))

    completed = glassnet("train", *TINY, "--data-dir", tiny_data, "--out", tmp_path,
                         "--name", "full", preexec_fn=small_files)
    assert_refused(completed, 1, "last.safetensors", "File too large", "ulimit -f",
                   "status failed", "no checkpoint was saved yet")
    status = (tmp_path / "full" / "status.json").read_text()
    assert '"status": "failed"' in status and "File too large" in status


def test_an_unexpected_error_is_a_bug_report_with_the_traceback_in_a_file(cli_env, tmp_path):
    # A real internal failure, injected by replacing a command's run function before main().
    script = ("import sys, glassnet.cli.datasets as command\n"
              "def broken(args): raise RuntimeError('the gears jammed')\n"
              "command.run = broken\n"
              "from glassnet.cli.main import main\n"
              "sys.exit(main(['datasets']))\n")
    env = {**cli_env, "XDG_STATE_HOME": str(tmp_path / "state")}
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True,
                               text=True, env=env)
    assert_refused(completed, 1, "glassnet datasets: unexpected error",
                   "RuntimeError: the gears jammed", "bug in glassnet", "please report")
    (saved,) = (tmp_path / "state" / "glassnet" / "tracebacks").iterdir()
    assert str(saved) in completed.stderr
    text = saved.read_text()
    assert "command: glassnet datasets" in text and "Traceback (most recent call last)" in text
    assert "RuntimeError: the gears jammed" in text


def test_traceback_dir_follows_xdg_state_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert traceback_dir() == tmp_path / "glassnet" / "tracebacks"
    monkeypatch.delenv("XDG_STATE_HOME")
    assert traceback_dir() == Path.home() / ".local" / "state" / "glassnet" / "tracebacks"


def test_a_closed_stdout_does_not_stop_training(cli_env, tiny_data, tmp_path):
    # glassnet train ... | head -2: read two lines, then close the pipe.
    command = [sys.executable, "-m", "glassnet.cli.main", "train", *TINY, "--epochs", "3",
               "--data-dir", str(tiny_data), "--out", str(tmp_path), "--name", "piped"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=cli_env)
    first_lines = [process.stdout.readline() for _ in range(2)]
    process.stdout.close()
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == 0, stderr
    assert "Traceback" not in stderr and "Broken pipe" not in stderr
    assert all(line.strip() for line in first_lines)
    folder = tmp_path / "piped"
    assert (folder / "test_metrics.json").is_file()  # it trained to the end
    assert '"status": "finished"' in (folder / "status.json").read_text()


def test_a_closed_stdout_ends_a_listing_quietly(cli_env):
    process = subprocess.Popen([sys.executable, "-m", "glassnet.cli.main", "datasets"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env)
    process.stdout.close()  # glassnet datasets | head -0
    assert process.wait(timeout=60) == 0
    assert process.stderr.read() == b""


def test_ctrl_c_before_training_is_a_message_and_exit_130(cli_env, tmp_path):
    # The config file is a FIFO: reading it blocks inside main() until we write, which is
    # a deterministic "while loading" moment to press Ctrl-C.
    fifo = tmp_path / "run.toml"
    os.mkfifo(fifo)
    command = [sys.executable, "-m", "glassnet.cli.main", "train", "--config", str(fifo),
               "--out", str(tmp_path / "runs")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=cli_env)
    deadline = time.monotonic() + 60
    while True:  # opening the write end succeeds once glassnet has the FIFO open to read
        try:
            writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError:
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.02)
    try:
        time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        os.close(writer)
    assert process.returncode == 130
    assert "Traceback" not in stderr
    assert stderr.strip() == "glassnet train: interrupted (Ctrl-C)."
    assert not (tmp_path / "runs").exists()


def test_demo_stops_a_diverging_run_with_the_guards_advice(glassnet):
    completed = glassnet("demo", "--lr", "1e30", "--steps", "20")
    assert_refused(completed, 1, "glassnet demo:", "diverged",
                   "learning rate is most likely too high")
    assert "RuntimeWarning" not in completed.output and "loss nan" not in completed.stdout


def test_demo_refuses_a_negative_regularization(glassnet):
    completed = glassnet("demo", "--reg", "-1")
    assert completed.returncode == 2 and "Traceback" not in completed.output
    assert "--reg: expected a non-negative number" in completed.stderr
