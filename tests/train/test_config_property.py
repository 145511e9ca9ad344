"""Property: whatever a user types or writes in a config file, the config loader answers
with a TrainConfig or a ConfigError, never any other exception (issue 18)."""

import argparse
import contextlib
import io
import json
import math
import re
from dataclasses import fields

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glassnet.cli.train_options import add_train_options, train_config
from glassnet.errors import ConfigError
from glassnet.train.config import TrainConfig, load_config

FIELDS = [field.name for field in fields(TrainConfig)]
NUMBER_FIELDS = [field.name for field in fields(TrainConfig)
                 if field.type in (int, float, int | None, float | None)]
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

scalars = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=300),
    st.sampled_from(["mlp", "cnn", "adam", "sgd", "cosine", "relu", "fashion-mnist", "..",
                     "a/b", "", "x" * 300, "\x00", "a\nb"]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8)
keys = st.one_of(st.sampled_from(FIELDS), st.text(min_size=1, max_size=12))


def toml_value(value) -> str:
    """A TOML rendering of ``value`` (tomllib only reads; this covers what ``values`` makes)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else {math.inf: "inf", -math.inf: "-inf"}.get(
            value, repr(value))
    if isinstance(value, str):
        return json.dumps(value)  # JSON's escapes are valid in a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def assert_sound(config: TrainConfig) -> None:
    """What the loader accepts obeys the rules every option has."""
    for field in fields(config):
        value = getattr(config, field.name)
        assert not (isinstance(value, float) and not math.isfinite(value)), field.name
    assert config.name is None or ("/" not in config.name and config.name not in (".", ".."))


def load_or_refuse(load) -> None:
    try:
        config = load()
    except ConfigError:
        return
    assert_sound(config)


@SETTINGS
@given(document=st.dictionaries(keys, values, max_size=6))
def test_any_toml_document_loads_or_is_a_config_error(tmp_path_factory, document):
    path = tmp_path_factory.mktemp("toml", numbered=True) / "run.toml"
    lines = (f"{toml_key(key)} = {toml_value(value)}" for key, value in document.items())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    load_or_refuse(lambda: load_config(path))


@SETTINGS
@given(content=st.binary(max_size=200))
def test_any_bytes_as_a_config_file_load_or_are_a_config_error(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("bytes", numbered=True) / "run.toml"
    path.write_bytes(content)
    load_or_refuse(lambda: load_config(path))


@SETTINGS
@given(path=st.one_of(st.text(max_size=30), st.sampled_from(["\x00", "", "/", "/dev/null"])))
def test_any_config_path_loads_or_is_a_config_error(path):
    load_or_refuse(lambda: load_config(path))


@SETTINGS
@given(overrides=st.dictionaries(keys, values, max_size=6))
def test_any_python_overrides_load_or_are_a_config_error(overrides):
    load_or_refuse(lambda: load_config(None, overrides))


@SETTINGS
@given(name=st.sampled_from(NUMBER_FIELDS), value=st.one_of(st.floats(), st.integers()))
def test_any_number_in_a_numeric_option_loads_or_is_a_config_error(name, value):
    load_or_refuse(lambda: load_config(None, {name: value}))


def _train_options() -> list[str]:
    parser = argparse.ArgumentParser()
    add_train_options(parser)
    return sorted(action.option_strings[0] for action in parser._actions
                  if action.option_strings and action.dest != "help")


OPTIONS = _train_options()
option_values = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["inf", "-inf", "nan", "1e400", "0", "-1", "1e-320", "256,0", ",", "1,,2",
                     "9" * 40, "../x", ".", "\x00", "a\nb", "/dev/null", "/", ""]),
)


@SETTINGS
@given(argv=st.lists(st.tuples(st.sampled_from(OPTIONS), option_values), max_size=5))
def test_any_command_line_options_load_or_are_a_usage_error(argv):
    parser = argparse.ArgumentParser(argument_default=None)
    add_train_options(parser)
    words = [word for option, value in argv for word in (option, value)
             if not option.startswith("--no-")]
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        try:
            args = parser.parse_args(words)
        except SystemExit as exit_info:  # argparse's own usage error, exit code 2
            assert exit_info.code == 2 and "error:" in stderr.getvalue()
            return
    load_or_refuse(lambda: train_config(args))


def test_the_option_list_covers_every_field():
    assert {option.removeprefix("--").replace("-", "_") for option in OPTIONS} >= (
        set(FIELDS) - {"progress", "download", "batch_norm"})
    with pytest.raises(ConfigError, match="finite"):
        load_config(None, {"lr": math.inf})
