"""--vary parsing and checking: typed values, and clear errors for every kind of mistake."""

import pytest

from glassnet.cli.main import main
from glassnet.errors import ConfigError
from glassnet.experiments.factors import FACTORS, check_vary, parse_vary, variant_label


def test_vary_values_take_the_type_of_their_option():
    vary = parse_vary(["activation=relu,tanh", "lr=1e-2,1e-3", "hidden=256-128,512",
                       "batch-norm=true,false", "clip_norm=none,1"])
    assert vary == {"activation": ["relu", "tanh"], "lr": [0.01, 0.001],
                    "hidden": [[256, 128], [512]], "batch_norm": [True, False],
                    "clip_norm": [None, 1.0]}


@pytest.mark.parametrize("texts, message", [
    (["colour=red,blue"], "unknown factor 'colour'.*Valid keys: model, hidden"),
    (["seed=0,1"], "vary the seed with --seeds"),
    (["lr=1e-3"], "two or more different values.*use --lr instead"),
    (["lr=1e-3,1e-3"], "two or more different values"),
    (["lr=fast,slow"], "lr: expected a number"),
    (["lr=1e-3,-1"], "lr=-1: lr: expected a positive number"),
    (["activation=relu,swish"], "activation=swish.*expected one of"),
    (["activation"], "expected KEY=VALUE"),
    (["lr=1,2", "lr=3,4"], "lr is given twice"),
])
def test_bad_vary_input_is_a_clear_config_error(texts, message):
    with pytest.raises(ConfigError, match=message):
        parse_vary(texts)


def test_check_vary_takes_python_values_and_lists_valid_keys():
    assert check_vary({"optimizer": ("sgd", "adam")}) == {"optimizer": ["sgd", "adam"]}
    with pytest.raises(ConfigError) as error:
        check_vary({"learning_rate": [1, 2]})
    assert all(key in str(error.value) for key in FACTORS)


def test_compare_command_reports_bad_vary_without_a_traceback(capsys):
    assert main(["compare", "--vary", "colour=red,blue"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("glassnet compare: --vary: unknown factor 'colour'")
    assert "activation" in err and "Traceback" not in err


def test_variant_labels_are_short_for_named_choices_and_keyed_for_numbers():
    assert variant_label({"optimizer": "adam"}) == "adam"
    assert variant_label({"lr": 0.001}) == "lr=0.001"
    assert variant_label({"activation": "relu", "hidden": [64, 32]}) == \
        "activation=relu, hidden=64-32"
