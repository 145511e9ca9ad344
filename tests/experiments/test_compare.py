"""compare() end to end on a tiny noisy dataset: fairness, results.csv, the report files,
resuming an interrupted comparison, a diverging variant, parallel jobs, and glassnet report
on hand-made run folders."""

import copy
import csv
import io
import json
import os
import signal
from html.parser import HTMLParser

import numpy as np
import pytest

from glassnet.cli.main import main
from glassnet.errors import ConfigError
from glassnet.experiments import compare, report
from glassnet.experiments.threads import cores
from glassnet.train.config import TrainConfig
from tests.experiments.data import write_noisy_dataset


def base_config(data, out, **changes) -> TrainConfig:
    options = {"data_dir": str(data), "model": "mlp", "hidden": [16], "epochs": 2,
               "batch_size": 32, "lr": 0.01, "out": str(out), **changes}
    return TrainConfig(**options)


class RecordStart:
    """Keeps each run's initial parameters and a copy of its loader as the run starts."""

    def __init__(self, store: dict, name: str):
        self.store, self.name = store, name

    def on_train_begin(self, state):
        if state.step == 0:
            weights = [p.data.copy() for p in state.trainer.model.parameters()]
            self.store[self.name] = (weights, copy.deepcopy(state.trainer.loader))


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return write_noisy_dataset(tmp_path_factory.mktemp("noisy"))


@pytest.fixture(scope="module")
def activations(data, tmp_path_factory):
    """relu and tanh × seeds 0 and 1, trained in this process with RecordStart."""
    store = {}
    out = tmp_path_factory.mktemp("compare")
    comparison = compare(base_config(data, out), {"activation": ["relu", "tanh"]}, seeds=[0, 1],
                         callbacks=lambda config: [RecordStart(store, config.name)],
                         stream=io.StringIO())
    return comparison, store


def test_variants_sharing_a_seed_start_from_the_same_weights_and_see_the_same_batches(
        activations):
    _, store = activations
    relu_weights, relu_loader = store["activation=relu,seed=0"]
    tanh_weights, tanh_loader = store["activation=tanh,seed=0"]
    other_weights, other_loader = store["activation=relu,seed=1"]
    for a, b in zip(relu_weights, tanh_weights):
        np.testing.assert_array_equal(a, b)
    relu_batches, tanh_batches = list(relu_loader), list(tanh_loader)
    assert len(relu_batches) == len(tanh_batches) == 7  # 216 training examples / 32
    for (xa, ya), (xb, yb) in zip(relu_batches, tanh_batches):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)
    # ...while another seed starts elsewhere and shuffles differently
    assert not np.array_equal(relu_weights[0], other_weights[0])
    assert not np.array_equal(relu_batches[0][1], next(iter(other_loader))[1])


def test_the_report_checks_fairness_from_the_runs_fingerprints(activations):
    comparison, _ = activations
    text = comparison.report.markdown.read_text(encoding="utf-8")
    for name in ("training data after the split and preprocessing", "initial weights",
                 "batch order"):
        assert f"- {name}: identical (2 seeds checked)." in text
    assert "Different seeds started from different initial weights: yes." in text
    fingerprints = [json.loads((record.folder / "fingerprint.json").read_text())
                    for record in comparison.records]
    assert len({f["initial_weights"] for f in fingerprints}) == 2  # one per seed


def test_results_csv_has_one_row_per_run_with_its_factor_seed_and_metrics(activations):
    comparison, _ = activations
    with open(comparison.folder / "results.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["activation"], r["seed"]) for r in rows] == [
        ("relu", "0"), ("relu", "1"), ("tanh", "0"), ("tanh", "1")]
    for row in rows:
        folder = comparison.folder / row["run"]
        test = json.loads((folder / "test_metrics.json").read_text())
        with open(folder / "metrics.csv", newline="") as handle:
            epochs = list(csv.DictReader(handle))
        assert row["status"] == "complete" and row["epochs"] == "2"
        assert float(row["test_accuracy"]) == pytest.approx(test["accuracy"])
        assert float(row["val_accuracy"]) == pytest.approx(float(epochs[-1]["val_accuracy"]))
        assert float(row["best_val_accuracy"]) == pytest.approx(
            max(float(e["val_accuracy"]) for e in epochs))
        assert float(row["seconds"]) > 0
    assert (comparison.folder / rows[0]["run"] / "curves.png").is_file()


