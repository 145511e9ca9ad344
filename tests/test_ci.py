"""The suite's CI rules (tests/ci.py, tests/conftest.py): a missing reference skips here and
fails under GLASSNET_CI_STRICT=1, the run ends with a skip summary, and CI's Hypothesis
profile is derandomized."""

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import settings

import tests.ci
from tests.ci import import_in_ci, require_in_ci

CONFTEST = (Path(__file__).parent / "conftest.py").read_text()


def test_require_in_ci_skips_here_and_fails_under_the_strict_flag(monkeypatch):
    monkeypatch.delenv("GLASSNET_CI_STRICT", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"no chromium here \[fails in CI\]"):
        require_in_ci("no chromium here")
    monkeypatch.setenv("GLASSNET_CI_STRICT", "1")
    with pytest.raises(pytest.fail.Exception, match="missing in CI: no chromium here"):
        require_in_ci("no chromium here")


def test_import_in_ci_returns_the_module_or_requires_it(monkeypatch):
    monkeypatch.delenv("GLASSNET_CI_STRICT", raising=False)
    assert import_in_ci("json", reason="unused") is json
    with pytest.raises(pytest.skip.Exception, match=r"the demo \(no module 'no_such_pkg_x'\)"):
        import_in_ci("no_such_pkg_x.sub", reason="the demo")
    monkeypatch.setenv("GLASSNET_CI_STRICT", "1")
    with pytest.raises(pytest.fail.Exception, match="missing in CI: the demo"):
        import_in_ci("no_such_pkg_x", reason="the demo")


def test_import_in_ci_raises_an_import_that_breaks_inside_the_module(tmp_path, monkeypatch):
    (tmp_path / "broken_demo_module.py").write_text("import no_such_dependency_x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_x"):
        import_in_ci("broken_demo_module", reason="a module whose own import is broken")


def test_ci_profile_is_derandomized_and_local_runs_are_not():
    ci, dev = settings.get_profile("ci"), settings.get_profile("dev")
    assert ci.derandomize and ci.database is None and ci.deadline is None
    assert not dev.derandomize


SUITE = {
    "test_plain.py": """
        import pytest
        from tests.ci import require_in_ci

        def test_passes():
            assert True

        def test_needs_a_service():
            require_in_ci("no demo service")

        @pytest.mark.skipif(True, reason="Linux only")
        def test_platform():
            pass
    """,
    "test_profile.py": """
        import os
        from hypothesis import settings

        def test_hypothesis_profile_follows_the_flag():
            strict = os.environ.get("GLASSNET_CI_STRICT") or os.environ.get("CI")
            assert settings.get_current_profile_name() == ("ci" if strict else "dev")
    """,
    "test_module_level.py": """
        from tests.ci import import_in_ci

        missing = import_in_ci("no_such_pkg_x", reason="the demo extra")

        def test_never_collected_without_it():
            pass
    """,
}


@pytest.fixture
def demo_suite(pytester, monkeypatch):
    """A small suite under this conftest, run in this process (the Hypothesis profile it
    loads is put back afterwards)."""
    monkeypatch.delenv("CI", raising=False)
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(**{name[:-3]: textwrap.dedent(source) for name, source in SUITE.items()})
    profile = settings.get_current_profile_name()
    yield pytester
    settings.load_profile(profile)


def test_locally_missing_references_skip_and_the_run_ends_with_the_summary(demo_suite,
                                                                            monkeypatch):
    monkeypatch.delenv("GLASSNET_CI_STRICT", raising=False)
    result = demo_suite.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, skipped=3)
    summary = [line for line in result.outlines if line.startswith("skipped by reason:")]
    assert summary == ["skipped by reason: 1 × the demo extra (no module 'no_such_pkg_x') "
                       "[fails in CI]; 1 × no demo service [fails in CI]; 1 × Linux only"]


def test_under_the_strict_flag_missing_references_fail_and_the_rest_still_runs(demo_suite,
                                                                                monkeypatch):
    monkeypatch.setenv("GLASSNET_CI_STRICT", "1")
    result = demo_suite.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1, skipped=1, errors=1)
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*missing in CI: no demo service*",
                                 "*missing in CI: the demo extra*"], consecutive=False)
    assert "skipped by reason: 1 × Linux only" in result.outlines


def test_under_the_strict_flag_a_missing_ci_module_stops_the_run_at_once(demo_suite,
                                                                          monkeypatch):
    monkeypatch.setenv("GLASSNET_CI_STRICT", "1")
    monkeypatch.setitem(tests.ci.CI_MODULES, "no_such_pkg_x", "the demo wheel")
    result = demo_suite.runpytest_inprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*cannot import no_such_pkg_x (the demo wheel)*"])
