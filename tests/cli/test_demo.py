"""`glassnet demo`: trains on spiral data and prints falling loss and rising accuracy."""

import re
import subprocess
import sys

import pytest

from glassnet.cli.main import main


def test_demo_learns_the_spiral(capsys):
    assert main(["demo", "--steps", "1000"]) == 0
    lines = re.findall(r"loss ([\d.]+), train accuracy ([\d.]+)", capsys.readouterr().out)
    first_loss = float(lines[0][0])
    last_loss, last_accuracy = map(float, lines[-1])
    assert first_loss == pytest.approx(1.0986, abs=0.05)  # ln 3 at small output weights
    assert last_loss < 0.8 * first_loss
    assert last_accuracy > 0.6  # chance is 1/3


@pytest.mark.parametrize("argument", [["--steps", "0"], ["--lr", "-1"], ["--hidden", "x"]])
def test_demo_rejects_bad_options_with_exit_code_2(argument, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", *argument])
    assert exit_info.value.code == 2
    assert "demo" in capsys.readouterr().err


def test_help_runs_as_a_console_command():
    completed = subprocess.run(
        [sys.executable, "-m", "glassnet.cli.main", "--help"], capture_output=True, text=True
    )
    assert completed.returncode == 0 and "demo" in completed.stdout
