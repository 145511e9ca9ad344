"""One final metric per variant: every seed as a dot, the mean ± std as a bar.

The figure a comparison's results table is read with: how far apart the variants are, and
how far apart the seeds of one variant are. Seeds without a value (a run that diverged or
did not finish) are left out, and the variant's label says how many seeds are shown.

Example:
    >>> figure = metric_by_variant({"relu": [0.85, 0.86], "tanh": [0.83, 0.84]},
    ...                            metric="test accuracy")
    >>> figure.axes[0].get_xlabel()
    'test accuracy'
"""

import math

import numpy as np

from glassnet.errors import ConfigError
from glassnet.i18n import text
from glassnet.plot.figure import new_figure, save_png, set_language, variant_colors
from glassnet.plot.messages import MESSAGES


def metric_by_variant(values: dict, *, metric: str, colors: dict | None = None,
                      lang: str = "en", path=None):
    """Draw ``values`` (variant → one number per seed, None for a seed without one).

    Args:
        values: variant label → list of per-seed values, in the order to draw (top first).
        metric: the axis label, e.g. "test accuracy".
        colors: label → colour (default: ``variant_colors`` of the labels).
        lang: "en" or "fa" for the texts.
        path: when given, the figure is also saved there as a PNG.

    Returns:
        The matplotlib Figure.
    """
    if not values:
        raise ConfigError("metric_by_variant: expected at least one variant, but got none.")
    colors = {**variant_colors(values), **(colors or {})}
    figure = new_figure(7, 1.2 + 0.45 * len(values))
    axes = figure.subplots()
    labels = []
    for row, (label, seeds) in enumerate(values.items()):
        kept = np.array([v for v in seeds if v is not None and math.isfinite(v)], dtype=float)
        shown = f"{label} ({len(kept)}/{len(seeds)})" if len(kept) < len(seeds) else str(label)
        labels.append(shown)
        if kept.size == 0:
            continue
        color = colors[label]
        if kept.size > 1:
            axes.errorbar(kept.mean(), row, xerr=kept.std(ddof=1), color=color, capsize=5,
                          linewidth=2, marker="|", markersize=14)
        axes.plot(kept, np.full(kept.shape, row + 0.18), "o", color=color, alpha=0.75,
                  markersize=6)  # just below the bar, so neither hides the other
    axes.set_yticks(range(len(labels)), labels)
    axes.set_ylim(len(labels) - 0.5, -0.5)  # the first variant at the top
    axes.set_xlabel(metric)
    axes.grid(True, axis="x", alpha=0.3)
    axes.set_title(text(MESSAGES, "seed_runs", lang), fontsize=9)
    set_language(figure, lang)
    if path is not None:
        save_png(figure, path)
    return figure
