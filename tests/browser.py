"""A real headless browser for the tests of HTML that glassnet writes or serves: Debian's
chromium (installed by .ci/run) driven by Playwright, which downloads no browser of its own.

Usage in a test module::

    from tests.browser import browser_page  # noqa: F401  (a pytest fixture)

    def test_report_renders(browser_page):
        browser_page.goto(path.as_uri())

The fixture skips, with the reason, where chromium or Playwright is missing, and fails there
under GLASSNET_CI_STRICT=1 (``tests/ci.py``: CI installs both).
"""

import os
import shutil

import pytest

from tests.ci import import_in_ci, require_in_ci

# The flags that keep chromium off the network and quiet on a closed machine, as root.
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("GLASSNET_TEST_CHROMIUM") or shutil.which("chromium")


@pytest.fixture
def browser_page():
    """A fresh Playwright page in headless chromium, closed after the test."""
    sync_api = import_in_ci("playwright.sync_api",
                            reason="Playwright (dev dependency) drives the browser")
    executable = chromium_path()
    if executable is None:
        require_in_ci("no chromium here (apt-get install chromium; .ci/run installs it)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()
