"""glassnet asks OpenBLAS's idle threads to sleep at once (they would hold the core its own
threads need), unless the user set OPENBLAS_THREAD_TIMEOUT."""

import os
import subprocess
import sys

import pytest

READ_SETTING = "import glassnet, os; print(os.environ['OPENBLAS_THREAD_TIMEOUT'])"


@pytest.mark.parametrize(("given", "expected"), [(None, "4"), ("7", "7")])
def test_the_openblas_thread_timeout_defaults_to_4_and_a_users_value_wins(given, expected):
    env = {key: value for key, value in os.environ.items() if key != "OPENBLAS_THREAD_TIMEOUT"}
    if given is not None:
        env["OPENBLAS_THREAD_TIMEOUT"] = given
    completed = subprocess.run([sys.executable, "-c", READ_SETTING], capture_output=True,
                               text=True, env=env, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == expected


# Prints the setting at the moment NumPy (and with it OpenBLAS) is first imported.
SPY_ON_NUMPY = """
import os, sys
class Spy:
    def find_spec(self, name, path=None, target=None):
        if name == "numpy":
            print(os.environ.get("OPENBLAS_THREAD_TIMEOUT"))
sys.meta_path.insert(0, Spy())
import glassnet.cli.main
"""


def test_the_command_sets_it_before_numpy_is_loaded():
    env = {key: value for key, value in os.environ.items() if key != "OPENBLAS_THREAD_TIMEOUT"}
    completed = subprocess.run([sys.executable, "-c", SPY_ON_NUMPY], capture_output=True,
                               text=True, env=env, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines()[0] == "4"
