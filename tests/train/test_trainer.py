"""The Trainer on small problems: learning, stopping, resuming bit for bit, determinism."""

import numpy as np
import pytest

from glassnet import models, optim
from glassnet.data import spiral
from glassnet.errors import ConfigError
from glassnet.nn.loss import CrossEntropyLoss
from glassnet.optim.schedule import ReduceOnPlateau
from glassnet.random import manual_seed
from glassnet.train.callbacks import DivergenceGuard, EarlyStopping, ReduceLROnPlateau
from glassnet.train.checkpointing import Checkpoint
from glassnet.train.history import History, read_jsonl
from glassnet.train.trainer import Trainer


def spiral_data(seed: int = 0):
    """The book's 3-class spiral with a little less noise (0.1), so it is learnable in
    seconds."""
    return spiral(100, 3, noise=0.1, generator=np.random.default_rng(seed))


def make_trainer(*, lr=0.01, callbacks=(), seed=0, dropout=0.0):
    manual_seed(seed)
    generator = np.random.default_rng(seed)
    model = models.mlp(2, [64, 64], 3, dropout=dropout, generator=generator)
    optimizer = optim.Adam(model.parameters(), lr=lr)
    return Trainer(model, CrossEntropyLoss(), optimizer, callbacks=callbacks,
                   generator=generator)


def parameters_of(trainer) -> dict:
    return {k: v.copy() for k, v in trainer.model.state_dict().items()}


def test_a_small_mlp_fits_the_spiral():
    X, y = spiral_data()
    trainer = make_trainer(lr=0.005)
    state = trainer.fit((X, y), epochs=200, batch_size=32)
    assert state.history[-1]["train_accuracy"] > 0.95
    assert trainer.evaluate((X, y))["accuracy"] > 0.95
    assert trainer.predict(X).shape == (300, 3)


def test_history_records_one_entry_per_epoch_with_validation():
    X, y = spiral_data()
    state = make_trainer().fit((X, y), (X[:50], y[:50]), epochs=3, batch_size=64)
    assert [r["epoch"] for r in state.history] == [1, 2, 3]
    assert {"loss", "train_accuracy", "val_loss", "val_accuracy", "lr"} <= set(state.metrics)
    assert state.step == 3 * 5


def test_divergence_guard_stops_a_run_with_a_huge_learning_rate():
    X, y = spiral_data()
    trainer = make_trainer(lr=1e4, callbacks=[DivergenceGuard()])
    with np.errstate(over="ignore", invalid="ignore"):
        state = trainer.fit((X, y), epochs=50, batch_size=32)
    assert state.failed and state.epoch < 50
    assert "learning rate is most likely too high" in state.stop_reason


def test_early_stopping_stops_and_restores_the_best_weights():
    X, y = spiral_data()
    stopper = EarlyStopping("val_loss", patience=2, min_delta=10.0)  # nothing improves by 10
    trainer = make_trainer(callbacks=[stopper])
    state = trainer.fit((X, y), (X, y), epochs=20, batch_size=64)
    assert state.epoch == 3 and "early stopping" in state.stop_reason
    best = stopper.best_weights
    for key, value in trainer.model.state_dict().items():
        np.testing.assert_array_equal(value, best[key])


def test_same_seed_gives_identical_parameters_and_metrics(tmp_path):
    X, y = spiral_data()
    results = []
    for run in ("a", "b"):
        trainer = make_trainer(callbacks=[History(tmp_path / run)], dropout=0.2)
        trainer.fit((X, y), epochs=3, batch_size=32)
        records = [{k: v for k, v in r.items() if k != "seconds"}
                   for r in read_jsonl(tmp_path / run / "metrics.jsonl")]
        results.append((parameters_of(trainer), records))
    (params_a, records_a), (params_b, records_b) = results
    assert records_a == records_b
    for key in params_a:
        np.testing.assert_array_equal(params_a[key], params_b[key])


def test_different_seeds_give_different_parameters():
    X, y = spiral_data()
    first = make_trainer(seed=0)
    first.fit((X, y), epochs=1, batch_size=32)
    second = make_trainer(seed=1)
    second.fit((X, y), epochs=1, batch_size=32)
    assert not np.array_equal(first.model.state_dict()["1.weight"],
                              second.model.state_dict()["1.weight"])


def test_resumed_run_equals_an_uninterrupted_one_bit_for_bit(tmp_path):
    X, y = spiral_data()
    val = (X[:60], y[:60])
    uninterrupted = make_trainer(callbacks=[Checkpoint(tmp_path / "full")], dropout=0.3)
    uninterrupted.fit((X, y), val, epochs=5, batch_size=32)

    first_part = make_trainer(callbacks=[Checkpoint(tmp_path / "part")], dropout=0.3)
    first_part.fit((X, y), val, epochs=2, batch_size=32)
    manual_seed(123)  # whatever happened in between must not matter
    resumed = make_trainer(callbacks=[Checkpoint(tmp_path / "part")], seed=7, dropout=0.3)
    state = resumed.fit((X, y), val, epochs=5, batch_size=32,
                        resume=tmp_path / "part" / "last.safetensors")

    assert state.epoch == 5 and len(state.history) == 5
    expected = parameters_of(uninterrupted)
    for key, value in parameters_of(resumed).items():
        np.testing.assert_array_equal(value, expected[key])


