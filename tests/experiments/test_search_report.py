"""The report of a search, built from hand-made leaderboard rows: every number in its
sentences comes from the rows."""

import math

import pytest

from glassnet.experiments.leaderboard import STATE_ORDER
from glassnet.experiments.plan import SearchPlan
from glassnet.experiments.search_report import search_report, write_search_report
from glassnet.experiments.storage import StorageChoice
from glassnet.i18n import missing_translations


def row(round_index, trial, lr, value, state="complete", rank=None):
    return {"rank": rank, "round": round_index, "trial": trial, "params": {"lr": lr},
            "val_accuracy": value, "epochs": 2, "state": state, "seconds": 1.0, "host": "h",
            "run_folder": "/nowhere", "note": ""}


@pytest.fixture
def plan(tmp_path):
    return SearchPlan(tmp_path, "lr", base={"dataset": "fashion-mnist", "model": "mlp"},
                      spaces=[["lr=log:1e-05:0.1"], ["lr=log:0.001:0.01"]],
                      storage=StorageChoice("journal", path=str(tmp_path / "journal.log")))


def rows():
    return [row(1, 4, 3e-3, 0.90, rank=1), row(0, 2, 4e-3, 0.86, rank=2),
            row(1, 1, 2e-3, 0.85, rank=3), row(0, 0, 1e-3, 0.84, rank=4),
            row(0, 1, 0.5, math.nan, "diverged"), row(0, 3, 0.08, math.nan, "diverged"),
            row(1, 0, 5e-3, 0.60, "pruned")]


def findings(document) -> str:
    return next(s.body for s in document.sections if s.title == "What the numbers say")


def test_the_findings_are_computed_from_the_trials(plan):
    text = findings(search_report(plan, rows()))
    assert "trial 4 of round 1: validation accuracy 0.9000 with lr = 0.003" in text
    # the four complete trials: mean 0.8625, sample std 0.0263
    assert "The 4 best complete trials reach 0.8625 ± 0.0263" in text
    assert "Round 1's best is 0.9000, against 0.8600 in round 0: better by more" in text
    assert "2 trial(s) diverged; they drew lr from 0.08 to 0.5 (complete trials: 0.001 to " \
           "0.004)" in text


def test_a_refinement_within_the_spread_is_not_called_better(plan):
    close = rows()
    close[0]["val_accuracy"] = 0.87  # round 1 beats round 0 by 0.01 < the spread
    assert "a difference within the top trials' spread" in findings(search_report(plan, close))


def test_the_leaderboard_counts_every_outcome_and_the_space_shows_each_round(plan):
    document = search_report(plan, rows())
    sections = {s.title: s.body for s in document.sections}
    assert "7 trials: 4 complete, 1 pruned, 2 diverged, 0 failed" in sections["Leaderboard"]
    assert "| lr | log 1e-05 … 0.1 | log 0.001 … 0.01 |" in sections["The searched space"]


def test_the_report_is_written_self_contained_in_both_languages(plan):
    for lang in ("en", "fa"):
        files = write_search_report(plan, rows(), lang=lang)
        page = files.html.read_text(encoding="utf-8")
        assert "src=\"http" not in page and "data:image/png;base64," in page
        assert ('dir="rtl"' in page) == (lang == "fa")
    assert sorted(p.name for p in (plan.folder / "figures").glob("*.png")) == [
        "metric_against_params.png", "search_history.png"]


def test_a_search_with_no_complete_trial_says_so(plan):
    failed = [row(0, 0, 0.5, math.nan, "diverged"), row(0, 1, 1e-5, math.nan, "failed")]
    assert "No trial completed" in findings(search_report(plan, failed))


def test_the_search_messages_exist_in_both_languages():
    from glassnet.experiments.messages import MESSAGES
    from glassnet.plot.messages import MESSAGES as FIGURE_WORDS

    assert missing_translations(MESSAGES) == [] and missing_translations(FIGURE_WORDS) == []
    assert {f"status_{state}" for state in STATE_ORDER} <= set(MESSAGES)
