"""The Telemetry callback inside a Trainer: what it records, where it writes it, and the
first layer where a NaN appeared."""

import json

import numpy as np
import pytest

from glassnet import nn, optim
from glassnet.diagnose import Telemetry, TelemetryData
from glassnet.errors import ConfigError
from glassnet.train.trainer import Trainer
from tests.diagnose.cases import data, mlp


def fit(model, optimizer, telemetry, *, epochs=2):
    X, y = data()
    trainer = Trainer(model, nn.CrossEntropyLoss(), optimizer, callbacks=[telemetry],
                      generator=np.random.default_rng(0))
    return trainer.fit((X, y), (X[:30], y[:30]), epochs=epochs, batch_size=30)


def test_records_layers_and_parameters_every_k_steps(tmp_path):
    model = mlp(2, 16, 3, activation=nn.Tanh)
    telemetry = Telemetry(every=4, folder=tmp_path)
    fit(model, optim.SGD(model.parameters(), lr=0.1), telemetry)
    data_ = telemetry.data()
    assert [r["step"] for r in data_.records] == [1, 5, 9]
    assert len(data_.losses) == 12 and len(data_.epochs) == 2
    first = data_.records[0]
    assert list(first["layers"]) == ["0", "1", "2"]
    tanh = first["layers"]["1"]
    assert tanh["type"] == "Tanh" and 0 <= tanh["saturated"] <= 1 and tanh["min"] >= -1
    assert sum(tanh["hist"]) == 30 * 16  # every value of the batch, one per unit
    weight = first["params"]["0.weight"]
    assert weight["matrix"] and weight["layer"] == "0"
    # SGD: ‖ΔW‖ = lr·‖g‖ exactly, so the recorded ratio is lr·‖g‖/‖W‖.
    assert weight["update_ratio"] == pytest.approx(0.1 * weight["grad_norm"]
                                                   / weight["weight_norm"], rel=2e-3)
    assert not first["params"]["0.bias"]["matrix"]
    # telemetry.jsonl reads back to the same records; findings.json is strict JSON.
    again = TelemetryData.from_jsonl(tmp_path / "telemetry.jsonl")
    assert [r["step"] for r in again.records] == [1, 5, 9]
    assert again.losses == pytest.approx(data_.losses) and again.every == 4
    assert "findings" in json.loads((tmp_path / "findings.json").read_text())


def test_dead_units_are_counted_over_the_window():
    model = mlp(2, 16, 3)
    model[0].bias.data[...] = -50.0  # every hidden ReLU unit silent for every input
    telemetry = Telemetry(every=2)
    fit(model, optim.SGD(model.parameters(), lr=0.01), telemetry, epochs=1)
    assert telemetry.data().records[-1]["layers"]["1"]["dead"] == 1.0
    assert "dead_relu" in telemetry.report().codes()


def test_first_nonfinite_layer_is_named_and_training_is_unchanged_by_the_replay():
    X, y = data()
    model = mlp(2, 16, 3)
    telemetry = Telemetry(every=5)
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=1e4),
                      callbacks=[telemetry], generator=np.random.default_rng(0))
    with np.errstate(all="ignore"):
        trainer.fit((X, y), epochs=2, batch_size=30)
    where = telemetry.data().nonfinite
    assert where is not None and where["layer"] in ("0", "1", "2")
    report = telemetry.report()
    assert report.codes()[:2] == ["lr_too_high", "nonfinite_loss"]
    assert f"layer {where['layer']}" in report.findings[1].message


def test_prints_a_finding_once_when_it_appears(capsys):
    import sys

    model = mlp(2, 16, 3)
    model[0].bias.data[...] = -50.0
    fit(model, optim.SGD(model.parameters(), lr=0.01), Telemetry(every=2, stream=sys.stdout))
    assert capsys.readouterr().out.count("doctor [warning] dead_relu") == 1


def test_rejects_a_bad_interval():
    with pytest.raises(ConfigError, match="every"):
        Telemetry(every=0)
    with pytest.raises(ConfigError, match="window"):
        Telemetry(window=0)
