"""The report of a hyperparameter search: the report builder of ``glassnet.experiments.report``
with a search's own sections.

- the searched space, round by round (refinement narrows the ranges);
- the leaderboard (counts of each outcome, the best trials);
- what the numbers say, computed from the trials only: the best trial, the spread of the
  best few (configurations closer than that are not told apart), whether a refinement round
  beat the round before by more than that spread, and where the diverged trials were;
- the figures (``glassnet.plot.search``), the best configuration and the environment.

Written into the search folder as report.md, report.html and figures/ (beside
leaderboard.csv and best.toml).
"""

import math
from pathlib import Path

import numpy as np

from glassnet.experiments.report import (
    Report,
    ReportFigure,
    Section,
    environment_text,
    markdown_table,
    say,
    write_report,
)
from glassnet.experiments.runs import load_run
from glassnet.i18n import check_language

TOP_TRIALS = 5  # the "best few" whose spread tells what the search can resolve
LEADERBOARD_ROWS = 10


def write_search_report(plan, rows: list[dict], *, lang: str = "en"):
    """report.md, report.html and figures/ of the search ``plan`` in its folder."""
    return write_report(search_report(plan, rows, lang=lang), plan.folder)


def search_report(plan, rows: list[dict], *, lang: str = "en") -> Report:
    """The Report of a search from its plan and leaderboard rows (best first)."""
    check_language(lang)
    names = [param.name for param in plan.space(0)]
    base = plan.base
    intro = say("search_intro", lang, trials=plan.trials, rounds=len(plan.spaces),
                sampler=plan.sampler, dataset=base["dataset"], model=base["model"],
                epochs=plan.epochs_per_trial, study=plan.study,
                storage=Path(plan.storage.describe()).name if plan.storage.kind != "postgresql"
                else plan.storage.describe(),
                pruning=say("pruning_on" if plan.prune else "pruning_off", lang))
    sections = [
        Section(say("space_heading", lang), _space_table(plan, lang)),
        Section(say("leaderboard_heading", lang), _leaderboard(rows, names, lang)),
        Section(say("findings_heading", lang), _findings(plan, rows, lang)),
        Section(say("search_figures_heading", lang), figures=_figures(plan, rows, lang)),
    ]
    if (plan.folder / "best.toml").exists():
        sections.append(Section(say("best_config_heading", lang), _best_config(plan, lang)))
    records = [load_run(row["run_folder"]) for row in rows[:TOP_TRIALS]
               if row["state"] == "complete" and Path(row["run_folder"]).is_dir()]
    if records:
        sections.append(Section(say("environment_heading", lang),
                                environment_text(records, lang)))
    return Report(title=say("search_title", lang, params=", ".join(names)), lang=lang,
                  intro=intro, sections=sections)


def _space_table(plan, lang: str) -> str:
    rounds = [plan.space(index) for index in range(len(plan.spaces))]
    header = [say("parameter", lang)] + [say("round_n", lang, round=index)
                                         for index in range(len(rounds))]
    body = [[param.name] + [_range(space[position]) for space in rounds]
            for position, param in enumerate(rounds[0])]
    return markdown_table(header, body) + "\n\n" + say("space_note", lang)


def _range(param) -> str:
    if param.kind == "choice":
        return ", ".join(param.choices)
    return f"{param.kind} {param.low:.3g} … {param.high:.3g}"


def _leaderboard(rows: list[dict], names: list, lang: str) -> str:
    counts = {state: sum(row["state"] == state for row in rows)
              for state in ("complete", "pruned", "diverged", "failed")}
    shown = rows[:LEADERBOARD_ROWS]
    header = [say(key, lang) for key in ("rank", "round", "trial")] + names + [
        say(key, lang) for key in ("val_accuracy", "epochs", "state")]
    body = [[row["rank"] or "—", row["round"], row["trial"],
             *(_short(row["params"].get(name, "")) for name in names),
             "—" if math.isnan(row["val_accuracy"]) else f"{row['val_accuracy']:.4f}",
             row["epochs"], say(f"status_{row['state']}", lang)] for row in shown]
    return (say("leaderboard_counts", lang, total=len(rows), shown=len(shown), **counts)
            + "\n\n" + markdown_table(header, body))


def _findings(plan, rows: list[dict], lang: str) -> str:
    complete = [row for row in rows if row["state"] == "complete"]
    if not complete:
        return say("search_no_complete", lang)
    best = complete[0]
    lines = [say("search_best", lang, trial=best["trial"], round=best["round"],
                 value=f"{best['val_accuracy']:.4f}", params=_params_text(best["params"]))]
    top = [row["val_accuracy"] for row in complete[:TOP_TRIALS]]
    spread = float(np.std(top, ddof=1)) if len(top) > 1 else 0.0
    if len(top) > 1:
        lines.append(say("search_top_spread", lang, count=len(top),
                         mean=f"{np.mean(top):.4f}", std=f"{spread:.4f}"))
    for index in range(1, len(plan.spaces)):
        this, before = _round_best(complete, index), _round_best(complete, index - 1)
        if this is not None and before is not None:
            verdict = "refine_better" if this - before > spread else "refine_same"
            lines.append(say("search_refined", lang, round=index, before=index - 1,
                             value=f"{this:.4f}", previous=f"{before:.4f}",
                             verdict=say(verdict, lang)))
    lines += _diverged_ranges(plan, rows, complete, lang)
    return "\n".join(f"- {line}" for line in lines)


def _round_best(complete: list[dict], round_index: int) -> float | None:
    values = [row["val_accuracy"] for row in complete if row["round"] == round_index]
    return max(values) if values else None


def _diverged_ranges(plan, rows, complete, lang) -> list[str]:
    """For each numeric parameter: the values the diverged trials drew, beside the complete
    trials' (a learning rate too high shows as diverged trials above the complete ones)."""
    diverged = [row for row in rows if row["state"] == "diverged"]
    lines = []
    for param in plan.space(0):
        if param.kind == "choice" or not diverged:
            continue
        bad = [row["params"][param.name] for row in diverged if param.name in row["params"]]
        good = [row["params"][param.name] for row in complete if param.name in row["params"]]
        if bad and good:
            lines.append(say("search_diverged_range", lang, count=len(bad), name=param.name,
                             low=f"{min(bad):.3g}", high=f"{max(bad):.3g}",
                             low_ok=f"{min(good):.3g}", high_ok=f"{max(good):.3g}"))
    return lines


def _figures(plan, rows: list[dict], lang: str) -> list:
    from glassnet.plot.search import metric_against_params, params_scatter, search_history

    space = plan.space(0)
    figures = [ReportFigure("metric_against_params", metric_against_params(rows, space,
                                                                            lang=lang),
                            say("caption_metric_params", lang)),
               ReportFigure("search_history", search_history(rows, lang=lang),
                            say("caption_history", lang))]
    if len(space) >= 2:
        figures.insert(1, ReportFigure("params_scatter", params_scatter(rows, space, lang=lang),
                                       say("caption_params_scatter", lang)))
    return figures


def _best_config(plan, lang: str) -> str:
    path = plan.folder / "best.toml"
    return (say("best_config_note", lang, path=path) + "\n\n```toml\n"
            + path.read_text(encoding="utf-8").strip() + "\n```")


def _params_text(params: dict) -> str:
    return ", ".join(f"{name} = {_short(value)}" for name, value in params.items())


def _short(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)
