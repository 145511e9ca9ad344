"""examples/_lab.py, the helper every example uses: a claim that does not hold makes the
script fail, --quick and --out reach the script, Fashion-MNIST subsets are standardized and
disjoint, and a missing dataset ends the script with the skip status."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import glassnet.data
from glassnet.errors import DatasetNotFoundError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def lab_module():
    spec = importlib.util.spec_from_file_location("_lab", EXAMPLES / "_lab.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _script(tmp_path, body: str) -> subprocess.CompletedProcess:
    path = tmp_path / "99_try.py"
    path.write_text(f"import sys\nsys.path.insert(0, {str(EXAMPLES)!r})\n"
                    f"from _lab import Lab\nlab = Lab('99. A question?')\n{body}\nlab.finish()\n")
    return subprocess.run([sys.executable, str(path), "--quick", "--out", str(tmp_path / "f")],
                          capture_output=True, text=True, timeout=60)


def test_a_claim_that_does_not_hold_fails_the_script(tmp_path):
    done = _script(tmp_path, "lab.claim('one is one', 1 == 1, 'checked')\n"
                             "lab.claim('two is three', 2 == 3, 'measured 2')")
    assert done.returncode == 1
    assert "CLAIM HOLDS: one is one (checked)" in done.stdout
    assert "CLAIM DOES NOT HOLD: two is three (measured 2)" in done.stdout
    assert "1 claim(s) did not hold" in done.stdout


def test_claims_that_hold_pass_and_options_reach_the_script(tmp_path):
    done = _script(tmp_path, "assert lab.quick and lab.choose(10, 2) == 2\n"
                             "print(lab.figure_path('99_x.png'))\n"
                             "lab.claim('fine', True, 'ok')\nlab.answer('yes')")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[0] == "99. A question?"
    assert str(tmp_path / "f" / "99_x.png") in done.stdout and "ANSWER: yes" in done.stdout


def test_a_missing_dataset_ends_the_script_with_the_skip_status(lab_module, monkeypatch):
    def missing(*args, **kwargs):
        raise DatasetNotFoundError("fashion-mnist: not found in /nowhere")

    monkeypatch.setattr(glassnet.data, "load_dataset", missing)
    with pytest.raises(SystemExit) as exit_info:
        lab_module.Lab("1. Q?", argv=[]).fashion_mnist(10, 10)
    assert exit_info.value.code == lab_module.SKIP_STATUS == 77


def test_fashion_mnist_subsets_are_standardized_shrunk_and_disjoint(lab_module):
    try:
        glassnet.data.load_dataset("fashion-mnist", split="test")
    except DatasetNotFoundError:
        pytest.skip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
    lab = lab_module.Lab("1. Q?", argv=[])
    (X, y), (X_val, _), (X_test, _) = lab.fashion_mnist(500, 200, n_val=100)
    assert X.shape == (500, 196) and X_val.shape == (100, 196) and X_test.shape == (200, 196)
    assert X.dtype == np.float32 and y.dtype == np.int64
    assert abs(X.mean()) < 1e-5 and abs(X.std() - 1) < 1e-4
    assert not {row.tobytes() for row in X} & {row.tobytes() for row in X_val}
    (X28, _), _, _ = lab.fashion_mnist(5, 5, size=28)
    assert X28.shape == (5, 784)


def test_table_aligns_columns(lab_module, capsys):
    lab_module.Lab("1. Q?", argv=[]).table(["a", "long name"], [[1.23456, "x"], [10, "yy"]])
    lines = capsys.readouterr().out.splitlines()[1:]
    assert lines == ["    a  long name", "-----  ---------", "1.235          x",
                     "   10         yy"]


def test_examples_run_numpy_on_one_blas_thread(lab_module):
    import numpy

    bundled = list((Path(numpy.__file__).resolve().parent.parent / "numpy.libs")
                   .glob("*openblas*"))
    if not bundled:
        pytest.skip("this NumPy does not bundle OpenBLAS; the setting is best effort")
    assert lab_module.set_blas_threads(1) is True
