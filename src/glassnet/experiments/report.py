"""Reports a student can hand in: data first (results and figures), then Markdown, then HTML.

A ``Report`` is a title, an introduction and a list of ``Section``s, each some Markdown
and some ``ReportFigure``s (a matplotlib Figure with a caption). ``comparison_sections``
builds the sections of a comparison from run records; a search (or anything else) can add
sections of its own before ``write_report`` renders everything into a folder:

    folder/report.md      Markdown referencing figures/*.png
    folder/report.html    the same page, self-contained (figures and font embedded)
    folder/figures/*.png

``report(runs)`` is the whole thing for any run folders (``glassnet report``): the runs
are compared by the config keys in which they differ.

Every sentence comes from ``messages.MESSAGES`` with numbers computed from the records; in
Persian each filled-in value is wrapped in a Unicode first-strong isolate (FSI … PDI): a
number, a name or a list such as "0, 1" keeps its left-to-right order inside right-to-left
text (with no letter in it, an isolate is left to right), and a Persian phrase stays right
to left.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from glassnet.atomic_write import atomic_write
from glassnet.errors import ConfigError
from glassnet.experiments import analysis
from glassnet.experiments.factors import FACTORS, format_value
from glassnet.experiments.messages import MESSAGES
from glassnet.experiments.results import (
    format_mean_std,
    group_variants,
    results_rows,
    write_results_csv,
)
from glassnet.experiments.runs import RunRecord, load_run
from glassnet.i18n import check_language, text

FSI, PDI = "\u2068", "\u2069"  # first strong isolate, pop directional isolate
FINGERPRINT_PROPERTIES = ("data", "initial_weights", "batch_order")


@dataclass
class ReportFigure:
    """A figure of a report: saved as figures/<name>.png and shown with its caption."""

    name: str
    figure: object
    caption: str = ""


@dataclass
class Section:
    """A heading, its Markdown body, and figures shown after the body."""

    title: str
    body: str = ""
    figures: list = field(default_factory=list)


@dataclass
class Report:
    title: str
    lang: str = "en"
    intro: str = ""
    sections: list = field(default_factory=list)


@dataclass
class ReportFiles:
    folder: Path
    markdown: Path
    html: Path
    results: Path | None = None
    figures: list = field(default_factory=list)


def say(key: str, lang: str, **values) -> str:
    """The sentence ``key`` in ``lang`` with ``values`` filled in (isolated in Persian)."""
    return text(MESSAGES, key, lang, **{k: isolate(v, lang) for k, v in values.items()})


def isolate(value, lang: str) -> str:
    """``value`` as text, isolated from the Persian text around it (see the module docstring)."""
    return f"{FSI}{value}{PDI}" if lang == "fa" else str(value)


def report(runs, *, out=None, lang: str = "en", title: str | None = None) -> ReportFiles:
    """Compare the run folders ``runs`` by the config keys in which they differ and write
    the report (and results.csv) into ``out``.

    A folder written by ``compare`` (it has comparison.json) stands for all its runs that
    started, with its own factors.

    Args:
        runs: run folders (or comparison folders).
        out: where to write; default: the comparison folder when one was given alone, else
            ``report-<factors>`` beside the first run.
        lang: "en" or "fa".
        title: the report's title (default: from the factors).

    Raises:
        ConfigError: no runs, or a folder that is not a run folder.
    """
    check_language(lang)
    folders, factors = expand_runs(runs)
    records = [load_run(folder) for folder in folders]
    factors = factors if factors is not None else differing_keys(records)
    if out is None:
        only = [Path(r) for r in runs]
        comparison = len(only) == 1 and (only[0] / "comparison.json").exists()
        name = "-".join(factors) or "runs"
        out = only[0] if comparison else Path(folders[0]).parent / f"report-{name}"
    return write_comparison(records, factors, out, lang=lang, title=title)


def expand_runs(runs) -> tuple[list, list | None]:
    """Run folders in order, and the factors when comparison folders name them."""
    folders, factors = [], None
    for run in runs:
        run = Path(run)
        plan_path = run / "comparison.json"
        if plan_path.exists():  # a comparison: its runs that started, in plan order
            plan = json.loads(plan_path.read_text(encoding="utf-8"))
            folders.extend(run / name for name in plan["runs"]
                           if (run / name / "config.json").exists())
            factors = list(dict.fromkeys((factors or []) + list(plan["vary"])))
        else:
            folders.append(run)
    if not folders:
        raise ConfigError("report: expected at least one run folder, but got none.")
    return folders, factors


def differing_keys(records) -> list:
    """The config keys (factors) whose values differ between ``records``."""
    return [key for key in ("dataset", *FACTORS)
            if len({json.dumps(r.config.get(key), sort_keys=True) for r in records}) > 1]


def write_comparison(records, factors, out, *, lang="en", title=None, context=None,
                     extra_sections=()) -> ReportFiles:
    """results.csv and the comparison report of ``records`` in ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results_path = out / "results.csv"
    write_results_csv(results_rows(records, factors), results_path)
    document = comparison_report(records, factors, lang=lang, title=title, context=context)
    document.sections.extend(extra_sections)
    files = write_report(document, out)
    files.results = results_path
    return files


