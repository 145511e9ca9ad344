"""Every fused-op test runs inline and split over the thread pool (see tests/threads.py)."""

import pytest

from tests.threads import POOL_MODES, pool_mode


@pytest.fixture(autouse=True, params=POOL_MODES)
def thread_pool_mode(request):
    with pool_mode(request.param):
        yield request.param