def test_history_drops_records_past_the_checkpoint_on_resume(tmp_path):
    X, y = spiral_data()
    folder = tmp_path / "run"
    trainer = make_trainer(callbacks=[History(folder), Checkpoint(folder)])
    trainer.fit((X, y), (X, y), epochs=2, batch_size=100)
    with open(folder / "metrics.jsonl", "a") as handle:  # a crash after epoch 2's checkpoint
        handle.write('{"kind": "step", "epoch": 3, "step": 7, "loss": 1.0}\n{"kind": "st')
    resumed = make_trainer(callbacks=[History(folder), Checkpoint(folder)])
    with pytest.warns(UserWarning, match="torn last line"):
        resumed.fit((X, y), (X, y), epochs=3, batch_size=100,
                    resume=folder / "last.safetensors")
    records = read_jsonl(folder / "metrics.jsonl")
    steps = [r["step"] for r in records if r["kind"] == "step"]
    assert steps == list(range(1, 10))
    assert [r["epoch"] for r in records if r["kind"] == "epoch"] == [1, 2, 3]


def test_read_jsonl_skips_a_torn_last_line_with_a_warning(tmp_path):
    path = tmp_path / "metrics.jsonl"
    path.write_text('{"step": 1}\n{"step": 2}\n{"ste')
    with pytest.warns(UserWarning, match="torn last line"):
        assert read_jsonl(path) == [{"step": 1}, {"step": 2}]


def test_read_jsonl_can_skip_a_damaged_middle_line_with_a_warning(tmp_path):
    path = tmp_path / "metrics.jsonl"
    path.write_bytes(b'{"step": 1}\n{"st\xff\n{"step": 3}\n')
    with pytest.raises(ValueError, match=r"metrics\.jsonl:2: not a JSON record"):
        read_jsonl(path)
    with pytest.warns(UserWarning, match=r"metrics\.jsonl:2: skipping a damaged line"):
        assert read_jsonl(path, skip_damaged=True) == [{"step": 1}, {"step": 3}]


def test_fit_rejects_bad_epochs_and_callbacks_without_hooks():
    X, y = spiral_data()
    with pytest.raises(ConfigError, match="epochs"):
        make_trainer().fit((X, y), epochs=0)
    with pytest.raises(ConfigError, match="has none"):
        make_trainer(callbacks=[object()])


def test_fit_refuses_nan_in_the_data_before_training():
    X, y = spiral_data()
    X[5, 1] = np.nan
    trainer = make_trainer()
    with pytest.raises(ValueError, match="train inputs contain 1 NaN or Inf"):
        trainer.fit((X, y), epochs=1)
    assert trainer.optimizer.step_count == 0
    with pytest.raises(ValueError, match="val inputs contain"):
        trainer.fit(spiral_data(), (X, y), epochs=1)


def test_resume_restores_early_stopping_and_the_plateau_schedule(tmp_path):
    X, y = spiral_data()
    val = (X[::5], y[::5])

    def run(folder, epochs, resume=None):
        plateau = ReduceOnPlateau(0.02, factor=0.5, patience=0, threshold=0.5)
        stopper = EarlyStopping("val_loss", patience=3, min_delta=0.05)
        manual_seed(0)
        generator = np.random.default_rng(0)
        model = models.mlp(2, [32], 3, generator=generator)
        trainer = Trainer(model, CrossEntropyLoss(), optim.Adam(model.parameters(), lr=plateau),
                          callbacks=[stopper, ReduceLROnPlateau(plateau), Checkpoint(folder)],
                          generator=generator)
        state = trainer.fit((X, y), val, epochs=epochs, batch_size=50, resume=resume)
        return trainer, state

    full, full_state = run(tmp_path / "full", 30)
    assert full_state.stop_reason.startswith("early stopping")  # it stops before epoch 30
    run(tmp_path / "part", full_state.epoch - 2)  # interrupted two epochs before the stop
    resumed, resumed_state = run(tmp_path / "part", 30, tmp_path / "part" / "last.safetensors")

    assert resumed_state.epoch == full_state.epoch
    assert [r["lr"] for r in resumed_state.history] == [r["lr"] for r in full_state.history]
    expected = parameters_of(full)
    for key, value in parameters_of(resumed).items():
        np.testing.assert_array_equal(value, expected[key])
