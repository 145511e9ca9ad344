"""The batch-block thread pool: blocks cover every row once, inline cases, errors, results."""

import threading

import numpy as np
import pytest
import threadpoolctl

from glassnet.errors import ConfigError
from glassnet.ops import parallel


@pytest.fixture
def threads():
    """Run the test with the given thread count and no size threshold; restore both after."""
    previous = parallel.get_num_threads()

    def use(count, min_bytes=0):
        parallel.set_num_threads(count)
        parallel.MIN_PARALLEL_BYTES = min_bytes

    saved_min = parallel.MIN_PARALLEL_BYTES
    yield use
    parallel.MIN_PARALLEL_BYTES = saved_min
    parallel.set_num_threads(previous)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 128, 1001])
@pytest.mark.parametrize("parts", [1, 2, 3, 5])
def test_batch_blocks_cover_every_row_exactly_once_in_order(n, parts):
    blocks = parallel.batch_blocks(n, parts)
    rows = [row for block in blocks for row in range(n)[block]]
    assert rows == list(range(n))
    assert len(blocks) == min(n, parts)
    sizes = [block.stop - block.start for block in blocks]
    assert max(sizes) - min(sizes) <= 1


@pytest.mark.parametrize("count", [2, 3])
def test_map_blocks_runs_every_block_once_and_keeps_block_order(threads, count):
    threads(count)
    seen = []
    results = parallel.map_blocks(lambda block: seen.append(block) or block, 10, nbytes=1)
    assert results == parallel.batch_blocks(10, count)
    assert sorted(seen, key=lambda block: block.start) == results


def test_map_blocks_uses_other_threads(threads):
    threads(2)
    names = parallel.map_blocks(lambda block: threading.current_thread().name, 4, nbytes=1)
    assert names[0] == threading.current_thread().name
    assert names[1].startswith("glassnet")


def test_one_thread_runs_inline_as_one_block(threads):
    threads(1)
    names = parallel.map_blocks(lambda block: (block, threading.current_thread().name), 9,
                                nbytes=1 << 30)
    assert names == [(slice(0, 9), threading.current_thread().name)]


def test_small_work_runs_inline(threads):
    threads(2, min_bytes=1000)
    assert parallel.map_blocks(lambda block: block, 8, nbytes=999) == [slice(0, 8)]
    assert len(parallel.map_blocks(lambda block: block, 8, nbytes=1000)) == 2


def test_nested_calls_run_inline(threads):
    threads(2)
    inner = parallel.map_blocks(
        lambda block: parallel.map_blocks(lambda b: b, block.stop - block.start, nbytes=1),
        8, nbytes=1)
    assert inner == [[slice(0, 4)], [slice(0, 4)]]


@pytest.mark.parametrize("failing", [0, 1, 2])
def test_an_exception_in_any_block_propagates_after_every_block_finished(threads, failing):
    threads(3)
    finished = []

    def work(block):
        if block.start == parallel.batch_blocks(9, 3)[failing].start:
            raise ValueError(f"block {failing}")
        finished.append(block.start)

    with pytest.raises(ValueError, match=f"block {failing}"):
        parallel.map_blocks(work, 9, nbytes=1)
    assert len(finished) == 2


@pytest.mark.parametrize("count", [1, 2, 3])
def test_blockwise_equals_the_serial_ufunc(threads, count):
    threads(count)
    x = np.random.default_rng(0).standard_normal((7, 3, 5)).transpose(0, 2, 1)
    out = parallel.blockwise(np.maximum, np.empty_like(x), x, 0.0)
    np.testing.assert_array_equal(out, np.maximum(x, 0.0))
    product = parallel.blockwise(np.multiply, np.empty_like(x), x, x > 0)
    np.testing.assert_array_equal(product, x * (x > 0))


def test_default_thread_count_is_the_blas_count(threads):
    parallel._settings["threads"] = None  # as at import
    with threadpoolctl.threadpool_limits(1, user_api="blas"):
        assert parallel.get_num_threads() == 1


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_set_num_threads_rejects_non_positive_ints(bad):
    with pytest.raises(ConfigError, match="expected an int >= 1"):
        parallel.set_num_threads(bad)


def blas_threads() -> int:
    return max(info["num_threads"] for info in threadpoolctl.threadpool_info()
               if info["user_api"] == "blas")


def test_blas_runs_single_threaded_inside_blocks_and_is_restored_after(threads):
    threads(2)
    with threadpoolctl.threadpool_limits(2, user_api="blas"):
        inside = parallel.map_blocks(lambda block: blas_threads(), 4, nbytes=1)
        assert inside == [1, 1]
        assert blas_threads() == 2
        with pytest.raises(ValueError):
            parallel.map_blocks(lambda block: int("not a number"), 4, nbytes=1)
        assert blas_threads() == 2


def test_a_call_from_a_thread_without_control_of_blas_is_right_and_changes_nothing(threads):
    threads(2)
    x = np.arange(8.0)
    results = []
    with threadpoolctl.threadpool_limits(2, user_api="blas"):  # this thread takes control
        worker = threading.Thread(target=lambda: results.append(
            parallel.map_blocks(lambda block: x[block].sum(), len(x), nbytes=1)))
        worker.start()
        worker.join(timeout=20)
        assert results == [[6.0, 22.0]]
        assert blas_threads() == 2


@pytest.mark.parametrize("count", [1, 2, 3])
@pytest.mark.parametrize("rows", [1, 7, 128])
def test_blocked_matmuls_equal_numpy(threads, count, rows):
    threads(count)
    generator = np.random.default_rng(rows)
    a = generator.standard_normal((2, rows, 5))
    b = generator.standard_normal((2, 5, 3))
    out = np.empty((2, rows, 3))
    np.testing.assert_allclose(parallel.matmul_by_rows(a, b, out), a @ b, rtol=1e-12)
    g = generator.standard_normal((2, 4, rows))
    np.testing.assert_allclose(parallel.matmul_summed_over_blocks(g, a), g @ a, rtol=1e-12)
