"""Fixtures for the command-line tests: a tiny dataset, and ``glassnet`` run as a real
subprocess in a hermetic environment (its own cache and state folders, no GLASSNET_DATA)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.cli_helpers import write_tiny_fashion_mnist


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory) -> Path:
    return write_tiny_fashion_mnist(tmp_path_factory.mktemp("tiny") / "fashion-mnist")


@pytest.fixture(scope="session")
def cli_env(tmp_path_factory) -> dict:
    home = tmp_path_factory.mktemp("home")
    env = {key: value for key, value in os.environ.items() if key != "GLASSNET_DATA"}
    env.update(XDG_CACHE_HOME=str(home / "cache"), XDG_STATE_HOME=str(home / "state"),
               PYTHONWARNINGS="default")
    return env


@pytest.fixture(scope="session")
def glassnet(cli_env):
    """``glassnet(*args, **popen_options)`` runs the command line in a fresh process and
    returns the CompletedProcess, with ``.output`` = stdout + stderr."""

    def run(*args, env=None, timeout=120, **options):
        completed = subprocess.run(
            [sys.executable, "-m", "glassnet.cli.main", *map(str, args)],
            capture_output=True, text=True, env=env or cli_env, timeout=timeout, **options,
        )
        completed.output = completed.stdout + completed.stderr
        return completed

    return run
