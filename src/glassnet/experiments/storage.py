"""Where a search's Optuna study lives, and the lock that keeps its trial count exact.

- One worker, no ``--storage``: an SQLite file in the search folder (``study.db``, viewable
  with ``optuna-dashboard sqlite:///…/study.db``).
- Several local workers, no ``--storage``: Optuna's journal file (``journal.log``); Optuna's
  FAQ advises against SQLite for parallel work.
- ``--storage postgresql://user@host:port/db``: PostgreSQL through SQLAlchemy and psycopg 3,
  for workers on many machines.

The lock serializes "count the trials, then create one" across every worker of the study:
a file lock (``fcntl.flock``) for the local storages, a PostgreSQL advisory lock for the
database, so workers on other machines take part. Both are released by the operating system
or the server when a worker dies, so a killed worker never blocks the others. Under it the
study is also created once (concurrent first creation races: optuna issues #1092, #4621).

Example:
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> choose_storage(folder, None, workers=3).kind
    'journal'
    >>> choose_storage(folder, "postgresql://me@127.0.0.1:5432/db", workers=3).url
    'postgresql+psycopg://me@127.0.0.1:5432/db'
"""

import contextlib
import fcntl
import zlib
from dataclasses import dataclass
from pathlib import Path

from glassnet.errors import ConfigError
from glassnet.extras import require_extra

LOCK_FILE = ".search.lock"


@dataclass(frozen=True)
class StorageChoice:
    """``kind`` "sqlite", "journal" or "postgresql"; ``url`` for the databases, ``path`` for
    the journal file."""

    kind: str
    url: str | None = None
    path: str | None = None

    def describe(self) -> str:
        return self.path if self.kind == "journal" else _without_password(self.url)


def choose_storage(folder: Path, storage: str | None, *, workers: int,
                   recorded: dict | None = None) -> StorageChoice:
    """The storage for a search in ``folder``: ``storage`` (a URL) if given, else what the
    folder recorded when the search started, else SQLite for one worker and the journal
    file for several.

    Raises:
        ConfigError: an unsupported URL, or SQLite asked to serve several workers.
    """
    if storage is not None:
        choice = _from_url(storage)
    elif recorded is not None:
        choice = StorageChoice(**recorded)
    elif workers == 1:
        choice = StorageChoice("sqlite", url=f"sqlite:///{(folder / 'study.db').resolve()}")
    else:
        choice = StorageChoice("journal", path=str((folder / "journal.log").resolve()))
    if choice.kind == "sqlite" and workers > 1:
        raise ConfigError(
            f"search: this search keeps its study in SQLite ({choice.describe()}), which "
            "cannot serve several workers at once. Continue it with --workers 1, or start a "
            "new search (another --study or --out) with --workers > 1."
        )
    return choice


def load_optuna():
    """Optuna, or a MissingDependencyError naming the extra ``search``."""
    return require_extra("optuna", "search", "glassnet search")


def open_storage(choice: StorageChoice):
    """The Optuna storage object for ``choice`` (tables are created on first use)."""
    optuna = load_optuna()

    if choice.kind == "journal":
        from optuna.storages.journal import JournalFileBackend, JournalStorage

        return JournalStorage(JournalFileBackend(choice.path))
    return optuna.storages.RDBStorage(choice.url)


@contextlib.contextmanager
def study_lock(choice: StorageChoice, folder: Path, study_name: str):
    """Hold the study's lock: one worker at a time creates the study or a trial."""
    if choice.kind == "postgresql":
        with _advisory_lock(choice.url, study_name):
            yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK_FILE, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def _advisory_lock(url: str, study_name: str):
    psycopg = require_extra("psycopg", "search", "a search on PostgreSQL")

    key = zlib.crc32(f"glassnet-search:{study_name}".encode())  # fits PostgreSQL's bigint
    try:
        connection = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                                     autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as error:
        raise ConfigError(f"search: cannot connect to {_without_password(url)}: "
                          f"{str(error).strip()}. Check the URL, that the server runs and "
                          "that this machine may connect.") from None
    with connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (key,))
        try:
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (key,))


def _from_url(url: str) -> StorageChoice:
    scheme = url.split("://", 1)[0]
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        rest = url.split("://", 1)[1] if "://" in url else ""
        return StorageChoice("postgresql", url=f"postgresql+psycopg://{rest}")
    if scheme == "sqlite" and url.startswith("sqlite:///"):
        return StorageChoice("sqlite", url=url)
    raise ConfigError(
        f"--storage: expected postgresql://USER@HOST:PORT/DATABASE (workers on many "
        f"machines) or sqlite:///PATH (one worker), but got {_without_password(url)!r}. "
        "Leave --storage out for a file in the search folder."
    )


def _without_password(url: str) -> str:
    """``postgresql://me:secret@host/db`` → ``postgresql://me:***@host/db`` for messages."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}{':***' if ':' in credentials else ''}@{host}"
