"""The run folder's lock, status and resume rules; the model-size estimate (issue 18)."""

import json
import subprocess
import sys

import numpy as np
import pytest

from glassnet.errors import ConfigError, RunError
from glassnet.train.config import RESUME_MAY_CHANGE, TrainConfig
from glassnet.train.model_size import check_model_size, parameter_count
from glassnet.train.run import build_model
from glassnet.train.run_folder import RunFolder, check_resume, read_status


def test_a_folder_is_held_by_one_run_folder_at_a_time(tmp_path):
    with (RunFolder(tmp_path / "run"),
          pytest.raises(RunError, match="is in use by another glassnet process"),
          RunFolder(tmp_path / "run")):
        pass
    with RunFolder(tmp_path / "run"):  # released at the end of the block
        pass


def test_an_error_after_start_marks_the_run_failed_and_notes_the_folder(tmp_path):
    folder = tmp_path / "run"
    with pytest.raises(OSError) as info, RunFolder(folder) as run_folder:
        run_folder.start()
        raise OSError(28, "No space left on device", str(folder / "last.safetensors"))
    status = read_status(folder)
    assert status["status"] == "failed" and "No space left on device" in status["reason"]
    assert any("status failed" in note and "no checkpoint" in note
               for note in info.value.__notes__)


def test_ctrl_c_after_start_marks_the_run_interrupted(tmp_path):
    with pytest.raises(KeyboardInterrupt), RunFolder(tmp_path / "run") as run_folder:
        run_folder.start()
        raise KeyboardInterrupt
    assert read_status(tmp_path / "run")["status"] == "interrupted"


def test_an_error_before_start_leaves_the_status_as_it_was(tmp_path):
    folder = tmp_path / "run"
    with RunFolder(folder) as run_folder:
        run_folder.start()
        run_folder.end("finished", "2 epochs")
    with pytest.raises(ConfigError), RunFolder(folder):
        raise ConfigError("resume: refused")
    assert read_status(folder)["status"] == "finished"


def test_a_running_status_whose_process_is_gone_reads_as_killed(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "status.json").write_text(json.dumps({"status": "running", "pid": _dead_pid()}))
    status = read_status(folder)
    assert status["status"] == "killed" and "--resume auto" in status["reason"]
    assert read_status(tmp_path / "no-such-run") == {}


def _dead_pid() -> int:
    """The pid of a process that has ended (and been waited for)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_check_resume_allows_only_the_documented_changes():
    started = TrainConfig(model="mlp", epochs=2).to_json()
    changed = check_resume(TrainConfig(model="mlp", epochs=5, out="elsewhere"), started)
    assert changed == {"epochs": [2, 5], "out": ["runs", "elsewhere"]}
    assert {"epochs", "data_dir"} <= RESUME_MAY_CHANGE and "lr" not in RESUME_MAY_CHANGE
    with pytest.raises(ConfigError, match=r"model 'mlp' → 'cnn', lr 0\.001 → 0\.01"):
        check_resume(TrainConfig(model="cnn", lr=0.01), started)


def test_check_resume_refuses_new_epochs_under_a_schedule_laid_out_over_the_run():
    started = TrainConfig(schedule="cosine", epochs=4).to_json()
    with pytest.raises(ConfigError, match="cosine schedule is laid out over the run's 4"):
        check_resume(TrainConfig(schedule="cosine", epochs=8), started)
    assert check_resume(TrainConfig(schedule="cosine", epochs=4), started) == {}


def test_check_resume_reads_options_missing_from_an_older_record_as_defaults():
    started = TrainConfig().to_json()
    del started["clip_norm"]
    assert check_resume(TrainConfig(), started) == {}
    assert check_resume(TrainConfig(), None) == {}  # a checkpoint that records no options


@pytest.mark.parametrize(
    "options",
    [
        {"model": "softmax_regression"},
        {"model": "mlp"},
        {"model": "mlp", "hidden": [7, 5], "batch_norm": True},
        {"model": "cnn"},
        {"model": "cnn", "channels": [4, 6, 8], "hidden": [9, 3], "batch_norm": True},
        {"model": "resnet", "channels": [4, 8]},
    ],
    ids=lambda options: "-".join(str(v) for v in options.values()),
)
@pytest.mark.parametrize("input_shape", [(1, 28, 28), (3, 32, 32)], ids=["grey", "colour"])
def test_parameter_count_is_exactly_what_build_model_creates(options, input_shape):
    config = TrainConfig(**options)
    model = build_model(config, input_shape, 10, np.random.default_rng(0))
    built = sum(parameter.data.size for parameter in model.parameters())
    assert parameter_count(config, input_shape, 10) == built


def test_a_model_too_large_for_any_machine_is_refused_before_building():
    config = TrainConfig(model="mlp", hidden=[10**9])
    count = (784 + 1) * 10**9 + (10**9 + 1) * 10
    with pytest.raises(ConfigError, match=rf"{count:,} parameters.*GiB.*memory"):
        check_model_size(config, (1, 28, 28), 10)
    with pytest.raises(ConfigError, match="parameters"):
        build_model(config, (1, 28, 28), 10, np.random.default_rng(0))
