"""A run folder is written by one process at a time, says how its run ended, and is resumed
only with the options it was started with.

- **Lock.** ``RunFolder(folder)`` takes an exclusive lock (``flock`` on ``folder/.lock``,
  which holds the owner's pid) for as long as the run lasts. A second process asking for the
  same folder gets a ``RunError`` at once, before it writes anything: two runs in one folder
  would interleave their checkpoints and metrics. The system releases the lock when the
  process ends, even by SIGKILL, so a killed run can always be resumed. (Without ``fcntl``,
  on Windows, there is no lock.)
- **Status.** ``status.json`` says ``running`` while the run goes on, then ``finished``,
  ``failed`` (diverged, or an error such as a full disk; ``reason`` says which) or
  ``interrupted`` (Ctrl-C or SIGTERM; resumable). :func:`read_status` reports a ``running``
  folder whose process has gone as ``killed``. Each resume appends to ``resumed``: the
  checkpoint, its step and the options it changed. ``glassnet report``, ``compare`` and
  ``search`` read it to tell finished runs from the rest.
- **Resume.** :func:`check_resume` compares the options of a resumed run with those recorded
  in its checkpoint and refuses any change outside ``RESUME_MAY_CHANGE`` (and a change of
  epochs under a schedule laid out over the run), before the folder is touched.

Example:
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "run"
    >>> with RunFolder(folder) as run_folder:
    ...     run_folder.start()
    ...     read_status(folder)["status"]
    ...     run_folder.end("finished", "5 epochs")
    'running'
    >>> read_status(folder)["status"], read_status(folder)["reason"]
    ('finished', '5 epochs')
"""

import contextlib
import json
import os
import time
from pathlib import Path

from glassnet.atomic_write import atomic_write
from glassnet.errors import CheckpointError, ConfigError, RunError
from glassnet.train.config import RESUME_MAY_CHANGE, SCHEDULES_OVER_THE_RUN, TrainConfig

try:
    import fcntl
except ImportError:  # Windows: no flock
    fcntl = None

STATUS_FILE = "status.json"
LOCK_FILE = ".lock"
STATUSES = ("running", "finished", "failed", "interrupted", "killed")


