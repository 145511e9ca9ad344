"""What CI provides, and how a test says it needs it: skipped here, failed in CI.

A test that needs something this machine may lack but ``.ci/run`` provides (a real
dataset, PostgreSQL, chromium, mpiexec, a module of an extra) calls ``require_in_ci(reason)``
where it would call ``pytest.skip(reason)``, or ``import_in_ci(name, reason)`` where it would
call ``pytest.importorskip``. Without ``GLASSNET_CI_STRICT=1`` that is a skip with the reason;
with it (``.ci/run`` sets it) it is a failure, so a CI run cannot go green while silently
leaving out what it was meant to run. See ``tests/conftest.py`` for examples.
"""

import collections
import importlib
import importlib.util
import os
from pathlib import Path
from types import ModuleType
from typing import NoReturn

import pytest

STRICT_VARIABLE = "GLASSNET_CI_STRICT"

# Installed by .ci/run outside uv.lock (PyTorch comes from a wheel on disk). Under the strict
# flag the run refuses to start without them: every PyTorch-reference test calls
# pytest.importorskip("torch"), and a wheel installed into the wrong interpreter once turned
# all of them into silent skips.
CI_MODULES = {"torch": "the PyTorch CPU wheel that .ci/run installs into .venv"}

# Debian's dataset-fashion-mnist, which .ci/run installs.
REAL_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")


def ci_strict() -> bool:
    """True under ``GLASSNET_CI_STRICT=1``: whatever CI provides must be there."""
    return os.environ.get(STRICT_VARIABLE) == "1"


def require_in_ci(reason: str) -> NoReturn:
    """Skip the test (or the module) with ``reason`` here; fail it under the strict flag.

    Call it where something that CI provides is missing. The reason says what is missing and
    how to get it, e.g. ``"no PostgreSQL: GLASSNET_TEST_POSTGRES is unset
    (.ci/services/postgres.sh starts one)"``.

    Raises:
        pytest.skip.Exception: locally (allowed at module level too).
        pytest.fail.Exception: under ``GLASSNET_CI_STRICT=1``.
    """
    __tracebackhide__ = True
    if ci_strict():
        pytest.fail(f"missing in CI: {reason} ({STRICT_VARIABLE}=1: .ci/run must provide it)",
                    pytrace=False)
    pytest.skip(f"{reason} [fails in CI]", allow_module_level=True)


def import_in_ci(name: str, reason: str) -> ModuleType:
    """``pytest.importorskip`` for a module that CI provides: the module, or ``require_in_ci``.

    Only the module itself (or its package) being absent counts as missing; an import that
    fails inside it (a broken install, a missing dependency of its own) is raised as is.
    """
    __tracebackhide__ = True
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name is None or not (name == error.name or name.startswith(f"{error.name}.")):
            raise
        require_in_ci(f"{reason} (no module {error.name!r})")


def real_fashion_mnist() -> Path:
    """The folder of the real Fashion-MNIST, or ``require_in_ci`` where it is not installed."""
    __tracebackhide__ = True
    if not (REAL_FASHION_MNIST / "train-images-idx3-ubyte.gz").exists():
        require_in_ci("the real Fashion-MNIST is not installed "
                      "(apt-get install dataset-fashion-mnist; .ci/run installs it)")
    return REAL_FASHION_MNIST


def missing_ci_modules(modules: dict = CI_MODULES) -> list[str]:
    """The ``{module: where it comes from}`` entries that this interpreter cannot import.

    Example:
        >>> missing_ci_modules({"json": "the standard library", "no_such_module_x": "nowhere"})
        ['no_such_module_x (nowhere)']
    """
    return [f"{name} ({source})" for name, source in modules.items()
            if importlib.util.find_spec(name) is None]


def skip_summary(reasons: list[str], *, width: int = 70) -> str:
    """One line counting skips by reason, most frequent first; reasons cut to ``width``.

    Example:
        >>> skip_summary(["no chromium", "Linux only", "no chromium"])
        'skipped by reason: 2 × no chromium; 1 × Linux only'
        >>> skip_summary([])
        'skipped by reason: none'
    """
    if not reasons:
        return "skipped by reason: none"
    counts = collections.Counter(
        reason if len(reason) <= width else reason[: width - 1] + "…" for reason in reasons
    )
    return "skipped by reason: " + "; ".join(f"{n} × {r}" for r, n in counts.most_common())