class _Sources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.references = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.references += [value for name, value in attrs if name in ("src", "href")]


def test_report_files_exist_and_the_html_embeds_everything(activations):
    comparison, _ = activations
    folder = comparison.folder
    markdown_text = (folder / "report.md").read_text(encoding="utf-8")
    for name in ("curves", "results", "confusion", "misclassified"):
        assert f"(figures/{name}.png)" in markdown_text
        assert (folder / "figures" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    page = _Sources()
    page.feed((folder / "report.html").read_text(encoding="utf-8"))
    assert "img" in page.tags and "script" not in page.tags and "link" not in page.tags
    assert page.references, "the figures should be in the page"
    assert all(ref.startswith("data:image/png;base64,") for ref in page.references)
    assert "http://" not in page.rawdata and "https://" not in page.rawdata


def test_the_best_run_is_looked_at_again_on_the_test_set_from_its_final_checkpoint(activations):
    comparison, _ = activations
    best = max(comparison.records, key=lambda r: r.test_metrics["accuracy"])
    text = comparison.report.markdown.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if "rebuilt from its final" in line)
    accuracy = float(line.rsplit("accuracy ", 1)[1].rstrip(")."))
    assert f"`{best.name}`" in line
    assert accuracy == pytest.approx(best.test_metrics["accuracy"], abs=1e-4)
    assert line.split(": ")[1].startswith(f"{round((1 - accuracy) * 80)} of 80 test images")


def test_a_folder_holding_another_comparison_is_refused(activations, data):
    comparison, _ = activations
    base = base_config(data, comparison.folder.parent)
    with pytest.raises(ConfigError, match="holds a different comparison.*seeds"):
        compare(base, {"activation": ["relu", "tanh"]}, seeds=[0, 1, 2], name="activation")


def test_more_jobs_than_cores_is_refused(data, tmp_path):
    with pytest.raises(ConfigError, match="jobs between 1 and"):
        compare(base_config(data, tmp_path), {"lr": [0.1, 0.01]}, jobs=cores() + 1)


class InterruptAt:
    """Send this process SIGINT at ``step`` of the run ``name`` (Ctrl-C, as a user would)."""

    def __init__(self, name: str, step: int):
        self.name, self.step = name, step

    def on_batch_end(self, state):
        if state.step == self.step:
            os.kill(os.getpid(), signal.SIGINT)


def test_an_interrupted_comparison_continues_where_it_stopped(data, tmp_path):
    base = base_config(data, tmp_path)
    vary = {"lr": [0.01, 0.003, 0.001]}
    second = "lr=0.003,seed=0"
    interrupted = compare(base, vary, seeds=[0], stream=io.StringIO(), callbacks=lambda c: (
        [InterruptAt(c.name, 9)] if c.name == second else []))
    assert interrupted.interrupted and interrupted.signal == signal.SIGINT
    assert interrupted.report is None
    first, stopped, never = interrupted.records
    assert first.status == "complete" and stopped.status == "unfinished"
    assert (stopped.folder / "last.safetensors").is_file() and len(stopped.epochs) == 1
    assert never.status == "unfinished" and not never.folder.exists()
    kept_stamp = (first.folder / "test_metrics.json").stat().st_mtime_ns

    output = io.StringIO()
    resumed = compare(base, vary, seeds=[0], stream=output)
    assert not resumed.interrupted and resumed.kept == 1
    assert "kept lr=0.01,seed=0" in output.getvalue()
    assert (first.folder / "test_metrics.json").stat().st_mtime_ns == kept_stamp
    assert [r.status for r in resumed.records] == ["complete"] * 3
    steps = [s["step"] for s in resumed.records[1].steps]
    assert steps == list(range(1, 15))  # 7 steps per epoch, none repeated or lost
    assert resumed.report.html.is_file()


