"""The test suite's rules: what CI must not skip, the skip summary, Hypothesis profiles.

Needing something that CI provides
----------------------------------
A test may need something this machine lacks but ``.ci/run`` provides: the real
Fashion-MNIST, a service from ``.ci/services/`` (PostgreSQL, chromium, mpiexec), a module of
an extra. Such a test does not call ``pytest.skip`` or ``pytest.importorskip`` but the two
helpers of ``tests/ci.py``, which skip with the reason here and **fail** under
``GLASSNET_CI_STRICT=1`` (``.ci/run`` sets it)::

    from tests.ci import import_in_ci, require_in_ci

    # a service: .ci/services/<name>.sh exports GLASSNET_TEST_* when it started one
    dsn = os.environ.get("GLASSNET_TEST_POSTGRES")
    if dsn is None:
        require_in_ci("no PostgreSQL: GLASSNET_TEST_POSTGRES is unset "
                      "(.ci/services/postgres.sh starts one)")

    # a program on PATH
    if shutil.which("mpiexec") is None:
        require_in_ci("no mpiexec (apt-get install openmpi-bin; .ci/run installs it)")

    # a module (at module level too; in CI the module then fails to collect)
    psycopg = import_in_ci("psycopg", reason="PostgreSQL storage needs glassnet[search]")

Fixtures call them the same way (``tests/browser.py``'s ``browser_page`` does for chromium).
Keep plain ``pytest.skip``/``skipif`` for what CI cannot change either (root ignores chmod,
Linux only). PyTorch needs nothing new: keep ``pytest.importorskip("torch", reason=...)`` as
usual; under the strict flag this conftest refuses to start when ``torch`` cannot be imported
(``tests.ci.CI_MODULES``), so no PyTorch-reference test can be skipped in CI. Under the flag a
module that fails to collect no longer stops the run: the other tests still run and report.

The skip summary
----------------
The run ends with one line counting the skips by reason (``skipped by reason: 1 × …``), so
the end of ``.ci/run`` says what did not run and why.

Hypothesis
----------
Profile ``ci`` (derandomized: the same examples on every run, no example database, no
deadline on a busy machine) is loaded when ``GLASSNET_CI_STRICT`` or ``CI`` is set; otherwise
``dev`` (random examples, so local runs keep exploring). ``--hypothesis-profile ci`` replays the
CI examples locally; a failure prints the seed and a ``@reproduce_failure`` blob either way.
"""

import os

import pytest
from hypothesis import settings

from tests.ci import STRICT_VARIABLE, ci_strict, missing_ci_modules, skip_summary

pytest_plugins = ["pytester"]  # tests/test_ci.py runs small suites under these rules

settings.register_profile("ci", derandomize=True, database=None, deadline=None,
                          print_blob=True)
# Hypothesis derandomizes its own defaults when CI is set, so "dev" says it explicitly
settings.register_profile("dev", derandomize=False, print_blob=True)
settings.load_profile("ci" if os.environ.get(STRICT_VARIABLE) or os.environ.get("CI") else "dev")


def pytest_configure(config):
    if not ci_strict():
        return
    missing = missing_ci_modules()
    if missing:
        raise pytest.UsageError(
            f"{STRICT_VARIABLE}=1, but this interpreter cannot import {', '.join(missing)}. "
            f"Install it into the environment that runs pytest (.ci/run does), or unset "
            f"{STRICT_VARIABLE} to let those tests skip."
        )
    config.option.continue_on_collection_errors = True


def pytest_terminal_summary(terminalreporter):
    reasons = []
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reasons.append(reason.removeprefix("Skipped: "))
    terminalreporter.write_line(skip_summary(reasons))