def comparison_report(records, factors, *, lang="en", title=None, context=None) -> Report:
    """The Report comparing ``records`` (RunRecord) that differ in ``factors``."""
    check_language(lang)
    if title is None:
        title = (say("comparison_title", lang, factors=" × ".join(factors)) if factors
                 else say("runs_title", lang, count=len(records)))
    return Report(title=title, lang=lang, intro=_intro(records, factors, lang),
                  sections=comparison_sections(records, factors, lang=lang, context=context))


def comparison_sections(records, factors, *, lang="en", context=None) -> list:
    """The sections of a comparison: fairness, results (table and figures), what the numbers
    say, the best run on the test set, runs, configuration and environment."""
    from glassnet.experiments.best_run import best_run_section
    from glassnet.plot.figure import variant_colors

    variants = group_variants(records, factors)
    colors = variant_colors([v.label for v in variants])
    sections = [
        Section(say("fair_heading", lang), _fairness(records, factors, lang)),
        Section(say("results_heading", lang), _results_table(variants, lang),
                _result_figures(variants, colors, lang)),
        Section(say("findings_heading", lang), _findings(variants, lang)),
        best_run_section(records, lang),
        Section(say("runs_heading", lang), _runs_table(records, factors, lang)),
        Section(say("config_heading", lang), _configuration(records, factors, lang)),
        Section(say("environment_heading", lang), environment_text(records, lang, context)),
    ]
    return [section for section in sections if section is not None]


def render_markdown(document: Report) -> str:
    """The report as Markdown; figures are referenced as figures/<name>.png."""
    parts = [f"# {document.title}", document.intro]
    for section in document.sections:
        parts.append(f"## {section.title}")
        if section.body:
            parts.append(section.body)
        for item in section.figures:
            parts.append(f"![{item.caption}](figures/{item.name}.png)\n\n*{item.caption}*")
    return "\n\n".join(part for part in parts if part) + "\n"


def write_report(document: Report, folder) -> ReportFiles:
    """Write figures/*.png, report.md and report.html into ``folder``."""
    from glassnet.experiments.html import markdown_to_html
    from glassnet.plot.figure import save_png

    folder = Path(folder)
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    figures = [save_png(item.figure, folder / "figures" / f"{item.name}.png")
               for section in document.sections for item in section.figures]
    markdown_text = render_markdown(document)
    atomic_write(folder / "report.md", markdown_text)
    page = markdown_to_html(markdown_text, folder=folder, lang=document.lang,
                            title=document.title.replace(FSI, "").replace(PDI, ""))
    atomic_write(folder / "report.html", page)
    return ReportFiles(folder, folder / "report.md", folder / "report.html", figures=figures)


# --- the sections --------------------------------------------------------------------------

