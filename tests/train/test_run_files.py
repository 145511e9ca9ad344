"""Files every run folder gets from glassnet.train.run: curves.png at the end and when
interrupted, and fingerprint.json (hashes of what the run started from)."""

import io
import json
import os
import signal

import matplotlib.image

from glassnet.train.config import TrainConfig
from glassnet.train.run import run
from tests.experiments.data import write_noisy_dataset


class InterruptAt:
    def __init__(self, step: int):
        self.step = step

    def on_batch_end(self, state):
        if state.step == self.step:
            os.kill(os.getpid(), signal.SIGINT)


def _config(tmp_path, name, **changes):
    data = write_noisy_dataset(tmp_path / "data", n_train=120, n_test=40)
    return TrainConfig(data_dir=str(data), model="mlp", hidden=[8], epochs=2, batch_size=32,
                       out=str(tmp_path), name=name, progress=False, **changes)


def test_a_finished_run_has_its_curves_and_fingerprint(tmp_path):
    result = run(_config(tmp_path, "done"), stream=io.StringIO())
    picture = matplotlib.image.imread(result.folder / "curves.png")
    assert picture.shape[0] > 200 and picture.shape[1] > 600
    assert picture[..., :3].std() > 0.05  # something is drawn, not a blank canvas
    fingerprint = json.loads((result.folder / "fingerprint.json").read_text())
    assert fingerprint["steps_per_epoch"] == 4 and fingerprint["train_examples"] == 108
    assert len(fingerprint["initial_weights"]) == 64  # a SHA-256 in hex


def test_an_interrupted_run_still_draws_its_curves_and_keeps_its_fingerprint(tmp_path):
    result = run(_config(tmp_path, "stopped"), stream=io.StringIO(), callbacks=[InterruptAt(3)])
    assert result.signal == signal.SIGINT
    assert (result.folder / "curves.png").read_bytes()[:4] == b"\x89PNG"
    started = json.loads((result.folder / "fingerprint.json").read_text())
    (result.folder / "curves.png").unlink()
    resumed = run(_config(tmp_path, "stopped"), resume="auto", stream=io.StringIO())
    assert resumed.test_metrics and (resumed.folder / "curves.png").is_file()
    assert json.loads((result.folder / "fingerprint.json").read_text()) == started
