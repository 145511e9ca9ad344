""""What the numbers say" from hand-built run records, and the string tables behind it."""

import inspect
import re
import string
from pathlib import Path

import pytest

from glassnet.experiments import analysis
from glassnet.experiments.messages import MESSAGES
from glassnet.experiments.report import say
from glassnet.experiments.results import group_variants
from glassnet.experiments.runs import RunRecord
from glassnet.i18n import missing_translations
from glassnet.plot.messages import MESSAGES as PLOT_MESSAGES


def record(activation, seed, test, *, train=0.9, val=0.85, status="complete", losses=None):
    epochs = [{"epoch": 1, "loss": 1.0, "train_accuracy": train - 0.1, "val_accuracy": val,
               "val_loss": 0.5, "seconds": 2.0},
              {"epoch": 2, "loss": 0.5, "train_accuracy": train, "val_accuracy": val,
               "val_loss": 0.6, "seconds": 2.0}]
    steps = [{"step": i + 1, "loss": loss} for i, loss in enumerate(losses or [])]
    return RunRecord(Path(f"{activation}-{seed}"), {"activation": activation, "seed": seed,
                                                   "epochs": 2},
                     epochs=epochs if status != "diverged" else [], steps=steps,
                     test_metrics=None if test is None else {"accuracy": test}, status=status)


def keys(records):
    return [f.key for f in analysis.findings(group_variants(records, ["activation"]))]


def find(records, key):
    return next(f for f in analysis.findings(group_variants(records, ["activation"]))
                if f.key == key)


def test_a_gap_larger_than_the_seed_spread_is_called_so_with_paired_wins():
    records = [record("relu", s, t) for s, t in enumerate((0.90, 0.91, 0.92))]
    records += [record("tanh", s, t) for s, t in enumerate((0.80, 0.81, 0.82))]
    ranking = find(records, "ranking")
    assert [item.values["label"] for item in ranking.items] == ["relu", "tanh"]
    assert ranking.items[0].values["value"] == "0.9100 ± 0.0100"
    gap = find(records, "gap_clear")
    assert gap.values == {"better": "relu", "worse": "tanh", "gap": "0.1000", "spread": "0.0100",
                          "wins": 3, "paired": 3, "ratio": "10.0"}


def test_a_gap_inside_the_seed_spread_is_called_undecided():
    records = [record("relu", s, t) for s, t in enumerate((0.90, 0.93, 0.87))]
    records += [record("tanh", s, t) for s, t in enumerate((0.91, 0.88, 0.89))]
    assert "gap_within" in keys(records) and "gap_clear" not in keys(records)
    assert find(records, "gap_within").values["wins"] == 1  # relu won on seed 1 only


def test_with_three_variants_the_best_is_also_weighed_against_the_worst():
    records = [record(name, s, t + shift) for name, shift in (("gelu", 0.004), ("relu", 0.002),
                                                             ("sigmoid", 0.0))
               for s, t in enumerate((0.87, 0.875, 0.88))]
    found = analysis.findings(group_variants(records, ["activation"]))
    gaps = [f for f in found if f.key.startswith("gap_")]
    pairs = [(f.values["better"], f.values["worse"]) for f in gaps]
    assert pairs == [("gelu", "relu"), ("relu", "sigmoid"), ("gelu", "sigmoid")]
    assert gaps[-1].values["gap"] == "0.0040" and gaps[-1].values["spread"] == "0.0050"
    assert gaps[-1].key == "gap_within"  # 0.004 < one standard deviation of 0.005


def test_a_tiny_gap_is_written_with_significant_digits_not_as_zero():
    records = [record("relu", s, t) for s, t in enumerate((0.90, 0.91))]
    records += [record("tanh", s, t - 0.00003) for s, t in enumerate((0.90, 0.91))]
    assert find(records, "gap_within").values["gap"] == "3.0e-05"


def test_one_seed_per_variant_says_the_spread_is_unknown():
    records = [record("relu", 0, 0.9), record("tanh", 0, 0.8)]
    assert "one_seed" in keys(records)
    assert not {"gap_clear", "gap_within", "gap_comparable"} & set(keys(records))


def test_diverged_runs_are_reported_with_their_last_finite_loss_and_left_out_of_the_ranking():
    records = [record("relu", 0, 0.9), record("relu", 1, 0.91),
               record("sigmoid", 0, None, status="diverged", losses=[1.4, 3.0, 9.5, None]),
               record("sigmoid", 1, 0.5)]
    diverged = find(records, "diverged")
    assert diverged.values == {"label": "sigmoid", "count": 1, "total": 2, "loss": "9.5",
                               "step": 4}
    sigmoid = group_variants(records, ["activation"])[1]
    assert sigmoid.values("test_accuracy") == [None, 0.5]
    assert say("diverged", "en", **diverged.values) == (
        "sigmoid diverged in 1 of 2 seeds (the loss blew up); last finite training loss 9.5 at "
        "step 4.")


def test_the_variant_with_the_largest_train_val_gap_overfit_most_and_its_val_loss_rose():
    records = [record("relu", 0, 0.9, train=0.99, val=0.80), record("tanh", 0, 0.9, train=0.9,
                                                                     val=0.89)]
    overfit = find(records, "overfit_most")
    assert overfit.values["label"] == "relu" and overfit.values["gap"] == "0.1900"
    assert find(records, "val_loss_rose").values == {"label": "relu", "count": 1, "total": 1,
                                                     "epoch": 1}
    calm = [record("relu", 0, 0.9, train=0.9, val=0.895)]
    assert "overfit_none" in keys(calm) and "overfit_most" not in keys(calm)


@pytest.mark.parametrize("table", [MESSAGES, PLOT_MESSAGES], ids=["experiments", "plot"])
def test_message_tables_are_complete_and_both_languages_take_the_same_fields(table):
    assert missing_translations(table) == []
    for key, entry in table.items():
        fields = [{name for _, name, _, _ in string.Formatter().parse(entry[lang]) if name}
                  for lang in ("en", "fa")]
        assert fields[0] == fields[1], key


def test_every_finding_key_has_a_sentence():
    used = set(re.findall(r'Finding\("(\w+)"', inspect.getsource(analysis)))
    assert len(used) > 10 and used <= set(MESSAGES)


def test_run_times_are_mentioned_only_when_they_differ():
    same = [record("relu", 0, 0.9), record("tanh", 0, 0.8)]
    assert "time_range" not in keys(same)
    slow = record("tanh", 1, 0.8)
    slow.epochs[0]["seconds"] = 20.0
    found = find(same + [slow], "time_range")
    assert found.values == {"fast": "4.0", "fast_label": "relu", "slow": "13.0",
                            "slow_label": "tanh"}


def test_persian_sentences_isolate_every_value_from_the_text_around_it():
    sentence = say("check_same", "fa", property="وزن‌های اولیه", seeds=3)
    assert sentence == "\u2068وزن‌های اولیه\u2069: یکسان (\u20683\u2069 بذر بررسی شد)."
    assert say("check_same", "en", property="initial weights", seeds=3) == \
        "initial weights: identical (3 seeds checked)."