class RunFolder:
    """Hold ``folder`` (created if needed) exclusively, and keep its ``status.json``.

    Use it as a context manager. ``start()`` records the run as running; ``end(status,
    reason)`` records how it ended. Leaving the block by an exception after ``start()``
    records ``failed`` (with the error) or, for Ctrl-C, ``interrupted``; leaving it before
    ``start()`` leaves the status as it was (a refused resume changes nothing).

    Raises:
        RunError: another process holds the folder.
        ConfigError: the folder's path is a file.
        OSError: the folder cannot be created (permission, a file in the path, ...).
    """

    def __init__(self, folder):
        self.folder = Path(folder)
        self.started = False
        self._lock = None

    def __enter__(self) -> "RunFolder":
        if self.folder.exists() and not self.folder.is_dir():
            raise ConfigError(
                f"run folder: {self.folder} is a file, not a folder. Choose another --name or "
                "--out."
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = _take_lock(self.folder)
        return self

    def __exit__(self, kind, error, trace) -> None:
        try:
            if self.started and error is not None:
                status = "interrupted" if isinstance(error, KeyboardInterrupt) else "failed"
                reason = _reason(error)
                with contextlib.suppress(OSError):  # a full disk may refuse this too
                    self.end(status, reason)
                error.add_note(self._ending_note(status))
        finally:
            if self._lock is not None:
                os.close(self._lock)
                self._lock = None

    def start(self, *, resumed_from=None, step: int = 0, changed: dict | None = None) -> None:
        """Record the run as running (appending to ``resumed`` when it continues one)."""
        record = read_status(self.folder) if resumed_from is not None else {}
        resumes = record.get("resumed", [])
        if resumed_from is not None:
            resumes.append({"checkpoint": str(resumed_from), "step": step,
                            "changed": changed or {}, "at": _now()})
        self._write({"status": "running", "reason": "", "pid": os.getpid(),
                     "started": record.get("started", _now()), "ended": None,
                     "resumed": resumes})
        self.started = True

    def end(self, status: str, reason: str = "") -> None:
        """Record how the run ended: ``finished``, ``failed`` or ``interrupted``."""
        if status not in STATUSES[1:4]:
            raise ValueError(f"RunFolder.end: expected one of {STATUSES[1:4]}, got {status!r}")
        record = read_status(self.folder)
        self._write({**record, "status": status, "reason": reason, "ended": _now()})

    def _ending_note(self, status: str) -> str:
        if (self.folder / "last.safetensors").is_file():
            return (f"run folder: {self.folder} (status {status}); its last checkpoint is "
                    "intact: once fixed, --resume auto continues from it.")
        return f"run folder: {self.folder} (status {status}); no checkpoint was saved yet."

    def _write(self, record: dict) -> None:
        atomic_write(self.folder / STATUS_FILE, json.dumps(record, indent=2) + "\n")


def read_status(folder) -> dict:
    """The run folder's status record: ``{"status", "reason", "pid", "started", "ended",
    "resumed"}``; ``{}`` when it has none (an older run). A ``running`` run whose process
    is gone is reported as ``killed``."""
    path = Path(folder) / STATUS_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(record, dict):
        return {}
    if record.get("status") == "running" and not _process_alive(record.get("pid")):
        record = {**record, "status": "killed",
                  "reason": "the process ended without saying how (killed, or the machine "
                  "stopped); --resume auto continues from the last checkpoint"}
    return record


def check_resume(config: TrainConfig, recorded: dict | None) -> dict:
    """Refuse to resume with options that change what the run computes.

    Args:
        config: the options of the resumed run.
        recorded: the config stored in the checkpoint (``metadata["config"]``), or None for a
            checkpoint that records none (then only the model's shapes are checked, later).

    Returns:
        The options that changed, ``{name: [before, after]}`` (only ``RESUME_MAY_CHANGE``).

    Raises:
        ConfigError: listing every option that differs and may not, with the fix.
    """
    if not isinstance(recorded, dict):
        return {}
    defaults = TrainConfig().to_json()
    current = config.to_json()
    differences = {
        key: [recorded.get(key, defaults[key]), value] for key, value in current.items()
        if recorded.get(key, defaults[key]) != value
    }
    refused = {key: pair for key, pair in differences.items() if key not in RESUME_MAY_CHANGE}
    if refused:
        listing = ", ".join(f"{key} {before!r} → {after!r}" for key, (before, after)
                            in refused.items())
        raise ConfigError(
            f"resume: expected the options the run was started with, but these differ: "
            f"{listing}. A resumed run may change only {', '.join(sorted(RESUME_MAY_CHANGE))}. "
            "Drop those options (a resumed run takes the rest from its checkpoint), or start a "
            "new run with another --name."
        )
    if "epochs" in differences and config.schedule in SCHEDULES_OVER_THE_RUN:
        before, after = differences["epochs"]
        raise ConfigError(
            f"resume: the {config.schedule} schedule is laid out over the run's {before} "
            f"epochs, so changing epochs to {after} would bend it mid-run. Keep --epochs "
            f"{before}, or start a new run."
        )
    return differences


def read_resume_checkpoint(path) -> dict:
    """The metadata of the training checkpoint at ``path``, checked before anything is written.

    Raises:
        FileNotFoundError: no file at ``path``.
        CheckpointError: the file is corrupt or not a training checkpoint; when
            ``best.safetensors`` beside it is intact, a note says how to resume from it.
    """
    from glassnet.train.checkpoint import load_checkpoint

    try:
        _, metadata = load_checkpoint(path)
        if metadata.get("kind") != "training":
            raise CheckpointError(
                f"resume: {path} is a {metadata.get('kind', 'unknown')!r} file, not a training "
                "checkpoint. Resume from a run's last.safetensors."
            )
    except CheckpointError as error:
        note = _best_checkpoint_note(path)
        if note is not None:
            error.add_note(note)
        raise
    return metadata


def recorded_config(metadata: dict) -> dict | None:
    """The run options a training checkpoint's metadata records, if any."""
    extra = metadata.get("metadata")
    config = extra.get("config") if isinstance(extra, dict) else None
    return config if isinstance(config, dict) else None


def _best_checkpoint_note(path) -> str | None:
    from glassnet.train.checkpoint import load_checkpoint

    best = Path(path).with_name("best.safetensors")
    if Path(path).name == best.name or not best.is_file():
        return None
    try:
        _, metadata = load_checkpoint(best)
    except (CheckpointError, OSError):
        return None
    return (f"{best} beside it is intact (epoch {metadata.get('epoch', '?')}): continue from "
            f"it with --resume {best}")


def _take_lock(folder: Path):
    if fcntl is None:
        return None
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        owner = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
        os.close(fd)
        raise RunError(
            f"run folder: {folder} is in use by another glassnet process (pid {owner}); two "
            "runs writing one folder would mix their checkpoints and metrics. Wait for it to "
            "finish, or choose another --name."
        ) from None
    except BaseException:
        os.close(fd)
        raise
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode("ascii"))
    return fd


def _reason(error: BaseException) -> str:
    if isinstance(error, KeyboardInterrupt):
        return "interrupted (Ctrl-C)"
    if isinstance(error, OSError) and error.strerror:
        where = f"{error.filename}: " if error.filename is not None else ""
        return where + error.strerror
    return str(error) or type(error).__name__


def _process_alive(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    if pid == os.getpid() or os.name != "posix":  # Windows' os.kill would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
