"""Faults while writing (RELIABILITY E1, E4, E5): atomic writes leave the previous file intact
and no partial file, errors say what to fix, stale temporaries are swept, and SIGKILL at
random moments during saves always leaves a loadable latest checkpoint."""

import errno
import multiprocessing
import os
import subprocess
import sys
import time

import numpy as np
import pytest

import glassnet.atomic_write as atomic_write_module
from glassnet.atomic_write import atomic_write, sweep_stale_temporaries
from glassnet.train.checkpoint import load_checkpoint, save_checkpoint


def _temporaries(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def previous(tmp_path):
    """A folder holding one good checkpoint, and what it holds."""
    path = tmp_path / "last.safetensors"
    tensors = {"w": np.arange(6, dtype=np.float32).reshape(2, 3)}
    save_checkpoint(path, tensors, {"epoch": 1})
    return path, tensors


def _assert_previous_intact(previous):
    path, tensors = previous
    loaded, metadata = load_checkpoint(path)
    np.testing.assert_array_equal(loaded["w"], tensors["w"])
    assert metadata == {"epoch": 1}
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


# ----- atomic_write ------------------------------------------------------------------------


def test_atomic_write_writes_text_as_utf8_and_bytes_as_is(tmp_path):
    atomic_write(tmp_path / "a.json", '{"name": "réseau"}\n')
    atomic_write(tmp_path / "b.bin", b"\x00\xff")
    assert (tmp_path / "a.json").read_bytes() == '{"name": "réseau"}\n'.encode()
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\xff"
    assert _temporaries(tmp_path) == []


def test_atomic_write_replaces_an_existing_file(tmp_path):
    (tmp_path / "m.json").write_text("old")
    atomic_write(tmp_path / "m.json", "new")
    assert (tmp_path / "m.json").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


def test_atomic_write_rejects_data_that_is_not_bytes_or_str(tmp_path):
    with pytest.raises(TypeError, match=r"atomic_write: expected .* bytes or str, but got dict"):
        atomic_write(tmp_path / "x.json", {"a": 1})
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_handles_names_too_long_to_prefix(tmp_path):
    name = "n" * 250 + ".json"  # 255 bytes, the file system's limit for a name
    atomic_write(tmp_path / name, "x")
    assert (tmp_path / name).read_text() == "x"


def test_interrupt_during_write_leaves_no_temporary(tmp_path, monkeypatch, previous):
    def interrupted(fd, data):
        os.write(fd, bytes(data)[:10])
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic_write_module, "_write_all", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(previous[0], {"w": np.zeros(1000)}, {"epoch": 2})
    _assert_previous_intact(previous)


# ----- E4: disk full -----------------------------------------------------------------------


def test_disk_full_is_a_clear_error_and_keeps_the_previous_checkpoint(monkeypatch, previous):
    def disk_fills_up(fd, data):
        os.write(fd, bytes(data)[: len(data) // 2])  # a partial temporary file exists now
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic_write_module, "_write_all", disk_fills_up)
    with pytest.raises(OSError, match=r"save_checkpoint: could not write .*last\.safetensors: "
                       r"No space left on device\. The disk is full") as info:
        save_checkpoint(previous[0], {"w": np.zeros((100, 100))}, {"epoch": 2})
    assert info.value.errno == errno.ENOSPC
    assert "previous file at" in str(info.value) and "is unchanged" in str(info.value)
    _assert_previous_intact(previous)


def test_failing_fsync_is_a_clear_error_and_keeps_the_previous_checkpoint(monkeypatch, previous):
    def fsync_fails(fd):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(atomic_write_module.os, "fsync", fsync_fails)
    with pytest.raises(OSError, match="Input/output error") as info:
        save_checkpoint(previous[0], {"w": np.zeros(3)}, {"epoch": 2})
    assert info.value.errno == errno.EIO
    monkeypatch.undo()
    _assert_previous_intact(previous)


def test_failing_rename_leaves_no_temporary(tmp_path):
    target = tmp_path / "ckpt.safetensors"
    target.mkdir()  # a non-empty folder where the file should go: os.replace fails
    (target / "inside").write_text("x")
    with pytest.raises(IsADirectoryError, match="The path is a folder"):
        save_checkpoint(target, {"w": np.zeros(3)}, {})
    assert _temporaries(tmp_path) == []


# ----- E5: missing or read-only folder ------------------------------------------------------


def test_missing_folder_is_a_clear_error_and_is_not_created(tmp_path):
    path = tmp_path / "runs" / "exp1" / "last.safetensors"
    with pytest.raises(FileNotFoundError, match=r"could not write .*The folder does not exist"):
        save_checkpoint(path, {"w": np.zeros(3)}, {})
    assert not (tmp_path / "runs").exists()


def test_path_under_a_file_is_a_clear_error(tmp_path):
    (tmp_path / "runs").write_text("a file, not a folder")
    with pytest.raises(NotADirectoryError, match="A part of the path is a file"):
        atomic_write(tmp_path / "runs" / "config.json", "{}")


def test_permission_denied_is_a_clear_error(monkeypatch, previous):
    """A read-only folder, simulated: chmod does not stop root, who runs some test machines."""
    real_open = os.open

    def read_only_folder(path, flags, mode=0o777, **kwargs):
        if flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, mode, **kwargs)

    monkeypatch.setattr(atomic_write_module.os, "open", read_only_folder)
    with pytest.raises(PermissionError, match="Permission denied: check the folder's"):
        save_checkpoint(previous[0], {"w": np.zeros(3)}, {"epoch": 2})
    monkeypatch.undo()
    _assert_previous_intact(previous)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs POSIX permissions and a non-root user (root ignores chmod)")
def test_read_only_folder_is_a_clear_error(previous):
    folder = previous[0].parent
    folder.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match="Permission denied"):
            save_checkpoint(previous[0], {"w": np.zeros(3)}, {"epoch": 2})
    finally:
        folder.chmod(0o700)
    _assert_previous_intact(previous)