def _intro(records, factors, lang) -> str:
    seeds = sorted({r.config.get("seed", 0) for r in records})
    seed_list = ", ".join(str(s) for s in seeds)
    if not factors:
        return say("intro_no_factor", lang, runs=len(records), seed_list=seed_list)
    return say("intro", lang, runs=len(records), variants=len(group_variants(records, factors)),
               seeds=len(seeds), seed_list=seed_list, model=_common(records, "model"),
               dataset=_common(records, "dataset"), epochs=_common(records, "epochs"))


def _fairness(records, factors, lang) -> str:
    lines = []
    for key in factors:
        values = list(dict.fromkeys(format_value(r.config.get(key)) for r in records))
        lines.append(say("varied", lang, factor=key, values=", ".join(values)))
    fixed = [key for key in ("dataset", *FACTORS) if key not in factors
             and records[0].config.get(key) is not None and _common(records, key) != "—"]
    options = ", ".join(f"{key}={format_value(records[0].config[key])}" for key in fixed)
    lines.append(say("held_fixed", lang, options=options))
    seeds = sorted({r.config.get("seed", 0) for r in records})
    lines.append(say("seeds_line", lang, seed_list=", ".join(str(s) for s in seeds)))
    checks = _fingerprint_checks(records, factors, lang)
    lines.append(say("checked_intro", lang) + "\n\n" + "\n".join(f"- {c}" for c in checks))
    return "\n\n".join(lines)


def _fingerprint_checks(records, factors, lang) -> list:
    printed = [r for r in records if r.fingerprint]
    if not printed:
        return [say("check_unknown", lang, property=say(f"property_{p}", lang))
                for p in FINGERPRINT_PROPERTIES]
    by_seed = {}
    for record in printed:
        by_seed.setdefault(record.config.get("seed", 0), []).append(record)
    shared = {seed: group for seed, group in by_seed.items() if len(group) > 1}
    checks = []
    if not shared:
        checks.append(say("check_single", lang))
    else:
        for prop in FINGERPRINT_PROPERTIES:
            name = text(MESSAGES, f"property_{prop}", lang)
            differing = [seed for seed, group in sorted(shared.items())
                         if len({r.fingerprint.get(prop) for r in group}) > 1]
            if differing:
                checks.append(say("check_differs", lang, property=name,
                                  seed_list=", ".join(str(s) for s in differing),
                                  factors=", ".join(factors)))
            else:
                checks.append(say("check_same", lang, property=name, seeds=len(shared)))
    if len(by_seed) > 1:
        first = {seed: group[0].fingerprint.get("initial_weights")
                 for seed, group in by_seed.items()}
        distinct = len(set(first.values())) == len(first)
        checks.append(say("seeds_differ", lang, answer=text(MESSAGES, "yes" if distinct
                                                               else "no", lang)))
    return checks


def _results_table(variants, lang) -> str:
    header = [say(key, lang) for key in ("variant", "finished_runs", "test_accuracy",
                                         "best_val_accuracy", "final_loss", "gap",
                                         "seconds_per_run")]
    rows = []
    for variant in variants:
        gaps = [None if a is None or b is None else a - b
                for a, b in zip(variant.values("train_accuracy"), variant.values("val_accuracy"))]
        finished = sum(run.status in ("complete", "early_stopped") for run in variant.runs)
        cells = [f"{finished}/{len(variant.runs)}",
                 format_mean_std(variant.values("test_accuracy")),
                 format_mean_std(variant.values("best_val_accuracy")),
                 format_mean_std(variant.values("loss")),
                 format_mean_std(gaps),
                 format_mean_std(variant.values("seconds"), digits=1)]
        rows.append([_cell(variant.label)] + [isolate(c, lang) for c in cells])
    return markdown_table(header, rows) + "\n\n" + say("table_note", lang)


