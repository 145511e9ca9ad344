"""The single-process parts of glassnet.distributed: communicator, flat buffers, shards,
signals, the step log, the roles' checks and the command line's distributed options."""

import itertools
import os
import signal
import sys

import numpy as np
import pytest

from glassnet import models, nn, optim
from glassnet.cli.main import main
from glassnet.data import DataLoader, blobs
from glassnet.distributed import DataParallel, ShardedLoader, SingleProcess, shard_bounds
from glassnet.distributed.async_sgd import AsyncWorker, ParameterServer
from glassnet.distributed.flat import FlatLayout
from glassnet.distributed.launch import fail_together, make_role
from glassnet.distributed.mpi import import_mpi
from glassnet.distributed.signals import SignalLatch, agreed, flags
from glassnet.distributed.state_transfer import broadcast_text
from glassnet.distributed.step_log import StepLog, summarize
from glassnet.distributed.wire import Message
from glassnet.errors import ConfigError
from glassnet.train.trainer import Trainer

# ----- communicator -------------------------------------------------------------------------


def test_single_process_collectives_are_the_identity():
    comm = SingleProcess()
    array = np.array([1.0, -2.0])
    assert comm.allreduce(array, op="max") is array and comm.broadcast(array) is array
    comm.barrier()
    assert broadcast_text(comm, "سلام") == "سلام"


@pytest.mark.parametrize("call, match", [
    (lambda c: c.allreduce(np.zeros(2), op="mean"), "op"),
    (lambda c: c.broadcast(np.zeros(2), root=1), "root rank in \\[0, 1\\)"),
    (lambda c: c.send(np.zeros(2), 1), "no process 1"),
    (lambda c: c.receive(np.zeros(2)), "no other process"),
])
def test_single_process_rejects_what_a_world_of_one_cannot_do(call, match):
    with pytest.raises(ConfigError, match=match):
        call(SingleProcess())


def test_missing_mpi4py_names_the_extra_and_the_runtime(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # as if the extra were not installed
    with pytest.raises(ConfigError, match=r"glassnet\[mpi\].*openmpi-bin"):
        import_mpi()


# ----- flat buffers, messages, shards --------------------------------------------------------


def test_flat_layout_round_trips_arrays_and_treats_missing_gradients_as_zero():
    a, b = np.arange(6, dtype=np.float32).reshape(2, 3), np.ones(4, np.float32)
    layout = FlatLayout([a.shape, b.shape, (2,)])
    vector = np.full(layout.size, 7.0, np.float32)
    layout.gather([a, b, None], vector, scale=2.0)
    np.testing.assert_array_equal(vector, [0, 2, 4, 6, 8, 10, 2, 2, 2, 2, 0, 0])
    a2, b2, c2 = (np.zeros(s, np.float32) for s in layout.shapes)
    layout.scatter(vector, [a2, b2, c2])
    np.testing.assert_array_equal(a2, 2 * a)
    assert [v.shape for v in layout.split(vector)] == [(2, 3), (4,), (2,)]


def test_message_fields_are_aligned_views_of_one_buffer():
    message = Message({"a": (np.int8, 3), "b": (np.float64, 2)})
    message["b"][:] = [1.5, -2.0]
    assert message.buffer.nbytes == 8 + 16
    assert message["b"].ctypes.data % 8 == 0
    assert np.frombuffer(message.buffer[8:].tobytes(), np.float64).tolist() == [1.5, -2.0]


@pytest.mark.parametrize("batch, world", [(32, 3), (10, 4), (7, 7), (128, 2)])
def test_shards_are_disjoint_cover_the_batch_and_differ_by_at_most_one(batch, world):
    bounds = [shard_bounds(batch, rank, world) for rank in range(world)]
    assert bounds[0][0] == 0 and bounds[-1][1] == batch
    assert all(end == start for (_, end), (start, _) in itertools.pairwise(bounds))
    sizes = [end - start for start, end in bounds]
    assert max(sizes) - min(sizes) <= 1


def test_sharded_loaders_split_each_global_batch_and_skip_a_last_batch_too_small():
    X = np.arange(22)
    shards = []
    for rank in range(3):
        loader = DataLoader((X,), batch_size=10, shuffle=True,
                            generator=np.random.default_rng(5))
        sharded = ShardedLoader(loader, rank, 3)
        shards.append([batch for (batch,) in sharded])
        assert len(sharded) == 2  # batches of 10, 10, and 2 < 3 processes: skipped
    single = [batch for (batch,) in DataLoader((X,), batch_size=10, shuffle=True,
                                               generator=np.random.default_rng(5))]
    for step in range(2):
        np.testing.assert_array_equal(np.concatenate([s[step] for s in shards]), single[step])


def test_sharded_loader_needs_a_batch_per_process():
    with pytest.raises(ConfigError, match="at least the number of processes"):
        ShardedLoader(DataLoader((np.arange(10),), batch_size=2), 0, 4)


# ----- signals, step log ---------------------------------------------------------------------


def test_signal_latch_records_instead_of_stopping_and_says_so(capfd):
    latch = SignalLatch("rank 0 of 2")
    latch.install()
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        assert latch.received == signal.SIGTERM
    finally:
        latch.restore()
    assert "glassnet (rank 0 of 2): SIGTERM received" in capfd.readouterr().err
    assert flags(signal.SIGTERM) == (1.0, 0.0) and flags(None) == (0.0, 0.0)
    assert agreed(0.0, 0.0) is None


def test_step_log_keeps_records_up_to_the_resumed_step_and_summarizes(tmp_path):
    log = StepLog(tmp_path, {"mode": "sync", "world_size": 2})
    log.open(0)
    for step in (1, 2, 3):
        log.append({"step": step, "time": 0.1 * step, "loss": 1.0, "allreduce_seconds": step})
    log.close()
    log = StepLog(tmp_path, {"mode": "sync", "world_size": 4})
    log.open(2)  # resumed from step 2: step 3 is dropped, then written again
    log.append({"step": 3, "time": 0.1, "loss": 1.0, "allreduce_seconds": 9})
    log.close()
    summary = (tmp_path / "distributed.json").read_text()
    assert '"sessions": 2' in summary and '"world_size": 4' in summary
    assert summarize([{"step": 1, "allreduce_seconds": 1.0}])["allreduce_seconds"]["mean"] == 1


# ----- roles in one process ------------------------------------------------------------------


def _trainer(callbacks=()):
    model = models.mlp(2, [8], 3, generator=np.random.default_rng(0))
    return Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1),
                   callbacks=callbacks, generator=np.random.default_rng(0))


