"""The training recipes under recipes/: each is a valid `glassnet train --config` file that
trains end to end, and the README's main job uses one of them."""

import json
from pathlib import Path

import pytest

from glassnet.cli.main import main
from glassnet.train.config import load_config
from tests.cli.cli_helpers import write_tiny_fashion_mnist

ROOT = Path(__file__).resolve().parents[2]
RECIPES = sorted((ROOT / "recipes").glob("*.toml"))


def test_there_are_recipes_and_the_readme_main_job_uses_one():
    assert RECIPES
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "uv run glassnet train --config recipes/fashion-mnist-cnn.toml" in readme
    assert ROOT / "recipes" / "fashion-mnist-cnn.toml" in RECIPES


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda path: path.name)
def test_a_recipe_trains_end_to_end(recipe, tmp_path):
    load_config(recipe)  # a bad key or value raises ConfigError naming the line
    data = write_tiny_fashion_mnist(tmp_path / "data", n_train=200, n_test=50)
    assert main(["train", "--config", str(recipe), "--data-dir", str(data), "--epochs", "1",
                 "--batch-size", "20", "--out", str(tmp_path), "--name", "run",
                 "--no-progress"]) == 0
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert {key: config[key] for key in ("model", "lr", "schedule")} == {
        key: getattr(load_config(recipe), key) for key in ("model", "lr", "schedule")}
    assert 0 <= json.loads((tmp_path / "run" / "test_metrics.json").read_text())["accuracy"] <= 1