def _result_figures(variants, colors, lang) -> list:
    from glassnet.plot.curves import RunCurves, training_curves
    from glassnet.plot.results import metric_by_variant

    values = {v.label: v.values("test_accuracy") for v in variants}
    curves = [RunCurves(v.label, run.epochs, run.steps,
                        steps_per_epoch=(run.fingerprint or {}).get("steps_per_epoch"),
                        diverged=run.status == "diverged")
              for v in variants for run in v.runs if run.epochs or run.steps]
    figures = []
    if any(value is not None for seeds in values.values() for value in seeds):
        figures.append(ReportFigure("results", metric_by_variant(
            values, metric=text(MESSAGES, "test_accuracy", lang), colors=colors, lang=lang),
            say("figure_results", lang)))
    if curves:
        figures.append(ReportFigure("curves", training_curves(curves, colors=colors, lang=lang),
                                    say("figure_curves", lang)))
    return figures


def _findings(variants, lang) -> str:
    lines = []
    for finding in analysis.findings(variants, metric_name=text(MESSAGES, "test_accuracy",
                                                                lang)):
        lines.append(f"- {say(finding.key, lang, **finding.values)}")
        for number, item in enumerate(finding.items, start=1):
            lines.append(f"    {number}. {say(item.key, lang, **item.values)}")
    return "\n".join(lines)


def _runs_table(records: list[RunRecord], factors, lang) -> str:
    header = [say(key, lang) for key in ("run", "seed", "status", "epochs",
                                         "best_val_accuracy", "test_accuracy", "seconds")]
    rows = []
    for record in records:
        summary = record.summary()
        status = text(MESSAGES, f"status_{record.status}", lang)
        if record.error:
            status += f": {record.error}"
        cells = [record.config.get("seed"), summary["epochs"],
                 _number(summary["best_val_accuracy"]), _number(summary["test_accuracy"]),
                 _number(summary["seconds"], ".1f")]
        rows.append([f"`{record.name}`", isolate(cells[0], lang), _cell(status),
                     *(isolate(c, lang) for c in cells[1:])])
    return markdown_table(header, rows)


def _configuration(records, factors, lang) -> str:
    config = records[0].config
    lines = []
    for key, value in config.items():
        if key in ("out", "name", "progress", "seed") or key in factors:
            continue
        if _common(records, key) == "—":  # differs between runs without being a factor
            continue
        lines.append(f"# {key}: not set" if value is None else f"{key} = {_toml(value)}")
    for key in factors:
        values = ", ".join(dict.fromkeys(_toml(r.config.get(key)) for r in records))
        lines.append(f"# varied: {key} = {values}")
    return say("config_note", lang) + "\n\n```toml\n" + "\n".join(lines) + "\n```"


def environment_text(records, lang, context=None) -> str:
    """Versions, BLAS, machine and thread settings the ``records`` ran with, as a list."""
    context = context or {}
    environment = next((r.environment for r in records if r.environment), {})
    lines = []
    if environment:
        versions = ", ".join(f"{name} {environment.get(name)}"
                             for name in ("glassnet", "python", "numpy"))
        blas = environment.get("blas") or {}
        lines.append(say("env_versions", lang, versions=versions))
        lines.append(say("env_blas", lang, blas=f"{blas.get('name')} {blas.get('version')}"))
        lines.append(say("env_machine", lang, machine=environment.get("machine"),
                         cores=environment.get("cpu_count")))
    threads = sorted({", ".join(f"{k}={v}" for k, v in (r.environment.get("thread_variables")
                                                        or {}).items() if v is not None)
                      for r in records if r.environment})
    threads = [t or text(MESSAGES, "not_set", lang) for t in threads]
    if threads:
        lines.append(say("env_threads", lang, threads="; ".join(threads)))
    if context.get("jobs"):
        lines.append(say("env_jobs", lang, jobs=context["jobs"], threads=context["threads"],
                         seconds=f"{context['seconds']:.0f}"))
    return "\n".join(f"- {line}" for line in lines)


# --- helpers -------------------------------------------------------------------------------

def _common(records, key):
    values = {json.dumps(r.config.get(key), sort_keys=True) for r in records}
    return format_value(records[0].config.get(key)) if len(values) == 1 else "—"


def markdown_table(header, rows) -> str:
    """A Markdown table of ``header`` and ``rows`` (cells as text)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(value) -> str:
    return str(value).replace("|", "\\|")


def _number(value, spec: str = ".4f") -> str:
    return "—" if value is None else format(value, spec)


def _toml(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)