def test_data_parallel_on_one_process_is_plain_training_bit_for_bit():
    X, y = blobs(50, 3, generator=np.random.default_rng(1))
    plain, parallel = _trainer(), _trainer([DataParallel()])
    a = plain.fit((X, y), (X, y), epochs=2, batch_size=16)
    b = parallel.fit((X, y), (X, y), epochs=2, batch_size=16)
    for p, q in zip(plain.model.parameters(), parallel.model.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    assert a.history[-1]["val_accuracy"] == b.history[-1]["val_accuracy"]
    assert a.history[-1]["loss"] == pytest.approx(b.history[-1]["loss"], rel=1e-6)


def test_data_parallel_stops_on_a_signal_after_the_current_step():
    X, y = blobs(50, 3, generator=np.random.default_rng(1))

    class SendSigterm:
        def on_batch_end(self, state):
            if state.step == 3:
                os.kill(os.getpid(), signal.SIGTERM)

    state = _trainer([DataParallel(), SendSigterm()]).fit((X, y), epochs=2, batch_size=16)
    assert state.signal == signal.SIGTERM and state.step == 4  # agreed in step 4's buffer
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_roles_refuse_what_cannot_work():
    with pytest.raises(ConfigError, match="at least 2 processes"):
        ParameterServer(SingleProcess())
    with pytest.raises(ConfigError, match="at least 2 processes"):
        AsyncWorker(SingleProcess())
    with pytest.raises(ConfigError, match="--max-staleness"):
        make_role("sync", max_staleness=2, comm=SingleProcess())
    with pytest.raises(ConfigError, match="expected one of"):
        make_role("hogwild", comm=SingleProcess())
    assert isinstance(make_role("sync", comm=SingleProcess()), DataParallel)


def test_fail_together_lets_errors_through_in_a_world_of_one():
    with pytest.raises(ValueError, match="boom"), fail_together(SingleProcess()):
        raise ValueError("boom")


# ----- command line --------------------------------------------------------------------------


def test_distributed_options_without_distributed_are_refused(capsys):
    assert main(["train", "--max-staleness", "3"]) == 2
    assert "--max-staleness: only for distributed runs" in capsys.readouterr().err


def test_several_processes_without_distributed_are_refused(monkeypatch, capsys):
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "4")  # what mpiexec -n 4 sets
    assert main(["train"]) == 2
    assert "mpiexec started 4 processes, but without --distributed" in (
        capsys.readouterr().err)
