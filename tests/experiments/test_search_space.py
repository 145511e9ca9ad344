import pathlib

import pytest

from glassnet.errors import ConfigError
from glassnet.experiments.plan import SearchPlan
from glassnet.experiments.space import grid_values, narrow, parse_param, parse_space
from glassnet.experiments.storage import StorageChoice, choose_storage


@pytest.mark.parametrize(("text", "kind", "low", "high"), [
    ("lr=log:1e-5:1e-1", "log", 1e-5, 1e-1),
    ("dropout=float:0:0.5", "float", 0.0, 0.5),
    ("batch_size=int:16:256", "int", 16, 256),
    ("batch-size=intlog:16:256", "intlog", 16, 256),
])
def test_parse_param_reads_ranges(text, kind, low, high):
    param = parse_param(text)
    assert (param.kind, param.low, param.high) == (kind, low, high)
    assert parse_param(param.spec) == param  # the spec round-trips


def test_parse_param_reads_choices_and_converts_them_to_option_values():
    hidden = parse_param("hidden=choice:128,256-128")
    assert hidden.value("256-128") == [256, 128] and hidden.value("128") == [128]
    assert parse_param("batch_norm=choice:true,false").value("true") is True
    assert parse_param("lr=choice:1e-3,1e-2").value("1e-2") == 0.01
    assert parse_param("hidden=int:16:64").value(32) == [32]


@pytest.mark.parametrize(("text", "words"), [
    ("lr", "NAME=KIND"),
    ("lr=uniform:1:2", "KIND one of"),
    ("colour=log:1:2", "not a searchable option"),
    ("out=choice:a,b", "not a searchable option"),
    ("lr=log:0:1", "positive"),
    ("lr=log:1e-1:1e-3", "LOW < HIGH"),
    ("lr=log:1e-3:inf", "finite"),
    ("lr=log:a:b", "two numbers"),
    ("lr=int:1:5", "whole numbers"),
    ("activation=float:0:1", "choice"),
    ("activation=choice:relu", "at least two"),
    ("activation=choice:relu,relu", "at least two"),
    ("activation=choice:relu,swish", "activation"),
    ("hidden=choice:128,abc", "list of widths"),
    ("lr=choice:1e-3,-1", "lr"),
])
def test_parse_param_rejects_bad_specs_clearly(text, words):
    with pytest.raises(ConfigError, match=words):
        parse_param(text)


def test_parse_space_needs_params_and_each_once():
    with pytest.raises(ConfigError, match="at least one --param"):
        parse_space([])
    with pytest.raises(ConfigError, match="more than once"):
        parse_space(["lr=log:1e-4:1e-1", "lr=float:0.1:0.2"])


def test_grid_needs_choices():
    assert grid_values(parse_space(["lr=choice:0.1,0.01"])) == {"lr": ["0.1", "0.01"]}
    with pytest.raises(ConfigError, match="grid sampler needs values"):
        grid_values(parse_space(["lr=log:1e-4:1e-1"]))


def test_narrow_shrinks_log_ranges_around_the_best_in_log_space():
    (lr,) = narrow(parse_space(["lr=log:1e-6:1e-1"]), [{"lr": 1e-3}, {"lr": 4e-3}])
    assert lr.low == pytest.approx(5e-4) and lr.high == pytest.approx(8e-3)  # ×/÷ 2


def test_narrow_stays_inside_the_old_range_and_keeps_choices_the_best_used():
    lr, activation = narrow(parse_space(["lr=log:1e-3:1e-1", "activation=choice:relu,tanh,elu"]),
                            [{"lr": 0.09, "activation": "tanh"},
                             {"lr": 0.08, "activation": "elu"}])
    assert lr.high == 1e-1 and lr.low == pytest.approx(0.04)
    assert activation.choices == ("tanh", "elu")


def test_narrow_keeps_a_choice_list_that_would_shrink_to_one():
    (activation,) = narrow(parse_space(["activation=choice:relu,tanh"]),
                           [{"activation": "relu"}] * 3)
    assert activation.choices == ("relu", "tanh")


def test_choose_storage_sqlite_for_one_worker_journal_for_several(tmp_path):
    assert choose_storage(tmp_path, None, workers=1).kind == "sqlite"
    assert choose_storage(tmp_path, None, workers=4).kind == "journal"
    postgres = choose_storage(tmp_path, "postgresql://me:secret@db:5432/s", workers=4)
    assert postgres.url.startswith("postgresql+psycopg://")
    assert "secret" not in postgres.describe()


def test_choose_storage_refuses_sqlite_for_several_workers_and_unknown_urls(tmp_path):
    recorded = {"kind": "sqlite", "url": f"sqlite:///{tmp_path}/study.db", "path": None}
    with pytest.raises(ConfigError, match="--workers 1"):
        choose_storage(tmp_path, None, workers=2, recorded=recorded)
    with pytest.raises(ConfigError, match="postgresql://"):
        choose_storage(tmp_path, "mysql://me@db/s", workers=1)


def test_search_plan_round_trips_through_search_json(tmp_path):
    plan = SearchPlan(tmp_path, "s", base={"model": "mlp"}, spaces=[["lr=log:0.001:0.1"]],
                      storage=StorageChoice("journal", path=str(tmp_path / "journal.log")))
    plan.write()
    again = SearchPlan.read(tmp_path / "search.json")
    assert again == plan and isinstance(again.folder, pathlib.Path)
    assert again.trial_folder(1, 7) == tmp_path / "trials-round1" / "trial-0007"


@pytest.mark.parametrize(("settings", "words"), [
    ({"sampler": "bayes"}, "--sampler"),
    ({"trials": 0}, "trials"),
    ({"refine": -1}, "refine"),
])
def test_search_plan_rejects_bad_settings(tmp_path, settings, words):
    with pytest.raises(ConfigError, match=words):
        SearchPlan(tmp_path, "s", base={}, spaces=[[]], **settings)