@pytest.mark.skipif(cores() < 2, reason="two parallel jobs need two CPU cores")
def test_a_diverging_variant_is_reported_and_jobs_run_in_processes_with_divided_threads(
        data, tmp_path, capsys):
    code = main(["compare", "--vary", "lr=0.01,5", "--optimizer", "sgd", "--seeds", "0",
                 "--jobs", "2", "--data-dir", str(data), "--model", "mlp", "--hidden", "16",
                 "--epochs", "2", "--batch-size", "32", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    report_path = out.strip().splitlines()[-1].removeprefix("report: ")
    folder = tmp_path / "compare-lr"
    assert report_path == str(folder / "report.html")
    with open(folder / "results.csv", newline="") as handle:
        rows = {r["lr"]: r for r in csv.DictReader(handle)}
    assert rows["5"]["status"] == "diverged" and rows["5"]["test_accuracy"] == ""
    assert float(rows["5"]["last_finite_loss"]) > 3 * 1.3  # above 3x the initial ≈ ln 4
    assert rows["0.01"]["status"] == "complete"
    text = (folder / "report.md").read_text(encoding="utf-8")
    assert (f"- lr=5 diverged in 1 of 1 seeds (the loss blew up); last finite training loss "
            f"{float(rows['5']['last_finite_loss']):.4g} at step {rows['5']['last_step']}.") in text
    threads = str(cores() // 2)
    for run in rows.values():
        environment = json.loads((folder / run["run"] / "environment.json").read_text())
        assert environment["thread_variables"]["OPENBLAS_NUM_THREADS"] == threads
        assert environment["thread_variables"]["OMP_NUM_THREADS"] == threads


def test_report_compares_hand_made_runs_by_the_options_they_differ_in(activations, tmp_path,
                                                                       capsys):
    comparison, _ = activations
    runs = [str(record.folder) for record in comparison.records]
    assert main(["report", *runs, "--out", str(tmp_path / "by-hand"), "--lang", "fa"]) == 0
    assert capsys.readouterr().out.strip() == f"report: {tmp_path / 'by-hand' / 'report.html'}"
    header = (tmp_path / "by-hand" / "results.csv").read_text().splitlines()[0]
    assert header.startswith("run,activation,seed,status")  # the seed is not a factor
    page = (tmp_path / "by-hand" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="fa" dir="rtl">' in page
    assert "src: url(data:font/woff2;base64," in page
    assert "مقایسه" in page and "\u2068" in page  # Persian words; values isolated


def test_report_refuses_a_folder_that_is_not_a_run(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "expected config.json in" in capsys.readouterr().err


def test_report_of_a_comparison_folder_writes_into_it_by_default(activations):
    comparison, _ = activations
    before = (comparison.folder / "results.csv").read_text()
    files = report([comparison.folder])
    assert files.html == comparison.folder / "report.html"
    assert (comparison.folder / "results.csv").read_text() == before


_CHARACTER_POSITIONS = """(needle) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, at = node.data.indexOf(needle);
    if (at < 0) continue;
    return Array.from(needle, (_, k) => {
      const range = document.createRange();
      range.setStart(node, at + k);
      range.setEnd(node, at + k + 1);
      return range.getBoundingClientRect().x;
    });
  }
  return null;
}"""


def _open(page, path) -> list:
    """Open ``path`` and return every URL the page requested."""
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    return requests


def test_the_report_renders_offline_in_a_real_browser(activations, browser_page):
    comparison, _ = activations
    requests = _open(browser_page, comparison.report.html)
    assert requests == [comparison.report.html.as_uri()]  # nothing else fetched
    widths = browser_page.evaluate("Array.from(document.images, i => i.naturalWidth)")
    assert len(widths) == 4 and all(width > 0 for width in widths)
    assert browser_page.evaluate("getComputedStyle(document.documentElement).direction") == "ltr"


def test_the_persian_report_renders_right_to_left_with_numbers_left_to_right(
        activations, browser_page, tmp_path):
    comparison, _ = activations
    files = report([comparison.folder], out=tmp_path / "fa", lang="fa")
    requests = _open(browser_page, files.html)
    assert requests == [files.html.as_uri()]
    assert browser_page.evaluate("document.documentElement.dir") == "rtl"
    assert browser_page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    widths = browser_page.evaluate("Array.from(document.images, i => i.naturalWidth)")
    assert len(widths) == 4 and all(width > 0 for width in widths)
    loaded = "Array.from(document.fonts, f => f.family + ':' + f.status)"
    assert browser_page.evaluate(loaded) == ["Vazirmatn:loaded"]  # the embedded font, used
    # The seed list "0, 1" sits inside Persian sentences: it must still read left to right.
    zero, _, _, one = browser_page.evaluate(_CHARACTER_POSITIONS, "0, 1")
    assert zero < one
