""""What the numbers say": statements drawn from the results only, as message keys with the
numbers that back them (``Finding``); the report turns them into sentences.

Each statement is a comparison the data can support: the ranking with its spread, whether
the gap between neighbours in the ranking (and between the first and the last) exceeds the
seed-to-seed spread (and how often the better one won on the seeds both share: variants
that share a seed start from the same weights and see the same batches, so a paired look
is fair), which variants diverged and where, which one overfit most, and how long the runs
took. Nothing is said that the numbers
do not show; with one seed the spread is unknown and the report says so.
"""

from dataclasses import dataclass, field
from itertools import pairwise

from glassnet.experiments.results import mean_std

# A gap at least this many times the larger of the two seed-to-seed standard deviations is
# called larger than the spread; below 1× it is within the spread; in between, undecided.
# (About two standard deviations: the usual rough line between noise and effect.)
CLEAR_GAP_RATIO = 2.0
WITHIN_GAP_RATIO = 1.0
# A final train-minus-validation accuracy gap below this is not called overfitting: a few
# epochs in, the gap of a healthy run is about one percentage point (the lecture's "big gap
# → overfitting" gives no number; two points is this report's line, stated here).
OVERFIT_GAP = 0.02
# Run times are worth a sentence only when the slowest variant took this much longer.
TIME_RATIO = 1.1
# Validation loss counts as having risen when its last value is this much above its minimum.
VAL_LOSS_RISE = 0.02


@dataclass
class Finding:
    """One statement: the message key and the values its sentence is filled with."""

    key: str
    values: dict = field(default_factory=dict)
    items: list = field(default_factory=list)  # sub-points (e.g. the ranking's lines)


def findings(variants, *, metric: str = "test_accuracy", metric_name: str = "test accuracy"):
    """Findings about ``variants`` (``results.Variant``), ranked by ``metric``."""
    found = []
    ranked = [(v, *v.stats(metric)) for v in variants]
    ranked = sorted([r for r in ranked if r[1] is not None], key=lambda r: -r[1])
    if ranked:
        items = [Finding("ranking_item", {"label": v.label, "value": _mean_std(mean, std)})
                 for v, mean, std, _ in ranked]
        found.append(Finding("ranking", {"metric": metric_name}, items))
    if ranked and max(n for *_, n in ranked) < 2:
        found.append(Finding("one_seed"))
    else:
        pairs = list(pairwise(ranked))
        if len(ranked) >= 3:  # and the whole range: is even best against worst a real gap?
            pairs.append((ranked[0], ranked[-1]))
        for (better, mean_a, std_a, _), (worse, mean_b, std_b, _) in pairs:
            found.append(_gap(better, worse, mean_a - mean_b, std_a, std_b, metric))
    for variant in variants:
        if variant.stats(metric)[0] is None and variant.count("diverged") == 0:
            found.append(Finding("not_ranked", {"label": variant.label}))
        found.extend(_diverged(variant))
    found.extend(_overfitting(variants))
    found.extend(_time(variants))
    unfinished = [run.name for v in variants for run in v.runs
                  if run.status in ("unfinished", "failed")]
    if unfinished:
        found.append(Finding("unfinished", {"count": len(unfinished),
                                            "names": ", ".join(unfinished)}))
    return found


def _gap(better, worse, gap, std_a, std_b, metric) -> Finding:
    pairs = _paired(better, worse, metric)
    spreads = [s for s in (std_a, std_b) if s is not None]
    spread = max(spreads, default=None)
    values = {"better": better.label, "worse": worse.label, "gap": _small(gap),
              "spread": "—" if spread is None else f"{spread:.4f}",
              "wins": sum(a > b for a, b in pairs), "paired": len(pairs)}
    if gap <= 0:
        return Finding("tie", values)
    if spread is None:  # one finished seed on each side
        return Finding("gap_no_spread", values)
    if gap >= CLEAR_GAP_RATIO * spread:
        ratio = f"{gap / spread:.1f}" if spread > 0 else "∞"
        return Finding("gap_clear", {**values, "ratio": ratio})
    if gap < WITHIN_GAP_RATIO * spread:
        return Finding("gap_within", values)
    return Finding("gap_comparable", values)


def _paired(better, worse, metric) -> list:
    """(better's value, worse's value) for each seed both variants finished."""
    by_seed = {run.config.get("seed"): run.summary()[metric] for run in worse.runs}
    return [(run.summary()[metric], by_seed[run.config.get("seed")]) for run in better.runs
            if run.summary()[metric] is not None
            and by_seed.get(run.config.get("seed")) is not None]


def _diverged(variant) -> list:
    runs = [run for run in variant.runs if run.status == "diverged"]
    if not runs:
        return []
    first = runs[0].summary()
    loss = first["last_finite_loss"]
    return [Finding("diverged", {
        "label": variant.label, "count": len(runs), "total": len(variant.runs),
        "loss": "—" if loss is None else f"{loss:.4g}", "step": first["last_step"] or 0,
    })]


def _overfitting(variants) -> list:
    gaps = []
    for variant in variants:
        train, val = variant.stats("train_accuracy")[0], variant.stats("val_accuracy")[0]
        finished = [run for run in variant.runs if run.finished and run.status != "diverged"]
        if train is not None and val is not None and finished:
            gaps.append((train - val, train, val, variant))
    if not gaps:
        return []
    gap, train, val, variant = max(gaps, key=lambda g: g[0])
    if gap < OVERFIT_GAP:
        return [Finding("overfit_none", {"gap": f"{gap:.4f}", "label": variant.label})]
    found = [Finding("overfit_most", {"label": variant.label, "gap": f"{gap:.4f}",
                                      "train": f"{train:.4f}", "val": f"{val:.4f}"})]
    rose = []
    for run in variant.runs:
        losses = [(r.get("val_loss"), r.get("epoch")) for r in run.epochs
                  if r.get("val_loss") is not None]
        if len(losses) >= 2:
            lowest, epoch = min(losses, key=lambda pair: pair[0])
            if losses[-1][0] > lowest * (1 + VAL_LOSS_RISE):
                rose.append(epoch)
    if rose:
        found.append(Finding("val_loss_rose", {"label": variant.label, "count": len(rose),
                                               "total": len(variant.runs), "epoch": rose[0]}))
    return found


def _time(variants) -> list:
    times = [(mean_std(v.values("seconds"))[0], v.label) for v in variants]
    times = [(t, label) for t, label in times if t is not None]
    if len(times) < 2:
        return []
    (fast, fast_label), (slow, slow_label) = min(times), max(times)
    if slow < TIME_RATIO * fast:  # all about as fast: nothing to say
        return []
    return [Finding("time_range", {"fast": f"{fast:.1f}", "fast_label": fast_label,
                                   "slow": f"{slow:.1f}", "slow_label": slow_label})]


def _small(value: float) -> str:
    """4 decimals, or 2 significant digits below 0.0001 (so a gap never reads as 0.0000)."""
    return f"{value:.4f}" if value == 0 or abs(value) >= 1e-4 else f"{value:.1e}"


def _mean_std(mean: float, std: float | None) -> str:
    return f"{mean:.4f}" if std is None else f"{mean:.4f} ± {std:.4f}"
