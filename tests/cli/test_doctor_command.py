"""`glassnet doctor`, `glassnet lr-find` and `glassnet train --diagnose` on a tiny dataset."""

import json

import pytest

from glassnet.cli.main import main
from glassnet.diagnose import TelemetryData
from tests.cli.cli_helpers import write_tiny_fashion_mnist

MLP = ["--model", "mlp", "--hidden", "32", "--batch-size", "32"]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return str(write_tiny_fashion_mnist(tmp_path_factory.mktemp("doctor"), 300, 100))


def test_doctor_passes_a_healthy_setup_with_exit_status_0(dataset, capsys):
    code = main(["doctor", "--data-dir", dataset, *MLP, "--lr", "0.01", "--steps", "40"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.startswith("glassnet doctor: 0 error(s)")


def test_doctor_exits_1_on_an_error_and_prints_json_in_persian(dataset, capsys):
    code = main(["doctor", "--data-dir", dataset, *MLP, "--optimizer", "sgd", "--lr", "500",
                 "--steps", "40", "--json", "--lang", "fa"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["lang"] == "fa" and report["findings"][0]["code"] == "lr_too_high"
    assert "نرخ یادگیری" in report["findings"][0]["message"]


def test_lr_find_writes_the_figure_and_prints_a_suggestion(dataset, tmp_path, capsys):
    figure = tmp_path / "lr.png"
    code = main(["lr-find", "--data-dir", dataset, *MLP, "--optimizer", "sgd", "--steps", "40",
                 "--end-lr", "100", "--figure", str(figure)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Suggested learning rate" in out and figure.read_bytes()[:4] == b"\x89PNG"


def test_lr_find_exits_1_on_a_flat_curve(dataset, tmp_path, capsys):
    code = main(["lr-find", "--data-dir", dataset, *MLP, "--steps", "20", "--start-lr",
                 "1e-9", "--end-lr", "1e-8", "--figure", str(tmp_path / "flat.png")])
    assert code == 1
    assert "No learning rate can be read" in capsys.readouterr().err


def test_train_diagnose_writes_telemetry_and_findings_and_prints_them(dataset, tmp_path,
                                                                      capsys):
    code = main(["train", "--data-dir", dataset, *MLP, "--epochs", "2", "--optimizer", "sgd",
                 "--lr", "1000", "--out", str(tmp_path), "--name", "run", "--diagnose",
                 "--no-progress"])
    out = capsys.readouterr().out
    assert code == 1  # the divergence guard stops the run
    folder = tmp_path / "run"
    telemetry = TelemetryData.from_jsonl(folder / "telemetry.jsonl")
    assert telemetry.records and telemetry.records[0]["step"] == 1
    findings = json.loads((folder / "findings.json").read_text())
    assert findings["findings"][0]["code"] == "lr_too_high"
    assert "doctor [error] lr_too_high" in out
