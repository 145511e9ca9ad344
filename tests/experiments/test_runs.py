"""Run folders read back: the outcome from the files a run left, and a torn metrics line."""

import json

import pytest

from glassnet.errors import ConfigError
from glassnet.experiments.runs import load_run


def write_run(folder, *, epochs=2, planned=2, test=True, extra=(), torn=False):
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"epochs": planned, "seed": 0}))
    lines = [json.dumps({"kind": "step", "step": s, "loss": 2.0 / s}) for s in (1, 2, 3)]
    lines += [json.dumps({"kind": "epoch", "epoch": e, "step": 3 * e, "val_accuracy": 0.5 + e / 10,
                          "seconds": 1.5}) for e in range(1, epochs + 1)]
    text = "\n".join(lines) + "\n" + ('{"kind": "step", "st' if torn else "")
    (folder / "metrics.jsonl").write_text(text)
    if test:
        (folder / "test_metrics.json").write_text(json.dumps({"accuracy": 0.7, "loss": 0.9}))
    for name, content in extra:
        (folder / name).write_text(content)
    return folder


def test_status_comes_from_the_files_a_run_left(tmp_path):
    assert load_run(write_run(tmp_path / "a")).status == "complete"
    assert load_run(write_run(tmp_path / "b", epochs=1)).status == "early_stopped"
    assert load_run(write_run(tmp_path / "c", test=False)).status == "unfinished"
    diverged = load_run(write_run(tmp_path / "d", epochs=0, test=False,
                                  extra=[("diverged.safetensors", "")]))
    assert diverged.status == "diverged"
    assert diverged.summary()["last_finite_loss"] == pytest.approx(2 / 3)
    failed = load_run(write_run(tmp_path / "e", test=False,
                                extra=[("error.txt", "Traceback ...\nMemoryError: out\n")]))
    assert failed.status == "failed" and failed.error == "MemoryError: out"


def test_summary_has_final_best_and_test_numbers(tmp_path):
    summary = load_run(write_run(tmp_path / "run")).summary()
    assert summary["best_val_accuracy"] == pytest.approx(0.7) and summary["best_epoch"] == 2
    assert summary["test_accuracy"] == 0.7 and summary["seconds"] == 3.0
    assert summary["epochs"] == 2 and summary["last_step"] == 3


def test_a_torn_last_line_is_skipped_with_a_warning(tmp_path):
    with pytest.warns(UserWarning, match="torn last line"):
        record = load_run(write_run(tmp_path / "run", torn=True))
    assert len(record.steps) == 3 and len(record.epochs) == 2


def test_a_folder_without_config_json_is_not_a_run(tmp_path):
    with pytest.raises(ConfigError, match="expected config.json"):
        load_run(tmp_path)
