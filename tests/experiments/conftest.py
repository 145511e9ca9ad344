"""The browser fixture for the report tests."""

from tests.browser import browser_page  # noqa: F401 (a pytest fixture)