# ----- sweeping stale temporaries ----------------------------------------------------------


def _temp_name(target: str, pid: int) -> str:
    return f".{target}.glassnet-{pid}-0123abcd.tmp"


def test_sweep_removes_only_temporaries_of_ended_writers(tmp_path):
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()  # reaped: its pid is free
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        stale = tmp_path / _temp_name("last.safetensors", ended.pid)
        live = tmp_path / _temp_name("last.safetensors", running.pid)
        own = tmp_path / _temp_name("best.safetensors", os.getpid())
        others = [tmp_path / "last.safetensors", tmp_path / ".hidden.tmp",
                  tmp_path / f"x.glassnet-{ended.pid}-0123abcd.tmp"]
        for path in [stale, live, own, *others]:
            path.write_bytes(b"partial")
        assert sweep_stale_temporaries(tmp_path) == [stale]
        assert not stale.exists()
        assert all(path.exists() for path in [live, own, *others])
    finally:
        running.kill()
        running.wait()


def test_sweep_of_a_missing_folder_removes_nothing(tmp_path):
    assert sweep_stale_temporaries(tmp_path / "missing") == []


# ----- E1: SIGKILL during saves --------------------------------------------------------------


def _save_forever(path):
    """Resume from the checkpoint at ``path`` and save a new step in a loop, forever."""
    variants = [np.full((512, 1024), float(k), np.float32) for k in range(2)]  # 2 MiB each
    _, metadata = load_checkpoint(path)
    step = metadata["step"] + 1
    while True:
        tensors = {"w": variants[step % 2], "step": np.array(step)}
        save_checkpoint(path, tensors, {"step": step})
        step += 1


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="forks the test process (Linux only)")
def test_sigkill_at_random_moments_always_leaves_a_loadable_latest_checkpoint(tmp_path):
    """30 writers, each forked (fast: no re-import) and killed with SIGKILL after a seeded
    random delay. After each kill the latest checkpoint loads, verifies and is consistent,
    its step never goes back, and sweeping removes every temporary left behind."""
    path = tmp_path / "last.safetensors"
    save_checkpoint(path, {"w": np.zeros((512, 1024), np.float32), "step": np.array(0)},
                    {"step": 0})
    context = multiprocessing.get_context("fork")
    rng = np.random.default_rng(0)
    last_step, kills_mid_write = 0, 0
    for _ in range(30):
        writer = context.Process(target=_save_forever, args=(path,))
        writer.start()
        time.sleep(rng.uniform(0.005, 0.1))
        writer.kill()
        writer.join()
        assert writer.exitcode == -9
        tensors, metadata = load_checkpoint(path)
        step = metadata["step"]
        assert step >= last_step
        assert int(tensors["step"]) == step
        assert np.all(tensors["w"] == step % 2)
        last_step = step
        kills_mid_write += bool(sweep_stale_temporaries(tmp_path))
        assert _temporaries(tmp_path) == []
    assert last_step > 0
    # The kills must land inside saves for the test to mean anything; here most do (a save
    # of 2 MiB with fsync is nearly all of a writer's time), so a few is a safe floor.
    assert kills_mid_write >= 3
